import { AppError } from "../../lib/errors.ts";
import { buildDocument, el, serialize, type XmlChild, type XmlElement } from "../../xml/build.ts";
import { onlyChild, rootElement } from "../../xml/select.ts";
import { type EncryptionInput, encryptAssertion } from "../encryption/encrypt-assertion.ts";
import type { SigningAlgorithm } from "../signing/algorithms.ts";
import { signElement } from "../signing/sign-xml.ts";
import { signingCredentials } from "../signing/signing-key.ts";
import {
  attrnameFormat,
  authnContextClass,
  confirmationMethod,
  nameIdFormat,
  ns,
  statusCode,
} from "../urn.ts";
import { plusMinutes, samlInstant } from "./saml-time.ts";

export type { EncryptionInput } from "../encryption/encrypt-assertion.ts";

/** One `<saml:Attribute>` of the AttributeStatement. */
export type AssertionAttribute = {
  readonly name: string;
  /** saml-core §8.2; `basic` unless told. */
  readonly nameFormat?: string;
  readonly values: readonly string[];
};

/** Everything a successful Response says, all of it decided by the caller. */
export type ResponseInput = {
  /** The IdP's entity ID (or the connection's virtual entity ID). */
  readonly issuer: string;
  /** The ACS URL the Response is posted to. */
  readonly destination: string;
  /** The AuthnRequest's ID; absent for IdP-initiated SSO. */
  readonly inResponseTo?: string;
  /** The SP's entity ID. */
  readonly audience: string;
  /** The ACS URL again, for SubjectConfirmationData (saml-profiles §4.1.4.2). */
  readonly recipient: string;
  readonly nameId: { readonly value: string; readonly format: string; readonly spNameQualifier?: string };
  readonly sessionIndex: string;
  readonly authnInstant: Date;
  /** PasswordProtectedTransport unless told. */
  readonly authnContextClassRef?: string;
  readonly attributes: readonly AssertionAttribute[];
  /** The connection's assertion lifetime around `now`. */
  readonly lifetime: { readonly minutesBefore: number; readonly minutesAfter: number };
  readonly now: Date;
  readonly responseId: string;
  readonly assertionId: string;
  readonly sessionNotOnOrAfter?: Date;
};

/** The key and the connection's signing choices. */
export type SigningInput = {
  /** Unencrypted PEM (PKCS#8, PKCS#1 or SEC1). */
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly algorithm: SigningAlgorithm;
  readonly includeCertInSignature: boolean;
  readonly includeRawKeyInSignature: boolean;
  /** Sign the Response (Salesforce's default, PingFederate's `signResponseAsRequired`). */
  readonly signResponse: boolean;
  /** Sign the Assertion (PingFederate's `signAssertions`). */
  readonly signAssertion: boolean;
};

/** What a Response that reports a failure says (saml-core §3.2.2). */
export type ErrorResponseInput = {
  readonly issuer: string;
  readonly destination: string;
  readonly inResponseTo?: string;
  readonly now: Date;
  readonly responseId: string;
  readonly status: {
    /** A top-level code, `statusCode.requester` or `statusCode.responder` usually. */
    readonly code: string;
    /** A second-level code such as `subStatusCode.noPassive`. */
    readonly subCode?: string;
    /** Shown by some SPs; must not contain anything secret. */
    readonly message?: string;
  };
};

/**
 * A text child, or none for the empty string: an element holds no empty text node, which some
 * canonicalizers (xml-crypto's among them) cannot process.
 */
const text = (value: string): string[] => (value === "" ? [] : [value]);

// saml-profiles §4.1.4.2: if present, the Issuer's Format is the entity format; Salesforce
// checks it when it is there (salesforce-api.md §5.5).
const issuerElement = (issuer: string): XmlElement =>
  el(ns.assertion, "saml:Issuer", { Format: nameIdFormat.entity }, text(issuer));

const responseElement = (
  input: Pick<ResponseInput, "issuer" | "destination" | "inResponseTo" | "now" | "responseId">,
  children: readonly XmlChild[],
): XmlElement =>
  el(
    ns.protocol,
    "samlp:Response",
    {
      "xmlns:samlp": ns.protocol,
      // Declared once here rather than on every saml: child.
      "xmlns:saml": ns.assertion,
      ID: input.responseId,
      Version: "2.0",
      IssueInstant: samlInstant(input.now),
      Destination: input.destination,
      InResponseTo: input.inResponseTo,
    },
    [issuerElement(input.issuer), ...children],
  );

const attributeElement = (attribute: AssertionAttribute): XmlElement =>
  el(
    ns.assertion,
    "saml:Attribute",
    { Name: attribute.name, NameFormat: attribute.nameFormat ?? attrnameFormat.basic },
    [
      // Plain text, no xsi:type="xs:string": AttributeValue is xs:anyType (saml-core §2.7.3.1.1), so
      // the schemas, OneLogin and Salesforce read untyped text as a string. And a QName inside an
      // attribute value ("xs:string") names a prefix that exclusive c14n does not see as used, so it
      // would be signed without its declaration.
      attribute.values.map((value) => el(ns.assertion, "saml:AttributeValue", {}, text(value))),
    ],
  );

