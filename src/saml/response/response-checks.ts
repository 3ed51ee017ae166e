import { parseDateTime } from "../bindings/message-fields.ts";
import { signatureAlgorithmByUri } from "../signing/algorithms.ts";
import { confirmationMethod, nameIdFormat, signatureAlgorithm, statusCode } from "../urn.ts";
import type { AssertionSummary, ResponseSummary } from "./response-summary.ts";
import type { SignatureSummary } from "./verify-response-signature.ts";

/**
 * The checks of the inspector, one function each, named as Salesforce's SAML Assertion Validator
 * thinks of them and worded with the Login History status an admin would see
 * (salesforce-api.md §5.5). They read only the summary, which the inspector took from signed
 * bytes whenever a signature verified.
 */

/** The checks, in the order they are reported. */
export const responseCheckNames = [
  "Status",
  "Signature",
  "Issuer",
  "Destination",
  "InResponseTo",
  "Assertion",
  "Audience",
  "Recipient",
  "Subject",
  "Subject confirmation",
  "Validity window",
] as const;
export type ResponseCheckName = (typeof responseCheckNames)[number];

export type ResponseCheck = {
  readonly name: string;
  readonly ok: boolean;
  /** A sentence a Salesforce admin understands. */
  readonly detail: string;
  /** Something that passes but deserves attention; null when nothing does. */
  readonly warning: string | null;
};

/** When the SP reads the Response, and how much clock skew it forgives (milliseconds). */
export type CheckClock = { readonly now: Date; readonly skewMs: number };

/** Salesforce refuses assertions issued more than about 5 minutes ago (salesforce-api.md §5.5 item 6). */
export const salesforceFreshnessMs = 5 * 60_000;

const check = (
  name: ResponseCheckName,
  ok: boolean,
  detail: string,
  warning: string | null = null,
): ResponseCheck => ({ name, ok, detail, warning });

const quoted = (value: string): string => `“${value}”`;

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

const algorithmName = (uri: string | null): string => {
  const known = uri === null ? undefined : signatureAlgorithmByUri(uri);
  if (known === undefined) return uri ?? "an unnamed algorithm";
  return `${known.keyAlgorithm === "EC" ? "ECDSA" : "RSA"}-${known.hash.toUpperCase()}`;
};

export const signatureCheck = (
  signatures: readonly SignatureSummary[],
  assertion: AssertionSummary | null,
): ResponseCheck => {
  const failedOnes = signatures.filter((s) => !s.verified);
  if (failedOnes.length > 0) {
    const problems = [...new Set(failedOnes.map((s) => s.problem ?? "for an unknown reason"))];
    const reasons =
      failedOnes.length > 1 && problems.length === 1
        ? [`the Response's and the Assertion's signatures fail: ${problems[0] ?? ""}`]
        : failedOnes.map((s) => `the ${s.on}'s signature fails: ${s.problem ?? "for an unknown reason"}`);
    return check(
      "Signature",
      false,
      `${capitalized(reasons.join("; "))}. Salesforce would show “Signature Invalid”.`,
    );
  }
  const sha1 = signatures.some((s) => s.algorithm === signatureAlgorithm.rsaSha1)
    ? "SHA-1 is weak: choose SHA256withRSA unless the SP cannot verify it."
    : null;
  if (signatures.length === 0) {
    if (assertion?.encrypted === true) {
      return check(
        "Signature",
        true,
        "The Response is not signed and the assertion's own signature, if any, is inside the encryption, so Portico cannot check it.",
        "Salesforce needs the Response or the Assertion signed; sign the Response too so that this test can check a signature.",
      );
    }
    return check(
      "Signature",
      false,
      "Neither the Response nor the Assertion is signed; Salesforce needs one of them signed with the Identity Provider Certificate.",
    );
  }
  const thumbprints = [...new Set(signatures.map((s) => s.certificateSha256 ?? ""))].join(", ");
  const algorithms = [...new Set(signatures.map((s) => algorithmName(s.algorithm)))].join(", ");
  const signed =
    signatures.length > 1
      ? `The Response and the Assertion are signed (${algorithms}) and both signatures verify`
      : `The ${signatures[0]?.on ?? "Response"} is signed (${algorithms}) and the signature verifies`;
  return check(
    "Signature",
    true,
    `${signed} with the connection's signing certificate (SHA-256 thumbprint ${thumbprints}); Salesforce's Identity Provider Certificate must be this certificate.`,
    sha1,
  );
};

