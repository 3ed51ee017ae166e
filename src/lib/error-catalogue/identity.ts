import type { ErrorSpec } from "./spec.ts";

/** Codes of the identity provider: XML, SAML metadata and messages, the directory, sign-in. Part of `errorCatalogue` (src/lib/errors.ts). */
export const identityErrors = {
  // XML and SAML
  XML_TOO_LARGE: { status: 413, message: "The XML document is too large." },
  XML_MALFORMED: { status: 400, message: "The XML document is not well-formed." },
  XML_DOCTYPE_FORBIDDEN: {
    status: 400,
    message: "XML with a DOCTYPE or entity declarations is refused.",
  },
  XML_MULTIPLE_ROOTS: { status: 400, message: "The XML document has more than one root element." },
  XML_TOO_DEEP: { status: 400, message: "The XML document is nested too deeply." },
  XML_INVALID_CHARACTER: {
    status: 400,
    message: "A value contains a character that XML 1.0 cannot carry.",
  },
  SAML_METADATA_INVALID: { status: 422, message: "The SAML metadata is not usable." },
  SAML_METADATA_NO_SP: {
    status: 422,
    message: "The metadata has no SPSSODescriptor for SAML 2.0.",
  },
  SAML_METADATA_NO_ACS: {
    status: 422,
    message: "The metadata has no AssertionConsumerService.",
  },
  SAML_METADATA_BAD_CERT: {
    status: 422,
    message: "A certificate in the metadata could not be parsed.",
  },
  SAML_METADATA_BASE64: { status: 400, message: "samlMetadata is not valid base64." },

  // SAML protocol messages (SSO and SLO endpoints)
  SAML_MESSAGE_INVALID: {
    status: 400,
    message: "The SAML message could not be decoded (base64, DEFLATE or a missing parameter).",
  },
  SAML_BINDING_INVALID: {
    status: 400,
    message: "The binding's parameters are invalid (repeated, conflicting or out of place).",
  },
  SAML_REQUEST_INVALID: { status: 400, message: "The SAML request is not a valid SAML 2.0 message." },
  SAML_VERSION_UNSUPPORTED: { status: 400, message: "Only SAML 2.0 messages are accepted." },
  SAML_SP_UNKNOWN: { status: 400, message: "No SP connection has the request's Issuer as its entity ID." },
  SAML_SP_INACTIVE: { status: 403, message: "The SP connection is not active." },
  SAML_PROFILE_DISABLED: {
    status: 403,
    message: "The connection does not allow this SAML profile or binding.",
  },
  SAML_SIGNATURE_REQUIRED: {
    status: 400,
    message: "The connection requires signed requests; this one is not signed.",
  },
  SAML_SIGNATURE_INVALID: {
    status: 400,
    message: "The signature does not verify with the connection's certificate.",
  },
  SAML_SIGNATURE_WRAPPING: {
    status: 400,
    message: "The signature does not cover the message it came with (a wrapping attack?).",
  },
  SAML_ALGORITHM_NOT_ALLOWED: { status: 400, message: "The signature or digest algorithm is not allowed." },
  SAML_DUPLICATE_ID: { status: 400, message: "Two elements of the message carry the same ID." },
  SAML_DESTINATION_MISMATCH: { status: 400, message: "The message's Destination is not this endpoint." },
  SAML_REQUEST_EXPIRED: {
    status: 400,
    message: "The message's IssueInstant is outside the allowed clock skew.",
  },
  SAML_REPLAY: { status: 400, message: "This request ID was already used." },
  SAML_ACS_UNKNOWN: {
    status: 400,
    message: "The requested AssertionConsumerService is not one of the connection's.",
  },
  SAML_NAMEID_POLICY_UNSUPPORTED: {
    status: 400,
    message: "The requested NameIDPolicy format cannot be honoured.",
  },
  SAML_NO_PASSIVE: {
    status: 400,
    message: "The SP asked for passive authentication and there is no session.",
  },
  SAML_AUTHN_FAILED: { status: 401, message: "The user could not be authenticated." },
  SAML_SUBJECT_MISSING: {
    status: 422,
    message: "The user has no value for the connection's SAML_SUBJECT (the NameID).",
  },
  SAML_LOGOUT_INVALID: { status: 400, message: "The logout message is not valid." },
  SAML_SIGNING_FAILED: { status: 500, message: "The SAML message could not be signed." },
  SAML_ENCRYPTION_FAILED: { status: 500, message: "The assertion could not be encrypted." },

  // Password credential validators and the sign-in form's adapter
  PCV_NOT_FOUND: { status: 404, message: "No such password credential validator." },
  PCV_INVALID: { status: 422, message: "The password credential validator is invalid." },
  PCV_ID_TAKEN: { status: 409, message: "Another password credential validator already has that id." },
  PCV_IN_USE: {
    status: 409,
    message: "The sign-in form lists this password credential validator; remove it from the list first.",
  },
  ADAPTER_NOT_FOUND: { status: 404, message: "No such IdP adapter; Portico has one, htmlform." },
  ADAPTER_INVALID: { status: 422, message: "The adapter's configuration is invalid." },

  // Built-in directory
  DIR_USER_NOT_FOUND: { status: 404, message: "No such user in the directory." },
  DIR_USER_EXISTS: { status: 409, message: "A user with that uid already exists." },
  DIR_GROUP_NOT_FOUND: { status: 404, message: "No such group in the directory." },
  DIR_GROUP_EXISTS: { status: 409, message: "A group with that cn already exists." },
  DIR_INVALID: { status: 422, message: "The directory entry is invalid." },
  DIR_CSV_INVALID: { status: 422, message: "The CSV file could not be imported." },

  // Sign-in at the identity provider and SSO sessions
  LOGIN_ACCOUNT_UNUSABLE: {
    status: 403,
    message:
      "Your account cannot sign in right now (it may be locked, expired or need a new password); contact your administrator.",
  },
  LOGIN_INVALID_CREDENTIALS: { status: 401, message: "The username or password is incorrect." },
  LOGIN_THROTTLED: {
    status: 429,
    message: "Too many failed sign-in attempts; wait a few minutes and try again.",
    retryable: true,
  },
  LOGIN_EXPIRED: {
    status: 400,
    message: "This sign-in page has expired; go back to the application and start again.",
  },
  LOGIN_FORM_FOREIGN: {
    status: 403,
    message: "This sign-in page was not opened in this browser; go back to the application and start again.",
  },
  LOGIN_CROSS_SITE: {
    status: 403,
    message: "The sign-in form was posted from another site; sign in on this site's own page.",
  },
  SSO_SESSION_NOT_FOUND: { status: 404, message: "There is no SSO session." },
} as const satisfies Record<string, ErrorSpec>;