/** saml-core §2.3.3, with the web browser SSO profile's rules (saml-profiles §4.1.4.2). */
const assertionElement = (input: ResponseInput): XmlElement => {
  if (input.nameId.value === "") {
    // Salesforce would answer "Unable to map the subject"; say so here, where the cause is known.
    throw new AppError("INTERNAL", { message: "The assertion's NameID would be empty." });
  }
  const notBefore = samlInstant(plusMinutes(input.now, -input.lifetime.minutesBefore));
  const notOnOrAfter = samlInstant(plusMinutes(input.now, input.lifetime.minutesAfter));
  return el(
    ns.assertion,
    "saml:Assertion",
    { ID: input.assertionId, Version: "2.0", IssueInstant: samlInstant(input.now) },
    [
      issuerElement(input.issuer),
      el(ns.assertion, "saml:Subject", {}, [
        el(
          ns.assertion,
          "saml:NameID",
          { Format: input.nameId.format, SPNameQualifier: input.nameId.spNameQualifier },
          [input.nameId.value],
        ),
        el(ns.assertion, "saml:SubjectConfirmation", { Method: confirmationMethod.bearer }, [
          // No NotBefore here: saml-profiles §4.1.4.2 forbids it for bearer confirmation.
          el(ns.assertion, "saml:SubjectConfirmationData", {
            InResponseTo: input.inResponseTo,
            NotOnOrAfter: notOnOrAfter,
            Recipient: input.recipient,
          }),
        ]),
      ]),
      el(ns.assertion, "saml:Conditions", { NotBefore: notBefore, NotOnOrAfter: notOnOrAfter }, [
        el(ns.assertion, "saml:AudienceRestriction", {}, [
          el(ns.assertion, "saml:Audience", {}, text(input.audience)),
        ]),
      ]),
      el(
        ns.assertion,
        "saml:AuthnStatement",
        {
          AuthnInstant: samlInstant(input.authnInstant),
          SessionIndex: input.sessionIndex,
          SessionNotOnOrAfter:
            input.sessionNotOnOrAfter === undefined ? undefined : samlInstant(input.sessionNotOnOrAfter),
        },
        [
          el(ns.assertion, "saml:AuthnContext", {}, [
            el(
              ns.assertion,
              "saml:AuthnContextClassRef",
              {},
              text(input.authnContextClassRef ?? authnContextClass.passwordProtectedTransport),
            ),
          ]),
        ],
      ),
      input.attributes.length > 0 &&
        el(ns.assertion, "saml:AttributeStatement", {}, input.attributes.map(attributeElement)),
    ],
  );
};

const signatureOptions = (signing: SigningInput) => ({
  algorithm: signing.algorithm,
  includeCertInSignature: signing.includeCertInSignature,
  includeRawKeyInSignature: signing.includeRawKeyInSignature,
});

/**
 * Builds, signs and (optionally) encrypts a successful SAML Response with one assertion, as
 * Salesforce and any SAML 2.0 SP expects it (saml-core §3.3.3, saml-profiles §4.1.4.2,
 * salesforce-api.md §5.5–5.6), and returns the XML text (not yet base64).
 *
 * Order when both are asked for: the assertion is signed, then encrypted into an
 * EncryptedAssertion, then the Response is signed (saml-core §6.2: the SP decrypts, then checks
 * the assertion's signature). Asynchronous only because xml-encryption is; without `encryption`
 * no I/O happens.
 *
 * Throws SAML_SIGNING_FAILED (bad key, key and algorithm mismatch, neither signature asked for),
 * SAML_ENCRYPTION_FAILED, or XML_INVALID_CHARACTER when a value (an attribute from the directory,
 * say) holds a character XML 1.0 cannot carry.
 */
export const buildResponse = async (
  input: ResponseInput,
  signing: SigningInput,
  encryption?: EncryptionInput,
): Promise<string> => {
  if (!signing.signResponse && !signing.signAssertion) {
    // saml-profiles §4.1.3.5: over HTTP-POST the assertion, or the Response carrying it, is signed.
    throw new AppError("SAML_SIGNING_FAILED", {
      message:
        "A Response for browser SSO must have its Response or its Assertion signed; the connection signs neither.",
    });
  }
  const credentials = signingCredentials(signing.privateKeyPem, signing.certificatePem);
  const options = signatureOptions(signing);
  const document = buildDocument(
    responseElement(input, [
      el(ns.protocol, "samlp:Status", {}, [
        el(ns.protocol, "samlp:StatusCode", { Value: statusCode.success }),
      ]),
      assertionElement(input),
    ]),
  );
  const response = rootElement(document);
  const assertion = onlyChild(response, ns.assertion, "Assertion", "INTERNAL");
  if (signing.signAssertion) signElement(assertion, credentials, options);
  if (encryption !== undefined) {
    // The assertion is serialized on its own, with the namespace declarations it needs, as the SP
    // will read it once decrypted.
    const encrypted = await encryptAssertion(serialize(assertion), encryption);
    // Replacing adopts the new element into this document (DOM Standard; see sign-xml.ts).
    response.replaceChild(rootElement(buildDocument(encrypted)), assertion);
  }
  if (signing.signResponse) signElement(response, credentials, options);
  return serialize(document);
};

/**
 * A Response that carries no assertion, only a status (saml-core §3.2.2): what an SP receives when
 * the request was understood but cannot be answered with a sign-in (NoPassive,
 * InvalidNameIDPolicy, AuthnFailed, …). Signed when the connection signs Responses.
 */
export const buildErrorResponse = (input: ErrorResponseInput, signing: SigningInput): string => {
  const { code, subCode, message } = input.status;
  const document = buildDocument(
    responseElement(input, [
      el(ns.protocol, "samlp:Status", {}, [
        el(ns.protocol, "samlp:StatusCode", { Value: code }, [
          subCode !== undefined && el(ns.protocol, "samlp:StatusCode", { Value: subCode }),
        ]),
        message !== undefined && message !== "" && el(ns.protocol, "samlp:StatusMessage", {}, [message]),
      ]),
    ]),
  );
  if (signing.signResponse) {
    signElement(
      rootElement(document),
      signingCredentials(signing.privateKeyPem, signing.certificatePem),
      signatureOptions(signing),
    );
  }
  return serialize(document);
};