export const issuerCheck = (summary: ResponseSummary, expected: string): ResponseCheck => {
  const issuers = [
    { on: "Response", value: summary.issuer },
    ...(summary.assertion && !summary.assertion.encrypted
      ? [{ on: "Assertion", value: summary.assertion.issuer }]
      : []),
  ];
  const wrong = issuers.filter((i) => i.value !== expected);
  if (wrong.length > 0) {
    const said = wrong.map(
      (i) => `the ${i.on}'s Issuer is ${i.value === null ? "missing" : quoted(i.value)}`,
    );
    return check(
      "Issuer",
      false,
      `${capitalized(said.join(" and "))}, not ${quoted(expected)}; Salesforce would show “Issuer Mismatched”.`,
    );
  }
  const format = summary.issuerFormat;
  if (format !== null && format !== nameIdFormat.entity) {
    return check(
      "Issuer",
      false,
      `The Issuer's Format is ${format}; Salesforce accepts only ${nameIdFormat.entity}.`,
    );
  }
  return check(
    "Issuer",
    true,
    `The Issuer is ${quoted(expected)}; the Issuer field of Salesforce's Single Sign-On Settings must be exactly this value.`,
  );
};

export const destinationCheck = (summary: ResponseSummary, expected: string): ResponseCheck =>
  summary.destination === expected
    ? check("Destination", true, `The Response is addressed to the ACS URL ${expected}.`)
    : check(
        "Destination",
        false,
        `The Response's Destination is ${summary.destination === null ? "missing" : quoted(summary.destination)}, not the ACS URL ${expected}; a signed Response must name the URL it is posted to.`,
      );

export const inResponseToCheck = (summary: ResponseSummary, expected: string | undefined): ResponseCheck => {
  const actual = summary.inResponseTo;
  const confirmed = summary.assertion?.subjectConfirmation?.inResponseTo ?? null;
  if (expected === undefined) {
    return actual === null && confirmed === null
      ? check(
          "InResponseTo",
          true,
          "Unsolicited (IdP-initiated) Response: no InResponseTo, which Salesforce accepts.",
        )
      : check(
          "InResponseTo",
          false,
          "The Response answers a request (InResponseTo) that the SP never sent; an IdP-initiated Response must not carry one.",
        );
  }
  const ok = actual === expected && (summary.assertion?.encrypted === true || confirmed === expected);
  return ok
    ? check("InResponseTo", true, `The Response answers the SP's AuthnRequest ${expected}.`)
    : check(
        "InResponseTo",
        false,
        `InResponseTo must be the AuthnRequest's ID ${quoted(expected)} on the Response and in SubjectConfirmationData.`,
      );
};

export const assertionCheck = (summary: ResponseSummary): ResponseCheck => {
  if (summary.assertionCount === 0) {
    return check(
      "Assertion",
      false,
      "The Response carries no assertion; Salesforce would show “Assertion Invalid”.",
    );
  }
  if (summary.assertionCount > 1) {
    return check(
      "Assertion",
      false,
      `The Response carries ${summary.assertionCount} assertions; Salesforce expects exactly one.`,
    );
  }
  if (summary.assertion?.encrypted === true) {
    return check(
      "Assertion",
      true,
      "The assertion is encrypted for the SP (EncryptedAssertion); Salesforce decrypts it with its Assertion Decryption Certificate.",
      "Portico cannot read an assertion encrypted for the SP without the SP's private key, so Audience, Recipient, Subject, Subject confirmation and Validity window were not checked.",
    );
  }
  return check("Assertion", true, "The Response carries one assertion, in the clear.");
};

export const audienceCheck = (assertion: AssertionSummary, expected: string): ResponseCheck => {
  if (assertion.audiences.includes(expected)) {
    return check(
      "Audience",
      true,
      `The assertion is for ${quoted(expected)}, the connection's entity ID; Salesforce's Entity ID must be exactly this value.`,
    );
  }
  const seen =
    assertion.audiences.length === 0
      ? "names no audience"
      : `is for ${assertion.audiences.map(quoted).join(", ")}`;
  return check(
    "Audience",
    false,
    `The assertion ${seen}, not ${quoted(expected)}; Salesforce would show “Audience Invalid”.`,
  );
};

export const recipientCheck = (assertion: AssertionSummary, expected: string): ResponseCheck => {
  const recipient = assertion.subjectConfirmation?.recipient ?? null;
  return recipient === expected
    ? check(
        "Recipient",
        true,
        `The Recipient is the ACS URL ${expected}, Salesforce's Login URL for this configuration.`,
      )
    : check(
        "Recipient",
        false,
        `The Recipient is ${recipient === null ? "missing" : quoted(recipient)}, not the ACS URL ${expected}; Salesforce would show “Recipient Mismatched”.`,
      );
};

// Formats Salesforce offers for the identity (salesforce-api.md §5.1, §5.5 item 8).
const salesforceFormats: ReadonlySet<string> = new Set([
  nameIdFormat.unspecified,
  nameIdFormat.emailAddress,
  nameIdFormat.persistent,
]);

