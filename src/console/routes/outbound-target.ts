import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import {
  type ConfigField,
  type SpConnection,
  salesforceProvisionerType,
} from "../../domain/sp-connection.ts";
import { adminApiBase } from "../../http/admin-api/principal.ts";
import { callbackPath } from "../../http/admin-api/provisioning-target.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { getConnection, updateConnection } from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { listSigningKeys } from "../../services/keys.ts";
import { testSalesforceConnection } from "../../services/provisioning/connection-test.ts";
import { listConnectorDescriptors } from "../../services/provisioning/descriptors.ts";
import { startSalesforceConnect } from "../../services/provisioning/oauth-connect.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import { outboundBase, type Problem } from "../views/outbound-common.ts";
import { isSecretSetting, type TargetForm, type TargetPage, targetPage } from "../views/outbound-target.ts";

/**
 * The Target tab's routes. The page reads the connection through the connections service and
 * saves it through the same update as `PUT /idp/spConnections/{id}` (secrets echoed sealed, so
 * they are kept); Test connection and Connect to Salesforce call the services behind
 * `POST /provisioning/connections/{id}/test` and `…/oauth/start`.
 */

export const ConnectionIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

const TargetBody = Type.Record(
  Type.String({ pattern: "^[A-Za-z_]{1,64}$" }),
  Type.String({ maxLength: 16384 }),
);

const settingFields = () => {
  const salesforce = listConnectorDescriptors().find((d) => d.id === salesforceProvisionerType);
  if (!salesforce) throw new AppError("INTERNAL");
  return salesforce.configDescriptor.fields;
};

/** The connection's Salesforce target settings, or undefined when it does not provision yet. */
export const targetSettingsOf = (connection: SpConnection): ConfigField[] | undefined =>
  connection.outboundProvision?.type === salesforceProvisionerType
    ? connection.outboundProvision.targetSettings
    : undefined;

const formOf = (settings: readonly ConfigField[]): TargetForm => ({
  values: Object.fromEntries(settings.flatMap((s) => (s.value === undefined ? [] : [[s.name, s.value]]))),
  secretsSet: new Set(settings.filter((s) => s.encryptedValue !== undefined).map((s) => s.name)),
});

/** The settings a posted form means: blank secrets keep the stored ones, unless removed. */
const settingsFromForm = (
  body: Readonly<Record<string, string>>,
  stored: readonly ConfigField[],
): ConfigField[] =>
  settingFields().flatMap((f): ConfigField[] => {
    const typed = body[f.name]?.trim() ?? "";
    if (f.type === "CHECK_BOX") return [{ name: f.name, value: typed === "true" ? "true" : "false" }];
    if (isSecretSetting(f)) {
      if (typed !== "") return [{ name: f.name, value: typed }];
      const kept = stored.find((s) => s.name === f.name);
      if (body[`clear_${f.name}`] === "true" || kept === undefined) return [];
      return [kept];
    }
    return typed === "" ? [] : [{ name: f.name, value: typed }];
  });

/** A whole page, as the Target tab shows it for `connection`. */
const showTarget = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  connection: SpConnection,
  extra: Partial<Pick<TargetPage, "errors" | "test" | "connect" | "form">> = {},
  status = 200,
) => {
  const settings = targetSettingsOf(connection);
  const keys = (await listSigningKeys(context)).filter((k) => k.keyAlgorithm === "RSA");
  const page = targetPage({
    viewer: viewerOf(request),
    connection: { id: connection.id ?? "", name: connection.name, active: connection.active === true },
    fields: settingFields(),
    form: formOf(settings ?? []),
    keys,
    configured: settings !== undefined,
    notice: takeNotice(request, reply),
    ...extra,
  });
  return sendPage(reply, page, status);
};

const failureOf = (error: unknown) => {
  if (!isAppError(error) || error.status >= 500) throw error;
  return { ok: false as const, code: error.code, message: error.message };
};

export const outboundTargetRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get(
      "/connections/:id/provisioning",
      { schema: { params: ConnectionIdParams } },
      async (request, reply) =>
        showTarget(context, request, reply, await getConnection(context, request.params.id)),
    );

    app.post(
      "/connections/:id/provisioning/target",
      { schema: { params: ConnectionIdParams, body: TargetBody } },
      async (request, reply) => {
        const { id } = request.params;
        const connection = await getConnection(context, id);
        const stored = targetSettingsOf(connection) ?? [];
        const targetSettings = settingsFromForm(request.body, stored);
        const document: SpConnection = {
          ...connection,
          outboundProvision: {
            ...connection.outboundProvision,
            type: salesforceProvisionerType,
            targetSettings,
            channels: connection.outboundProvision?.channels ?? [],
          },
        };
        try {
          await updateConnection(context, actorOf(request), id, document);
        } catch (error) {
          if (!isAppError(error) || error.status >= 500) throw error;
          const problems: readonly Problem[] =
            error.details.length > 0 ? error.details : [{ message: error.message }];
          // Shown again as typed, secrets aside: those the admin typed must be typed again.
          const typed = formOf(targetSettings.filter((s) => !isSecretSetting({ type: typeOf(s.name) })));
          return showTarget(
            context,
            request,
            reply,
            connection,
            { errors: problems, form: { values: typed.values, secretsSet: formOf(stored).secretsSet } },
            422,
          );
        }
        return redirectWithNotice(request, reply, outboundBase(id), "Target saved.");
      },
    );

    app.post(
      "/connections/:id/provisioning/test",
      { schema: { params: ConnectionIdParams } },
      async (request, reply) => {
        const { id } = request.params;
        const connection = await getConnection(context, id);
        const test = await testSalesforceConnection(context, actorOf(request), id).then(
          (result) => ({ ok: true as const, result }),
          failureOf,
        );
        return showTarget(context, request, reply, connection, { test });
      },
    );

    app.post(
      "/connections/:id/provisioning/connect",
      { schema: { params: ConnectionIdParams } },
      async (request, reply) => {
        const { id } = request.params;
        const connection = await getConnection(context, id);
        // The admin API's callback finishes the flow: the browser comes back to it from Salesforce.
        const redirectUri = `${request.protocol}://${request.host}${adminApiBase}${callbackPath}`;
        const connect = await startSalesforceConnect(context, actorOf(request), id, redirectUri).then(
          (result) => ({ ok: true as const, result }),
          failureOf,
        );
        return showTarget(context, request, reply, connection, { connect });
      },
    );
  };

const typeOf = (name: string) => settingFields().find((f) => f.name === name)?.type ?? "TEXT";
