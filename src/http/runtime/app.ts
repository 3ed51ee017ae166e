import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AuthenticationSource } from "../../domain/ports.ts";
import { randomIds } from "../../lib/ids.ts";
import type { Metrics } from "../../metrics/metrics.ts";
import type { ServiceContext } from "../../services/context.ts";
import { healthRoutes, type Lifecycle } from "../health.ts";
import { observeRequests } from "../observe.ts";
import { trustProxy } from "../proxy.ts";
import { registerSecurityHeaders } from "../security-headers.ts";
import { loginRoutes } from "./login.ts";
import { metadataRoutes } from "./metadata.ts";
import { sendErrorPage } from "./respond.ts";
import { sloRoutes } from "./slo.ts";
import { ssoRoutes } from "./sso.ts";

export type RuntimeAppOptions = {
  context: ServiceContext;
  source: AuthenticationSource;
  logger?: FastifyBaseLogger | undefined;
  /** Peers whose X-Forwarded-For/-Proto are believed (PORTICO_TRUSTED_PROXIES). */
  trustedProxies?: readonly string[] | undefined;
  metrics?: Metrics | undefined;
  /** Whether the node is draining; without it, never. */
  lifecycle?: Lifecycle | undefined;
};

const running: Lifecycle = { isDraining: () => false };

/** Bodies of SAML bindings are small; Salesforce's POSTed AuthnRequest is a few KB. */
export const runtimeBodyLimit = 256 * 1024;

/** The runtime listener: PingFederate's engine paths for SSO, SLO, metadata and sign-in. */
export const createRuntimeApp = async (options: RuntimeAppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: runtimeBodyLimit,
    genReqId: () => randomIds.next(),
    trustProxy: trustProxy(options.trustedProxies),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  observeRequests(app, "runtime", options.metrics);
  await registerSecurityHeaders(app, {
    kind: "runtime",
    https: options.context.baseUrl.startsWith("https:"),
  });
  await app.register(formbody);
  await app.register(cookie);
  app.setErrorHandler((error, request, reply) => sendErrorPage(request, reply, error));
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).type("text/plain; charset=utf-8").header("Cache-Control", "no-store").send("Not found"),
  );
  const lifecycle = options.lifecycle ?? running;
  // PingFederate's heartbeat: `OK` while the node serves; 503 once it drains, so a load balancer
  // set up for PingFederate stops sending it sign-ins too.
  app.get("/pf/heartbeat.ping", async (_request, reply) => {
    reply.type("text/plain; charset=utf-8").header("Cache-Control", "no-store");
    if (lifecycle.isDraining()) return reply.status(503).send("Draining");
    return "OK";
  });
  await app.register(healthRoutes(options.context, lifecycle));
  const secure = options.context.baseUrl.startsWith("https:");
  await app.register(metadataRoutes(options.context));
  await app.register(loginRoutes(options.context, options.source, secure));
  await app.register(ssoRoutes(options.context, options.source, secure));
  await app.register(sloRoutes(options.context, secure));
  return app;
};
