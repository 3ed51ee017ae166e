import { AppError } from "../../lib/errors.ts";
import { checkDestination, checkIssueInstant, DEFAULT_SKEW_MS } from "../bindings/message-checks.ts";
import type { LogoutRequest, LogoutResponse } from "./parse-logout.ts";

export type LogoutChecks = {
  readonly now: Date;
  /** 3 minutes unless told. */
  readonly skewMs?: number;
  /** This endpoint's URLs (e.g. `${baseUrl}/idp/SLO.saml2`). */
  readonly expectedDestinations: readonly string[];
  /** Whether a signature was verified on the message (Destination is then required). */
  readonly isSigned: boolean;
};

/**
 * Destination, IssueInstant within the skew, and NotOnOrAfter not passed (saml-core §3.7.1).
 * Throws SAML_DESTINATION_MISMATCH or SAML_REQUEST_EXPIRED.
 */
export const validateLogoutRequest = (request: LogoutRequest, checks: LogoutChecks): void => {
  const skewMs = checks.skewMs ?? DEFAULT_SKEW_MS;
  checkDestination(request.destination, checks.expectedDestinations, checks.isSigned);
  checkIssueInstant(request.issueInstant, checks.now, skewMs);
  if (request.notOnOrAfter !== undefined && checks.now.getTime() >= request.notOnOrAfter.getTime() + skewMs) {
    throw new AppError("SAML_REQUEST_EXPIRED", {
      message: `The LogoutRequest expired at ${request.notOnOrAfter.toISOString()}.`,
    });
  }
};

/**
 * Destination, IssueInstant, and InResponseTo equal to the ID of the LogoutRequest Portico sent
 * (`expectedInResponseTo`, from the logout state the caller kept). Throws
 * SAML_DESTINATION_MISMATCH, SAML_REQUEST_EXPIRED or SAML_LOGOUT_INVALID.
 */
export const validateLogoutResponse = (
  response: LogoutResponse,
  checks: LogoutChecks & { readonly expectedInResponseTo: string },
): void => {
  checkDestination(response.destination, checks.expectedDestinations, checks.isSigned);
  checkIssueInstant(response.issueInstant, checks.now, checks.skewMs ?? DEFAULT_SKEW_MS);
  if (response.inResponseTo !== checks.expectedInResponseTo) {
    throw new AppError("SAML_LOGOUT_INVALID", {
      message: "The LogoutResponse does not answer the LogoutRequest that was sent.",
    });
  }
};
