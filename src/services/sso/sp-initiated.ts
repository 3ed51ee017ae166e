import type { AuthenticationSource } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import { readAuthnRequest } from "../../saml/authn-request/read-authn-request.ts";
import { replayExpiresAt, replayKey } from "../../saml/authn-request/replay.ts";
import { validateAuthnRequest } from "../../saml/authn-request/validate-authn-request.ts";
import type { DecodedMessage } from "../../saml/bindings/message.ts";
import { peekIssuer } from "../../saml/bindings/peek-issuer.ts";
import type { ServiceContext } from "../context.ts";
import { errorPost } from "./error-post.ts";
import {
  absoluteUrl,
  type BrowserCookies,
  completeSso,
  connectionForSso,
  continueOrSignIn,
  type SsoOutcome,
} from "./flow.ts";
import { issuableNameIdFormats } from "./name-id.ts";
import { resumeSession } from "./sessions.ts";
import { trustFor } from "./trust.ts";

const bindingName = { redirect: "REDIRECT", post: "POST" } as const;

/** The endpoint URLs a Destination may name. */
export const ssoEndpoints = (context: ServiceContext): string[] => [`${context.baseUrl}/idp/SSO.saml2`];

/**
 * `/idp/SSO.saml2`: an SP-initiated AuthnRequest, already decoded from its binding. The order
 * matters: find the connection by the (unverified) Issuer, verify with that connection's pinned
 * certificates, read only the verified message, validate, refuse replays — and only then trust
 * its ACS. Until that point every failure is an HTML page; after it, a SAML error Response.
 */
export const receiveAuthnRequest = async (
  context: ServiceContext,
  source: AuthenticationSource,
  decoded: DecodedMessage,
  browser: BrowserCookies,
): Promise<SsoOutcome> => {
  if (decoded.messageType !== "SAMLRequest") {
    throw new AppError("SAML_BINDING_INVALID", {
      message: "The SSO endpoint takes SAMLRequest, not SAMLResponse.",
    });
  }
  const peek = peekIssuer(decoded.xml);
  if (peek.messageName !== "AuthnRequest") {
    throw new AppError("SAML_REQUEST_INVALID", {
      message: `The SSO endpoint takes an AuthnRequest, not a ${peek.messageName}.`,
    });
  }
  const connection = await connectionForSso(context, peek.issuer, "SP_INITIATED_SSO");
  const sso = connection.spBrowserSso;
  if (!sso?.incomingBindings?.includes(bindingName[decoded.binding])) {
    throw new AppError("SAML_PROFILE_DISABLED", {
      message: `The connection "${connection.name}" does not accept the HTTP-${decoded.binding === "post" ? "POST" : "Redirect"} binding.`,
    });
  }
  const request = readAuthnRequest(decoded, trustFor(connection, sso.requireSignedAuthnRequests === true));
  const now = context.clock.now();
  const skewMs = context.sso.clockSkewSeconds * 1000;
  const decision = validateAuthnRequest(request, {
    now,
    skewMs,
    expectedDestinations: ssoEndpoints(context),
    acsEndpoints: sso.ssoServiceEndpoints.map((e) => ({
      binding: e.binding,
      url: absoluteUrl(connection, e.url),
      index: e.index,
      isDefault: e.isDefault === true,
    })),
    supportedNameIdFormats: issuableNameIdFormats(connection),
  });
  const fresh = await context.store.replayCache.remember(
    replayKey(request.issuer, request.id),
    replayExpiresAt(request.issueInstant, skewMs).toISOString(),
    now.toISOString(),
  );
  if (!fresh)
    throw new AppError("SAML_REPLAY", {
      message: "This AuthnRequest was already used; start again from the application.",
    });
  if (decision.outcome === "refuse") {
    return errorPost(context, connection, decision.acs.url, request.id, decoded.relayState, decision.error);
  }
  const pending = {
    connectionId: connection.id,
    acsUrl: decision.acs.url,
    requestId: request.id,
    relayState: decoded.relayState,
    requestedNameIdFormat: request.nameIdPolicy?.format,
    forceAuthn: request.forceAuthn,
  };
  if (request.isPassive) {
    // saml-core §3.4.1: IsPassive forbids any interaction; without a usable session, say NoPassive.
    const session = request.forceAuthn ? undefined : await resumeSession(context, browser.session);
    if (!session) {
      return errorPost(
        context,
        connection,
        decision.acs.url,
        request.id,
        decoded.relayState,
        new AppError("SAML_NO_PASSIVE"),
      );
    }
    return completeSso(context, source, pending, session, browser, connection);
  }
  return continueOrSignIn(context, source, pending, browser, connection);
};
