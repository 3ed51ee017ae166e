import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { randomIds } from "../../lib/ids.ts";
import type { ServiceContext } from "../../services/context.ts";

export type RuntimeAppOptions = {
  context: ServiceContext;
  logger?: FastifyBaseLogger | undefined;
};

/** The runtime listener: PingFederate's engine paths (SSO, SLO and metadata arrive with browser SSO). */
export const createRuntimeApp = async (options: RuntimeAppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    genReqId: () => randomIds.next(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.get("/pf/heartbeat.ping", async (_request, reply) => {
    reply.type("text/plain; charset=utf-8").header("Cache-Control", "no-store");
    return "OK";
  });
  return app;
};
