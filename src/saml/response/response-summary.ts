import type { ParseXmlOptions } from "../../xml/parse.ts";
import type { SignatureSummary } from "./verify-response-signature.ts";

/** The summaries `inspectResponse` reads out of a SAML Response, and what the SP expects. */

/** What the SP expects, taken from the stored connection. */
export type ExpectedResponse = {
  /** The IdP's entity ID as the SP knows it (Salesforce's "Issuer" field). */
  readonly issuer: string;
  /** The SP's entity ID. */
  readonly audience: string;
  /** The ACS URL (SubjectConfirmationData@Recipient). */
  readonly recipient: string;
  /** The ACS URL again (Response@Destination). */
  readonly destination: string;
  /** The AuthnRequest's ID; absent for an unsolicited (IdP-initiated) Response. */
  readonly inResponseTo?: string | undefined;
};

export type InspectResponseOptions = {
  /** The certificates the SP verifies with (PEM); never the one in KeyInfo. */
  readonly idpCertificatesPem: readonly string[];
  readonly expected: ExpectedResponse;
  /** The instant the SP receives the Response. */
  readonly now: Date;
  /** Clock skew the SP allows, in milliseconds (Salesforce: about 3 minutes). */
  readonly skewMs: number;
  readonly xmlLimits?: ParseXmlOptions;
};

export type SubjectConfirmationSummary = {
  readonly method: string | null;
  readonly recipient: string | null;
  readonly notBefore: string | null;
  readonly notOnOrAfter: string | null;
  readonly inResponseTo: string | null;
};

export type AttributeSummary = {
  readonly name: string;
  readonly nameFormat: string | null;
  readonly values: readonly string[];
};

/** The assertion; for an EncryptedAssertion only `encrypted` is known. Times as written. */
export type AssertionSummary = {
  readonly encrypted: boolean;
  readonly id: string | null;
  readonly issueInstant: string | null;
  readonly issuer: string | null;
  readonly nameId: string | null;
  readonly nameIdFormat: string | null;
  readonly subjectConfirmation: SubjectConfirmationSummary | null;
  readonly notBefore: string | null;
  readonly notOnOrAfter: string | null;
  readonly audiences: readonly string[];
  readonly authnInstant: string | null;
  readonly sessionIndex: string | null;
  readonly authnContextClassRef: string | null;
  readonly attributes: readonly AttributeSummary[];
};

export type ResponseSummary = {
  readonly id: string | null;
  readonly issueInstant: string | null;
  readonly destination: string | null;
  readonly inResponseTo: string | null;
  readonly issuer: string | null;
  /** The Response Issuer's Format attribute, when it has one. */
  readonly issuerFormat: string | null;
  readonly status: string | null;
  readonly statusMessage: string | null;
  readonly signatures: readonly SignatureSummary[];
  /** Assertions and EncryptedAssertions in the Response; Salesforce wants exactly one. */
  readonly assertionCount: number;
  readonly assertion: AssertionSummary | null;
};
