import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AuthenticationSource } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import { randomIds } from "../../lib/ids.ts";
import type { Metrics } from "../../metrics/metrics.ts";
import { authenticate } from "../../services/admin-auth.ts";
import type { ServiceContext } from "../../services/context.ts";
import { healthRoutes, type Lifecycle } from "../health.ts";
import { observeRequests } from "../observe.ts";
import { problemFor, reportServerError, toAppError } from "../problem.ts";
import { trustProxy } from "../proxy.ts";
import { registerSecurityHeaders } from "../security-headers.ts";
import { accountRoutes } from "./accounts.ts";
import { configurationRoutes } from "./configuration.ts";
import { connectionRoutes } from "./connections.ts";
import { credentialValidatorRoutes } from "./credential-validators.ts";
import { dataStoreRoutes } from "./data-stores.ts";
import { directoryRoutes } from "./directory.ts";
import { directoryGroupRoutes } from "./directory-groups.ts";
import { optionalBody, registerJsonBody } from "./json-body.ts";
import { keyRoutes } from "./keys.ts";
import { masterKeyRoutes } from "./master-key.ts";
import { metadataRoutes } from "./metadata.ts";
import { metricsRoute } from "./metrics.ts";
import { adminApiBase } from "./principal.ts";
import { provisioningChannelRoutes } from "./provisioning-channels.ts";
import { provisioningEventRoutes } from "./provisioning-events.ts";
import { provisioningExpressionRoutes } from "./provisioning-expressions.ts";
import { provisioningNodesRoutes } from "./provisioning-nodes.ts";
import { provisioningSettingsRoutes } from "./provisioning-settings.ts";
import { provisioningCallbackRoutes, provisioningTargetRoutes } from "./provisioning-target.ts";
import { ssoTestRoutes } from "./sso-test.ts";

/** Large enough for 1 MB of metadata in base64; the XML parser caps the decoded size itself. */

export const adminBodyLimit = 2 * 1024 * 1024;

const stateChanging = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type AdminAppOptions = {
  context: ServiceContext;
  /** Where users are looked up (for `POST /sso/test`). */
  source: AuthenticationSource;
  logger?: FastifyBaseLogger | undefined;
  /** Peers whose X-Forwarded-For/-Proto are believed (PORTICO_TRUSTED_PROXIES). */
  trustedProxies?: readonly string[] | undefined;
  version: string;
  /** `GET /metrics`; without it, no such route. */
  metrics?: { metrics: Metrics; isPublic: boolean } | undefined;
  lifecycle?: Lifecycle | undefined;
};

/** The admin listener: the PingFederate-shaped admin API with its OpenAPI document. */
export const createAdminApp = async (options: AdminAppOptions): Promise<FastifyInstance> => {
  const { context } = options;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: adminBodyLimit,
    genReqId: () => randomIds.next(),
    trustProxy: trustProxy(options.trustedProxies),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: {
      // Strict: unknown fields are errors, types are never coerced, defaults are not injected.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true },
    },
  });
  app.decorateRequest("principal", null);
  observeRequests(app, "admin", options.metrics?.metrics);
  await registerSecurityHeaders(app, { kind: "admin" });
  registerJsonBody(app);
  // Routes that take no body as `{}`: the OpenAPI document says their body is optional.
  const optionalBodies = new Set<string>();
  app.addHook("onRoute", (route) => {
    const hooks = [route.preValidation].flat();
    if (hooks.includes(optionalBody))
      for (const method of [route.method].flat()) optionalBodies.add(`${method.toLowerCase()} ${route.url}`);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Portico admin API",
        version: options.version,
        description:
          "PingFederate-shaped admin API. HTTP Basic (admin accounts) or Bearer API tokens; state-changing calls need the X-XSRF-Header header. Errors are application/problem+json with a stable code.",
      },
      servers: [{ url: adminApiBase }],
      components: {
        securitySchemes: {
          basicAuth: { type: "http", scheme: "basic" },
          bearerAuth: { type: "http", scheme: "bearer" },
        },
      },
      security: [{ basicAuth: [] }, { bearerAuth: [] }],
    },
    transform: ({ schema, url }) => ({
      schema,
      url: url.startsWith(adminApiBase) ? url.slice(adminApiBase.length) : url,
    }),
    // @fastify/swagger marks every body required; these routes take none as `{}`.
    transformObject: (documents) => {
      if (!("openapiObject" in documents)) return documents.swaggerObject;
      const spec = documents.openapiObject;
      for (const key of optionalBodies) {
        const [method = "", url = ""] = key.split(" ");
        const path = (url.startsWith(adminApiBase) ? url.slice(adminApiBase.length) : url).replace(
          /:(\w+)/g,
          "{$1}",
        );
        const operation = spec.paths?.[path]?.[method as "post"];
        if (operation?.requestBody && "required" in operation.requestBody)
          operation.requestBody.required = false;
      }
      return spec;
    },
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500)
      reportServerError(request, reply, error, appError, "admin API request failed");
    else request.log.info({ code: appError.code }, "admin API request refused");
    const retry = appError.details.find((d) => d.field === "retryAfterSeconds");
    if (retry) reply.header("Retry-After", retry.message);
    if (appError.code === "AUTH_REQUIRED" || appError.code === "AUTH_INVALID_CREDENTIALS") {
      reply.header("WWW-Authenticate", 'Basic realm="Portico admin API", Bearer');
    }
    const problem = problemFor(appError, request.id);
    reply.status(appError.status).type("application/problem+json").send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = problemFor(
      new AppError("REQ_NOT_FOUND", { message: `No route ${request.method} ${request.url}.` }),
      request.id,
    );
    reply.status(404).type("application/problem+json").send(problem);
  });

  app.get(`${adminApiBase}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(context, options.lifecycle ?? { isDraining: () => false }));
  if (options.metrics) await app.register(metricsRoute(context, options.metrics));

  await app.register(
    async (api) => {
      api.addHook("onRequest", async (request) => {
        // PingFederate's CSRF defence: a browser cannot add a custom header cross-site without CORS.
        if (stateChanging.has(request.method) && request.headers["x-xsrf-header"] === undefined) {
          throw new AppError("REQ_XSRF_HEADER_MISSING");
        }
        request.principal = await authenticate(context, request.headers.authorization, request.ip);
        if (request.principal.role === "AUDITOR" && stateChanging.has(request.method)) {
          throw new AppError("AUTH_FORBIDDEN", { message: "Auditor accounts are read-only." });
        }
      });
      api.get("/version", { schema: { tags: ["Server"], summary: "The server's version" } }, async () => ({
        version: options.version,
      }));
      await api.register(keyRoutes(context));
      await api.register(connectionRoutes(context));
      await api.register(dataStoreRoutes(context));
      await api.register(credentialValidatorRoutes(context));
      await api.register(metadataRoutes(context));
      await api.register(accountRoutes(context));
      await api.register(configurationRoutes(context));
      await api.register(directoryRoutes(context));
      await api.register(directoryGroupRoutes(context));
      await api.register(ssoTestRoutes(context, options.source));
      await api.register(provisioningTargetRoutes(context));
      await api.register(provisioningSettingsRoutes(context));
      await api.register(masterKeyRoutes(context));
      await api.register(provisioningNodesRoutes(context));
      await api.register(provisioningChannelRoutes(context));
      await api.register(provisioningExpressionRoutes(context));
      await api.register(provisioningEventRoutes(context));
    },
    { prefix: adminApiBase },
  );
  // Outside the authentication above: Salesforce sends the admin's browser here.
  await app.register(provisioningCallbackRoutes(context), { prefix: adminApiBase });
  return app;
};
