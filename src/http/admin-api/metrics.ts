import type { FastifyPluginAsync } from "fastify";
import type { Metrics } from "../../metrics/metrics.ts";
import { authenticate } from "../../services/admin-auth.ts";
import type { ServiceContext } from "../../services/context.ts";

/**
 * `GET /metrics`, Prometheus's text format, on the admin listener. It names connections and
 * channels and shows how busy the node is, so it takes the admin API's credentials (an API token
 * as a Bearer token suits a scraper; an auditor's is enough) unless PORTICO_METRICS_PUBLIC says
 * the network in front of the admin listener is the only guard wanted.
 */
export const metricsRoute =
  (context: ServiceContext, options: { metrics: Metrics; isPublic: boolean }): FastifyPluginAsync =>
  async (app) => {
    app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
      if (!options.isPublic) await authenticate(context, request.headers.authorization, request.ip);
      reply.type(options.metrics.contentType).header("Cache-Control", "no-store");
      return options.metrics.render();
    });
  };
