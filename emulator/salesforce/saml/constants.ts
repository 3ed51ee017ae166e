/** SAML and XML-DSig names the service provider reads and writes. */
export const NS = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
  xenc: "http://www.w3.org/2001/04/xmlenc#",
} as const;

export const URN = {
  success: "urn:oasis:names:tc:SAML:2.0:status:Success",
  bearer: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
  entityFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
  unspecifiedNameId: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
  postBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
  redirectBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
} as const;

export const ALGORITHM = {
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  c14n: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
  enveloped: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
} as const;

/**
 * Status names as Salesforce shows them in Login History (salesforce-api.md §5.5, and
 * Salesforce's "SAML Login Errors" help page). Three are the emulator's own choice because
 * Salesforce does not document a name for them: `InResponseTo Invalid`, and the validator's
 * wording for an unknown subject, which the SAML Assertion Validator prints verbatim.
 * `User is Inactive` and `User Is Frozen` are the values LoginHistory.Status carries for
 * ordinary logins (capitalisation as observed).
 */
export const LOGIN_STATUS = {
  success: "Success",
  assertionExpired: "Assertion Expired",
  assertionInvalid: "Assertion Invalid",
  audienceInvalid: "Audience Invalid",
  configurationError: "Configuration Error/Perm Disabled",
  issuerMismatched: "Issuer Mismatched",
  recipientMismatched: "Recipient Mismatched",
  replayDetected: "Replay Detected",
  signatureInvalid: "Signature Invalid",
  subjectConfirmationError: "Subject Confirmation Error",
  inResponseToInvalid: "InResponseTo Invalid",
  unmappedSubject: "Unable to map the subject to a Salesforce user",
  userInactive: "User is Inactive",
  userFrozen: "User Is Frozen",
  // A JIT failure shows in Login History as "Failed: SAML Provision Error" (as observed and
  // reported; the error itself goes to the browser as JIT error parameters).
  jitProvisionError: "SAML Provision Error",
} as const;

export type LoginStatus = (typeof LOGIN_STATUS)[keyof typeof LOGIN_STATUS];

/** Shown (not recorded as a failed login) when RelayState points outside the org. */
export const INVALID_PAGE_REDIRECTION = "Invalid Page Redirection";

// salesforce-api.md §5.5 item 6: about 3 minutes of clock skew, and an assertion no more than
// about 5 minutes old. Both are [U] there, so they live here as named constants.
export const CLOCK_SKEW_MS = 3 * 60 * 1000;
export const MAX_ASSERTION_AGE_MS = 5 * 60 * 1000;

/** Bounds on what the emulator remembers, so a long benchmark cannot grow it without limit. */
export const LIMITS = {
  validations: 200,
  issuedRequests: 1000,
  seenAssertions: 10_000,
  logoutEvents: 200,
  samlMessageBytes: 512 * 1024,
} as const;
