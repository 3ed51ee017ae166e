import type { FastifyPluginAsync } from "fastify";
import type { AuthenticationSource } from "../../domain/ports.ts";
import type { ServiceContext } from "../../services/context.ts";
import { startIdpInitiated } from "../../services/sso/flow.ts";
import { sendOutcome } from "./outcome.ts";
import { assertString, sessionCookie } from "./respond.ts";

export const ssoRoutes =
  (context: ServiceContext, source: AuthenticationSource, secure: boolean): FastifyPluginAsync =>
  async (app) => {
    // The connection's SSO Application Endpoint: IdP-initiated SSO, TargetResource → RelayState.
    app.get("/idp/startSSO.ping", async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const outcome = await startIdpInitiated(context, source, {
        partnerSpId: assertString(query.PartnerSpId, "PartnerSpId"),
        targetResource: assertString(query.TargetResource, "TargetResource"),
        sessionToken: request.cookies[sessionCookie],
      });
      return sendOutcome(reply, outcome, secure);
    });
  };
