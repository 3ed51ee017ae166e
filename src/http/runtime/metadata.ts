import type { FastifyPluginAsync } from "fastify";
import type { ServiceContext } from "../../services/context.ts";
import { serverIdpMetadata } from "../../services/sso/idp-metadata.ts";

export const metadataRoutes =
  (context: ServiceContext): FastifyPluginAsync =>
  async (app) => {
    app.get("/pf/federation_metadata.ping", async (_request, reply) => {
      reply
        .type("application/samlmetadata+xml; charset=utf-8")
        .header("Content-Disposition", 'inline; filename="portico-idp-metadata.xml"')
        .header("Cache-Control", "max-age=300");
      return serverIdpMetadata(context);
    });
  };