export const subjectCheck = (assertion: AssertionSummary): ResponseCheck => {
  const value = assertion.nameId;
  if (value === null || value.trim() === "") {
    return check(
      "Subject",
      false,
      `The assertion's Subject has ${value === null ? "no NameID" : "an empty NameID"}; Salesforce would say “Unable to map the subject to a Salesforce user”.`,
    );
  }
  const format = assertion.nameIdFormat ?? nameIdFormat.unspecified;
  const warnings = [
    value !== value.trim() ? "The NameID has spaces around it, and Salesforce compares it exactly." : "",
    salesforceFormats.has(format)
      ? ""
      : `Salesforce expects the unspecified, emailAddress or persistent format, not ${format}.`,
    format === nameIdFormat.emailAddress && !/^[^@\s]+@[^@\s]+$/.test(value)
      ? "The format says emailAddress but the value is not an email address."
      : "",
  ].filter((w) => w !== "");
  return check(
    "Subject",
    true,
    `The NameID is ${quoted(value)} (format ${format}); a Salesforce user must have this value as Federation ID or Username, as the SAML Identity Type says.`,
    warnings.length === 0 ? null : warnings.join(" "),
  );
};

const instant = (text: string | null): Date | undefined => (text === null ? undefined : parseDateTime(text));

const minutes = (ms: number): string => {
  const value = Math.round((ms / 60_000) * 10) / 10;
  return `${value} minute${value === 1 ? "" : "s"}`;
};

export const subjectConfirmationCheck = (assertion: AssertionSummary, clock: CheckClock): ResponseCheck => {
  const confirmation = assertion.subjectConfirmation;
  if (confirmation === null) {
    return check(
      "Subject confirmation",
      false,
      "The Subject has no SubjectConfirmation; Salesforce would show “Subject Confirmation Error”.",
    );
  }
  if (confirmation.method !== confirmationMethod.bearer) {
    return check(
      "Subject confirmation",
      false,
      `The confirmation method is ${confirmation.method ?? "missing"}, not bearer (${confirmationMethod.bearer}), the only one browser SSO uses.`,
    );
  }
  if (confirmation.notBefore !== null) {
    return check(
      "Subject confirmation",
      false,
      "SubjectConfirmationData carries NotBefore, which the SAML bearer profile forbids (saml-profiles §4.1.4.2).",
    );
  }
  const notOnOrAfter = instant(confirmation.notOnOrAfter);
  if (notOnOrAfter === undefined) {
    return check(
      "Subject confirmation",
      false,
      "SubjectConfirmationData has no valid NotOnOrAfter; Salesforce needs one in the future.",
    );
  }
  if (clock.now.getTime() - clock.skewMs >= notOnOrAfter.getTime()) {
    return check(
      "Subject confirmation",
      false,
      `The bearer confirmation expired at ${confirmation.notOnOrAfter ?? ""}; it is now ${clock.now.toISOString()}.`,
    );
  }
  return check(
    "Subject confirmation",
    true,
    `Bearer confirmation, usable until ${confirmation.notOnOrAfter ?? ""}, with no NotBefore.`,
  );
};

export const validityCheck = (assertion: AssertionSummary, clock: CheckClock): ResponseCheck => {
  const now = clock.now.getTime();
  const skew = clock.skewMs;
  const notBefore = instant(assertion.notBefore);
  const notOnOrAfter = instant(assertion.notOnOrAfter);
  const issued = instant(assertion.issueInstant);
  if (notOnOrAfter === undefined || issued === undefined) {
    return check(
      "Validity window",
      false,
      "The assertion lacks a valid IssueInstant or Conditions NotOnOrAfter; Salesforce needs both to judge its age.",
    );
  }
  const window = `${assertion.notBefore ?? "(no NotBefore)"} to ${assertion.notOnOrAfter ?? ""}`;
  const clocks = `Portico's clock says ${clock.now.toISOString()} (allowing ${minutes(skew)} of clock skew)`;
  if (notBefore !== undefined && now + skew < notBefore.getTime()) {
    return check(
      "Validity window",
      false,
      `The assertion is not valid yet: it is valid ${window}, and ${clocks}. Check that both servers' clocks are synchronized (NTP).`,
    );
  }
  if (now - skew >= notOnOrAfter.getTime()) {
    return check(
      "Validity window",
      false,
      `The assertion has expired: it was valid ${window}, and ${clocks}. Salesforce would show “Assertion Expired”.`,
    );
  }
  if (now - skew - issued.getTime() > salesforceFreshnessMs) {
    return check(
      "Validity window",
      false,
      `The assertion was issued at ${assertion.issueInstant ?? ""}, more than 5 minutes ago; Salesforce would show “Assertion Expired”.`,
    );
  }
  const lifetime = notOnOrAfter.getTime() - issued.getTime();
  return check(
    "Validity window",
    true,
    `The assertion is valid ${window}, and ${clocks}.`,
    lifetime > salesforceFreshnessMs
      ? `It stays valid for ${minutes(lifetime)} after it is issued, but Salesforce refuses assertions older than about 5 minutes, so the extra time is never used; an assertion lifetime of 5 minutes after is enough.`
      : null,
  );
};

export const statusCheck = (summary: ResponseSummary): ResponseCheck =>
  summary.status === statusCode.success
    ? check("Status", true, "The status is Success.")
    : check(
        "Status",
        false,
        `The status is ${summary.status ?? "missing"}${summary.statusMessage === null ? "" : ` (${quoted(summary.statusMessage)})`}, not Success; Salesforce signs no one in with it.`,
      );
