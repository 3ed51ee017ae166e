import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { buildAuthnRequest, newAuthnRequestId, sendToIdp } from "./authn-request.ts";
import { INVALID_PAGE_REDIRECTION } from "./constants.ts";
import { decryptAssertion } from "./decrypt.ts";
import { deliver, html, notThisOrg, param, type SpContext } from "./http.ts";
import { JIT_ERROR_PATH, jitErrorUrl } from "./jit.ts";
import { messagePage, signedInPage, ssoErrorPage } from "./pages.ts";
import { newSessionId, sessionCookie } from "./sessions.ts";
import { type AcsEndpoint, communityAcs, findCommunity, isThisOrg, orgAcs } from "./urls.ts";
import { validateSamlResponse } from "./validate-response.ts";

/**
 * salesforce-api.md §5.2: RelayState is a relative Salesforce path; an external URL fails
 * with "Invalid Page Redirection". Same-origin absolute URLs are allowed.
 */
export function resolveRelayState(
  relayState: string | undefined,
  acs: AcsEndpoint,
): { redirectTo: string } | { error: string } {
  if (relayState === undefined || relayState === "")
    return { redirectTo: `${acs.base}${acs.defaultLanding}` };
  if (relayState.startsWith("/") && !relayState.startsWith("//") && !relayState.startsWith("/\\")) {
    return { redirectTo: `${acs.base}${relayState}` };
  }
  if (URL.canParse(relayState)) {
    const origin = new URL(acs.base).origin;
    return new URL(relayState).origin === origin
      ? { redirectTo: relayState }
      : { error: INVALID_PAGE_REDIRECTION };
  }
  return { error: INVALID_PAGE_REDIRECTION };
}

