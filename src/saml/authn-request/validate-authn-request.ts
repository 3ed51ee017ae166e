import { AppError } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";
import { checkDestination, checkIssueInstant, DEFAULT_SKEW_MS } from "../bindings/message-checks.ts";
import type { AssertionConsumerService } from "../metadata/endpoints.ts";
import { binding, nameIdFormat } from "../urn.ts";
import { type SamlStatus, samlErrorStatus } from "./error-status.ts";
import type { AuthnRequest } from "./parse-authn-request.ts";

/**
 * Validation of a parsed AuthnRequest against the connection, in three phases. The split matters
 * because of where an error may be sent (DESIGN.md, issue 3 item 7): until the ACS is one of the
 * connection's own, nothing may go to a URL the request named, so the endpoint shows an HTML error
 * page; once it is, failures go back to that ACS as a SAML Response with a status.
 *
 * 1. `checkMessage` — Destination and IssueInstant: is this message for us, now?  → HTML page
 * 2. `resolveAcs`   — which of the connection's endpoints the Response goes to.   → HTML page
 * 3. `checkPolicy`  — can we honour what it asks (NameIDPolicy)?                  → SAML Response
 *
 * `validateAuthnRequest` runs the three: it THROWS for phases 1–2 and RETURNS a "refuse" decision
 * (with the trusted ACS and the status to send) for phase 3.
 */

/** Where the Response goes: one of the connection's AssertionConsumerServices, never the request's URL. */
export type TrustedAcs = {
  /** The connection's stored Location (equal to the request's URL when it named one). */
  readonly url: string;
  readonly index: number;
  /** Portico answers by HTTP-POST only. */
  readonly binding: "POST";
};

export type AuthnRequestChecks = {
  readonly now: Date;
  /** Tolerated clock difference in both directions; 3 minutes unless told. */
  readonly skewMs?: number;
  /** This endpoint's URLs (e.g. `${baseUrl}/idp/SSO.saml2`); Destination must be one of them. */
  readonly expectedDestinations: readonly string[];
  /** The connection's AssertionConsumerServices. */
  readonly acsEndpoints: readonly AssertionConsumerService[];
  /** NameID formats the connection can issue; `unspecified` is always acceptable. */
  readonly supportedNameIdFormats: readonly string[];
};

export type AuthnRequestDecision =
  | { readonly outcome: "accept"; readonly acs: TrustedAcs }
  | {
      readonly outcome: "refuse";
      readonly acs: TrustedAcs;
      /** Why, with its stable code (for logs and the audit trail). */
      readonly error: AppError;
      /** The status of the SAML error Response to POST to `acs`. */
      readonly status: SamlStatus;
    };

/** Phase 1. Throws SAML_DESTINATION_MISMATCH or SAML_REQUEST_EXPIRED. */
export const checkMessage = (
  request: AuthnRequest,
  options: Pick<AuthnRequestChecks, "now" | "skewMs" | "expectedDestinations">,
): void => {
  checkDestination(request.destination, options.expectedDestinations, request.isSigned);
  checkIssueInstant(request.issueInstant, options.now, options.skewMs ?? DEFAULT_SKEW_MS);
};

const acsUnknown = (message: string): AppError => new AppError("SAML_ACS_UNKNOWN", { message });

const trusted = (service: AssertionConsumerService): TrustedAcs => ({
  url: service.url,
  index: service.index,
  binding: "POST",
});

/**
 * Phase 2 (saml-profiles §4.1.4.1): the ACS named by AssertionConsumerServiceURL (exact string
 * match with one of the connection's HTTP-POST endpoints), else by AssertionConsumerServiceIndex,
 * else the connection's default HTTP-POST endpoint (the first one when the default uses another
 * binding). Throws SAML_ACS_UNKNOWN, or SAML_REQUEST_INVALID for a ProtocolBinding other than
 * HTTP-POST, the only one Portico answers with.
 */
export const resolveAcs = (
  request: AuthnRequest,
  acsEndpoints: readonly AssertionConsumerService[],
): TrustedAcs => {
  if (request.protocolBinding !== undefined && request.protocolBinding !== binding.httpPost) {
    throw new AppError("SAML_REQUEST_INVALID", {
      message: `ProtocolBinding ${JSON.stringify(snippet(request.protocolBinding, 100))} is not supported; Portico answers with HTTP-POST.`,
    });
  }
  const posts = acsEndpoints.filter((service) => service.binding === "POST");
  if (request.assertionConsumerServiceURL !== undefined) {
    const url = request.assertionConsumerServiceURL;
    const match = posts.find((service) => service.url === url);
    if (match === undefined) {
      throw acsUnknown(
        `AssertionConsumerServiceURL ${JSON.stringify(snippet(url, 200))} is not an HTTP-POST endpoint of the connection.`,
      );
    }
    return trusted(match);
  }
  if (request.assertionConsumerServiceIndex !== undefined) {
    const index = request.assertionConsumerServiceIndex;
    const match = acsEndpoints.find((service) => service.index === index);
    if (match === undefined || match.binding !== "POST") {
      throw acsUnknown(
        `AssertionConsumerServiceIndex ${index} is not an HTTP-POST endpoint of the connection.`,
      );
    }
    return trusted(match);
  }
  const fallback = posts.find((service) => service.isDefault) ?? posts[0];
  if (fallback === undefined) throw acsUnknown("The connection has no HTTP-POST AssertionConsumerService.");
  return trusted(fallback);
};

/**
 * Phase 3: what the request asks of the assertion. A NameIDPolicy Format must be `unspecified`
 * or one of `supportedNameIdFormats`; an SPNameQualifier other than the SP itself would ask for an
 * affiliation's identifier, which Portico does not issue (saml-core §3.4.1.1). Throws
 * SAML_NAMEID_POLICY_UNSUPPORTED.
 */
export const checkPolicy = (
  request: AuthnRequest,
  options: Pick<AuthnRequestChecks, "supportedNameIdFormats">,
): void => {
  const policy = request.nameIdPolicy;
  if (policy === undefined) return;
  const format = policy.format;
  if (
    format !== undefined &&
    format !== nameIdFormat.unspecified &&
    !options.supportedNameIdFormats.includes(format)
  ) {
    throw new AppError("SAML_NAMEID_POLICY_UNSUPPORTED", {
      message: `NameIDPolicy Format ${JSON.stringify(snippet(format, 120))} is not one this connection issues.`,
    });
  }
  if (policy.spNameQualifier !== undefined && policy.spNameQualifier !== request.issuer) {
    throw new AppError("SAML_NAMEID_POLICY_UNSUPPORTED", {
      message: "NameIDPolicy SPNameQualifier names another entity; affiliations are not supported.",
    });
  }
};

/**
 * The three phases in order. Throws (→ HTML error page) SAML_DESTINATION_MISMATCH,
 * SAML_REQUEST_EXPIRED, SAML_ACS_UNKNOWN, SAML_REQUEST_INVALID; returns `refuse` (→ SAML error
 * Response to `acs`) for SAML_NAMEID_POLICY_UNSUPPORTED; `accept` otherwise.
 */
export const validateAuthnRequest = (
  request: AuthnRequest,
  options: AuthnRequestChecks,
): AuthnRequestDecision => {
  checkMessage(request, options);
  const acs = resolveAcs(request, options.acsEndpoints);
  try {
    checkPolicy(request, options);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { outcome: "refuse", acs, error, status: samlErrorStatus(error.code) };
  }
  return { outcome: "accept", acs };
};
