import type { ErrorCode } from "../../lib/errors.ts";
import { type StatusCodeUri, type SubStatusCodeUri, statusCode, subStatusCode } from "../urn.ts";

/**
 * The status of a SAML error Response (saml-core §3.2.2.2), in the shape `buildErrorResponse`
 * (response/build-response.ts) takes.
 */
export type SamlStatus = {
  readonly code: StatusCodeUri;
  readonly subCode?: SubStatusCodeUri;
  /** Shown by some SPs; must not contain anything secret. */
  readonly message?: string;
};

const statuses: Partial<Record<ErrorCode, SamlStatus>> = {
  SAML_NAMEID_POLICY_UNSUPPORTED: {
    code: statusCode.requester,
    subCode: subStatusCode.invalidNameIdPolicy,
  },
  SAML_NO_PASSIVE: { code: statusCode.responder, subCode: subStatusCode.noPassive },
  SAML_AUTHN_FAILED: { code: statusCode.responder, subCode: subStatusCode.authnFailed },
  SAML_VERSION_UNSUPPORTED: { code: statusCode.versionMismatch },
  SAML_REQUEST_INVALID: { code: statusCode.requester, subCode: subStatusCode.requestUnsupported },
};

/**
 * The status to answer an AuthnRequest with once its ACS is trusted, for an error that happened
 * after that point: InvalidNameIDPolicy, NoPassive (IsPassive without a session), AuthnFailed.
 * Anything else is Responder/RequestDenied, which tells the SP no more than that we said no.
 */
export const samlErrorStatus = (code: ErrorCode): SamlStatus =>
  statuses[code] ?? { code: statusCode.responder, subCode: subStatusCode.requestDenied };