/** The login URLs (ACS) and SP-initiated login, for the org and each Experience Cloud site. */
export function registerLoginRoutes(app: FastifyInstance, ctx: SpContext): void {
  const { store } = ctx;

  async function consume(request: FastifyRequest, reply: FastifyReply, acs: AcsEndpoint) {
    const view = ctx.view();
    const relayState = param(request.body, "RelayState");
    const outcome = await validateSamlResponse(param(request.body, "SAMLResponse"), {
      settings: store.settings,
      acs,
      now: view.now(),
      issuedRequest: (id) => store.issuedRequest(id, "AuthnRequest"),
      hasSeenAssertion: (id) => store.hasSeenAssertion(id),
      findUser: (by, value) => view.findUser(by, value),
      ...(view.provision !== undefined ? { provision: view.provision } : {}),
      decryptAssertion: async (encrypted) => decryptAssertion(encrypted, (await ctx.keys()).privateKeyPem),
    });
    if (outcome.verifiedAssertionId !== undefined) store.rememberAssertion(outcome.verifiedAssertionId);
    const result = { ...outcome.result, ...(relayState !== undefined ? { relayState } : {}) };
    const login = outcome.login;
    if (!login) {
      store.recordValidation(result);
      // Salesforce Help, "Just-in-Time Provisioning Errors": the error goes back to the browser
      // in the URL parameters of the JIT error page.
      if (result.jitError !== undefined) return reply.redirect(jitErrorUrl(acs.base, result.jitError), 302);
      const failure = result.checks.find((c) => !c.ok);
      return html(reply, 403, ssoErrorPage(result.status, failure?.detail ?? ""));
    }
    if (login.inResponseTo !== undefined) store.consumeRequest(login.inResponseTo);
    const redirect = resolveRelayState(relayState, acs);
    store.recordValidation({
      ...result,
      ...("redirectTo" in redirect ? { redirectTo: redirect.redirectTo } : { redirectError: redirect.error }),
    });
    const sessionId = newSessionId(view.orgId);
    store.addSession({
      id: sessionId,
      userId: login.user.Id,
      username: login.user.Username,
      nameId: login.nameId,
      ...(login.sessionIndex !== undefined ? { sessionIndex: login.sessionIndex } : {}),
      issuer: store.settings?.issuer ?? "",
      acsUrl: acs.url,
      createdAt: view.now().toISOString(),
    });
    reply.header("set-cookie", sessionCookie(sessionId));
    return html(
      reply,
      200,
      signedInPage({
        username: login.user.Username,
        userId: login.user.Id,
        orgId: view.orgId,
        ...(relayState !== undefined ? { relayState } : {}),
        ...("redirectTo" in redirect
          ? { redirectTo: redirect.redirectTo }
          : { redirectError: redirect.error }),
      }),
    );
  }

  app.post("/", async (request, reply) => {
    const view = ctx.view();
    if (!isThisOrg(param(request.query, "so"), view)) return notThisOrg(reply);
    return consume(request, reply, orgAcs(view));
  });
  app.post("/:prefix/login", async (request, reply) => {
    const view = ctx.view();
    const community = findCommunity(view, param(request.params, "prefix") ?? "");
    const sc = param(request.query, "sc");
    if (
      !community ||
      !isThisOrg(param(request.query, "so"), view) ||
      (sc !== undefined && sc !== community.siteId)
    ) {
      return notThisOrg(reply);
    }
    return consume(request, reply, communityAcs(view, community));
  });

  // The page Salesforce redirects to on a JIT failure, at the org and at each site.
  const jitErrorPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const q = (name: string) => param(request.query, name) ?? "";
    return html(
      reply,
      200,
      messagePage(
        "Just-in-Time Provisioning Error",
        `Error ${q("ErrorCode")}: ${q("ErrorDescription")} (${q("ErrorDetails")})`,
      ),
    );
  };
  app.get(JIT_ERROR_PATH, jitErrorPage);
  app.get(`/:prefix${JIT_ERROR_PATH}`, jitErrorPage);

  // ---- SP-initiated login ---------------------------------------------------------------------
  async function startLogin(request: FastifyRequest, reply: FastifyReply, acs: AcsEndpoint) {
    const settings = store.settings;
    const idpLoginUrl = settings?.idpLoginUrl;
    if (!settings || idpLoginUrl === undefined) {
      return html(
        reply,
        400,
        messagePage(
          "Configuration Error/Perm Disabled",
          "SAML is not configured with an Identity Provider Login URL.",
        ),
      );
    }
    const view = ctx.view();
    const keys = await ctx.keys();
    const now = view.now();
    const id = newAuthnRequestId(view.orgId, now);
    const relayState = param(request.query, "startURL");
    store.issue({
      id,
      kind: "AuthnRequest",
      acsUrl: acs.url,
      destination: idpLoginUrl,
      binding: settings.requestBinding,
      issuedAt: now.toISOString(),
      ...(relayState !== undefined ? { relayState } : {}),
    });
    const xml = buildAuthnRequest({
      id,
      issueInstant: now,
      settings: { ...settings, idpLoginUrl },
      acsUrl: acs.url,
    });
    return deliver(
      reply,
      sendToIdp({
        xml,
        rootLocalName: "AuthnRequest",
        param: "SAMLRequest",
        destination: idpLoginUrl,
        binding: settings.requestBinding,
        ...(relayState !== undefined ? { relayState } : {}),
        settings,
        keys,
      }),
    );
  }

  app.get("/saml/login", async (request, reply) => {
    const view = ctx.view();
    if (!isThisOrg(param(request.query, "so"), view)) return notThisOrg(reply);
    return startLogin(request, reply, orgAcs(view));
  });
  app.get("/:prefix/saml/login", async (request, reply) => {
    const view = ctx.view();
    const community = findCommunity(view, param(request.params, "prefix") ?? "");
    if (!community || !isThisOrg(param(request.query, "so"), view)) return notThisOrg(reply);
    return startLogin(request, reply, communityAcs(view, community));
  });
}
