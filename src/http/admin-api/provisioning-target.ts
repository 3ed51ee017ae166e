import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import { testSalesforceConnection } from "../../services/provisioning/connection-test.ts";
import { getConnectorDescriptor, listConnectorDescriptors } from "../../services/provisioning/descriptors.ts";
import {
  completeSalesforceConnect,
  startSalesforceConnect,
} from "../../services/provisioning/oauth-connect.ts";
import { toAppError } from "../problem.ts";
import { sendMessagePage } from "../runtime/respond.ts";
import { adminApiBase, principalOf } from "./principal.ts";
import { ConnectionParams } from "./provisioning-schemas.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * The Salesforce target on the admin API: the connection test, "Connect to Salesforce" and the
 * connector descriptors. The OAuth callback is a separate plugin, outside the admin API's
 * authentication: the browser arrives there from Salesforce, and its state parameter is the proof.
 */

const Text = Type.String();
const TestResult = Type.Object({
  success: Type.Literal(true),
  connectionId: Text,
  authMethod: Text,
  salesforceDomain: Text,
  organizationId: Text,
  instanceUrl: Text,
  apiVersion: Text,
  user: Type.Object({ id: Text, username: Text, name: Text, profile: Text }),
  permissions: Type.Object({
    apiEnabled: Type.Boolean(),
    manageUsers: Type.Boolean(),
    createUsers: Type.Boolean(),
  }),
  apiUsage: Type.Optional(Type.Object({ used: Type.Integer(), max: Type.Integer() })),
  jwtSigningCertificate: Type.Optional(
    Type.Object(
      { keyPairId: Text, sha256Fingerprint: Text, download: Text },
      { description: "upload this to the connected app" },
    ),
  ),
});

const StartResult = Type.Object({
  authorizeUrl: Type.String({ description: "open it in a browser signed in to Salesforce as the API user" }),
  redirectUri: Type.String({ description: "register it as the connected app's Callback URL" }),
  expiresAt: Type.String(),
});

const OptionValue = Type.Object({ name: Text, value: Text });
const Descriptor = Type.Object({
  id: Text,
  description: Text,
  configDescriptor: Type.Object({
    description: Text,
    fields: Type.Array(
      Type.Object({
        type: Text,
        name: Text,
        label: Text,
        description: Text,
        required: Type.Boolean(),
        advanced: Type.Boolean(),
        defaultValue: Type.Optional(Text),
        optionValues: Type.Optional(Type.Array(OptionValue)),
        requiredFor: Type.Array(Text, { description: "the AUTH_METHODs that need it" }),
      }),
    ),
    tables: Type.Array(Type.Unknown()),
    actionDescriptors: Type.Array(Type.Unknown()),
  }),
  saasPluginFieldInfoDescriptors: Type.Array(Type.Unknown()),
});

export const callbackPath = "/provisioning/oauth/callback";

/** The callback URL as the admin reached this listener (behind a trusted proxy: as the proxy says). */
const redirectUriOf = (request: FastifyRequest) =>
  `${request.protocol}://${request.host}${adminApiBase}${callbackPath}`;

export const provisioningTargetRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Provisioning"];
    api.post(
      "/provisioning/connections/:connectionId/test",
      {
        schema: {
          tags,
          summary:
            "Test the connection's Salesforce target: a new token, the API version, the API user's permissions",
          params: ConnectionParams,
          response: { 200: TestResult, ...problems, 503: problems[422] },
        },
      },
      async (request) => testSalesforceConnection(context, principalOf(request), request.params.connectionId),
    );

    api.post(
      "/provisioning/connections/:connectionId/oauth/start",
      {
        schema: {
          tags,
          summary: "Connect to Salesforce: the authorize URL (PKCE) and the callback URL to register",
          params: ConnectionParams,
          response: { 200: StartResult, ...problems },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        if (principal.role !== "ADMIN") throw new AppError("AUTH_FORBIDDEN");
        return startSalesforceConnect(
          context,
          principal,
          request.params.connectionId,
          redirectUriOf(request),
        );
      },
    );

    api.get(
      "/idp/connectors/descriptors",
      {
        schema: {
          tags,
          summary: "The provisioning connectors and their settings",
          response: { 200: Type.Object({ items: Type.Array(Descriptor) }), ...problems },
        },
      },
      async () => ({ items: listConnectorDescriptors() }),
    );

    api.get(
      "/idp/connectors/descriptors/:id",
      {
        schema: {
          tags,
          summary: "One provisioning connector and its settings",
          params: Type.Object(
            { id: Type.String({ minLength: 1, maxLength: 128 }) },
            { additionalProperties: false },
          ),
          response: { 200: Descriptor, ...problems },
        },
      },
      async (request) => getConnectorDescriptor(request.params.id),
    );
  };

const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 4096 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 1024 })),
});

const titles: Partial<Record<string, string>> = {
  PROV_CONNECT_DENIED: "Access not allowed",
  PROV_CONNECT_STATE_INVALID: "Link not valid",
  PROV_CONNECT_STATE_EXPIRED: "Link expired",
  PROV_CONNECT_STATE_USED: "Link already used",
};

export const provisioningCallbackRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (app) => {
    app.get(callbackPath, { schema: { hide: true, querystring: CallbackQuery } }, async (request, reply) => {
      const query = request.query;
      try {
        const result = await completeSalesforceConnect(context, {
          code: query.code,
          state: query.state,
          error: query.error,
          errorDescription: query.error_description,
        });
        return sendMessagePage(reply, {
          title: "Connected to Salesforce",
          message: `Connection "${result.connectionName}" now provisions ${result.username === undefined ? "" : `as ${result.username} `}at ${result.instanceUrl}. You can close this window.`,
        });
      } catch (error) {
        const appError = toAppError(error);
        if (appError.status >= 500)
          request.log.error({ err: error, code: appError.code }, "Connect to Salesforce failed");
        else request.log.info({ code: appError.code }, "Connect to Salesforce refused");
        return sendMessagePage(reply, {
          title: titles[appError.code] ?? "Could not connect to Salesforce",
          message: appError.expose ? appError.message : "Portico could not complete the connection.",
          status: Math.max(appError.status, 400),
          error: { code: appError.code, correlationId: request.id },
        });
      }
    });
  };
