import type { FastifyPluginAsync } from "fastify";
import type { AuthenticationSource } from "../../domain/ports.ts";
import { decodePost } from "../../saml/bindings/post.ts";
import { decodeRedirect } from "../../saml/bindings/redirect.ts";
import type { ServiceContext } from "../../services/context.ts";
import { startIdpInitiated } from "../../services/sso/flow.ts";
import { bindingLimits } from "../../services/sso/limits.ts";
import { receiveAuthnRequest } from "../../services/sso/sp-initiated.ts";
import { sendOutcome } from "./outcome.ts";
import { assertString, browserCookies, formFields, rawQuery } from "./respond.ts";

export const ssoRoutes =
  (context: ServiceContext, source: AuthenticationSource, secure: boolean): FastifyPluginAsync =>
  async (app) => {
    // The connection's SSO Application Endpoint: IdP-initiated SSO, TargetResource → RelayState.
    app.get("/idp/startSSO.ping", async (request, reply) => {
      const query = formFields(request.query);
      const outcome = await startIdpInitiated(context, source, {
        partnerSpId: assertString(query.PartnerSpId, "PartnerSpId"),
        targetResource: assertString(query.TargetResource, "TargetResource"),
        browser: browserCookies(request),
      });
      return sendOutcome(reply, outcome, secure);
    });

    // SP-initiated SSO, HTTP-Redirect: the query is read raw, because its signature covers the
    // bytes as sent (saml-bindings §3.4.4.1), not a re-encoding of parsed parameters.
    app.get("/idp/SSO.saml2", async (request, reply) => {
      const query = rawQuery(request);
      const outcome = await receiveAuthnRequest(
        context,
        source,
        decodeRedirect(query, bindingLimits),
        browserCookies(request),
      );
      return sendOutcome(reply, outcome, secure);
    });

    // SP-initiated SSO, HTTP-POST: Salesforce's cross-site POST (hence the SameSite=None cookie).
    app.post("/idp/SSO.saml2", async (request, reply) => {
      const body = formFields(request.body);
      const outcome = await receiveAuthnRequest(
        context,
        source,
        decodePost(body, bindingLimits),
        browserCookies(request),
      );
      return sendOutcome(reply, outcome, secure);
    });
  };
