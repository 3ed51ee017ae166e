import type { FastifyPluginAsync } from "fastify";
import type { ServiceContext } from "../services/context.ts";
import { checkReadiness } from "../services/health.ts";

/** Whether the node has begun its graceful stop (SIGTERM); set by compose.ts. */
export type Lifecycle = { isDraining(): boolean };

/**
 * Probes for a load balancer or an orchestrator, on both listeners, without credentials (they
 * tell nothing but up or down): `/healthz/live` answers 200 while the process serves at all;
 * `/healthz/ready` answers 200 when the node should get new requests, 503 while it drains or
 * its database does not answer.
 */
export const healthRoutes =
  (context: ServiceContext, lifecycle: Lifecycle): FastifyPluginAsync =>
  async (app) => {
    app.get("/healthz/live", { schema: { hide: true } }, async (_request, reply) => {
      reply.header("Cache-Control", "no-store");
      return { status: "live" };
    });
    app.get("/healthz/ready", { schema: { hide: true } }, async (_request, reply) => {
      const readiness = await checkReadiness(context, lifecycle.isDraining());
      const status = readiness.ready ? "ready" : readiness.draining ? "draining" : "unavailable";
      reply.status(readiness.ready ? 200 : 503).header("Cache-Control", "no-store");
      return { status, database: readiness.database };
    });
  };
