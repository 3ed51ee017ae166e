import { AppError } from "../../lib/errors.ts";
import { parseXml } from "../../xml/parse.ts";
import { attr, childElements, elementChildren, isNamed, rootElement, textOf } from "../../xml/select.ts";
import { ns } from "../urn.ts";
import {
  assertionCheck,
  audienceCheck,
  destinationCheck,
  inResponseToCheck,
  issuerCheck,
  type ResponseCheck,
  recipientCheck,
  signatureCheck,
  statusCheck,
  subjectCheck,
  subjectConfirmationCheck,
  validityCheck,
} from "./response-checks.ts";
import type {
  AssertionSummary,
  AttributeSummary,
  InspectResponseOptions,
  ResponseSummary,
} from "./response-summary.ts";
import { inspectSignature, type SignatureSummary } from "./verify-response-signature.ts";

export type { ResponseCheck, ResponseCheckName } from "./response-checks.ts";
export { responseCheckNames, salesforceFreshnessMs } from "./response-checks.ts";
export type {
  AssertionSummary,
  AttributeSummary,
  ExpectedResponse,
  InspectResponseOptions,
  ResponseSummary,
  SubjectConfirmationSummary,
} from "./response-summary.ts";
export type { SignatureSummary } from "./verify-response-signature.ts";

/**
 * Reads a SAML Response the way the SP that receives it would, and says — check by check, in the
 * words of Salesforce's SAML Assertion Validator (salesforce-api.md §5.5) — whether it would be
 * accepted. Pure: the XML, the certificates and the clock come in; a summary and a checklist come
 * out. It never throws for a Response that is merely wrong (that is what the checks report), only
 * for input that is not a SAML Response at all: XML_* from the parser, SAML_MESSAGE_INVALID for
 * another root element.
 *
 * Signatures are verified with the given certificates only, never with KeyInfo (CVE-2024-32962),
 * and the summary is read from the bytes a verified signature covers whenever there is one
 * (STYLE.md rule 2), so a wrapped or altered copy cannot make the summary say what was not signed.
 */

/**
 * Text of a simple-content element. Signed content has been canonicalized (no comments); from
 * unsigned content, whose Signature check fails anyway, a comment-split value is shown joined.
 */
const textIn = (element: Element): string => {
  try {
    return textOf(element);
  } catch {
    return element.textContent ?? "";
  }
};

const firstChild = (parent: Element, namespace: string, localName: string): Element | undefined =>
  childElements(parent, namespace, localName)[0];

const childText = (parent: Element, namespace: string, localName: string): string | null => {
  const found = firstChild(parent, namespace, localName);
  return found === undefined ? null : textIn(found).trim();
};

const attrOrNull = (element: Element | undefined, name: string): string | null =>
  element === undefined ? null : (attr(element, name) ?? null);

const assertionsOf = (response: Element): Element[] =>
  elementChildren(response).filter(
    (child) =>
      isNamed(child, ns.assertion, "Assertion") || isNamed(child, ns.assertion, "EncryptedAssertion"),
  );

const readAttributes = (assertion: Element): AttributeSummary[] =>
  childElements(assertion, ns.assertion, "AttributeStatement").flatMap((statement) =>
    childElements(statement, ns.assertion, "Attribute").map((attribute) => ({
      name: attr(attribute, "Name") ?? "",
      nameFormat: attr(attribute, "NameFormat") ?? null,
      values: childElements(attribute, ns.assertion, "AttributeValue").map(textIn),
    })),
  );

const readAssertion = (assertion: Element): AssertionSummary => {
  if (isNamed(assertion, ns.assertion, "EncryptedAssertion")) {
    return {
      encrypted: true,
      id: null,
      issueInstant: null,
      issuer: null,
      nameId: null,
      nameIdFormat: null,
      subjectConfirmation: null,
      notBefore: null,
      notOnOrAfter: null,
      audiences: [],
      authnInstant: null,
      sessionIndex: null,
      authnContextClassRef: null,
      attributes: [],
    };
  }
  const subject = firstChild(assertion, ns.assertion, "Subject");
  const nameId = subject && firstChild(subject, ns.assertion, "NameID");
  const confirmation = subject && firstChild(subject, ns.assertion, "SubjectConfirmation");
  const data = confirmation && firstChild(confirmation, ns.assertion, "SubjectConfirmationData");
  const conditions = firstChild(assertion, ns.assertion, "Conditions");
  const authn = firstChild(assertion, ns.assertion, "AuthnStatement");
  const context = authn && firstChild(authn, ns.assertion, "AuthnContext");
  return {
    encrypted: false,
    id: attrOrNull(assertion, "ID"),
    issueInstant: attrOrNull(assertion, "IssueInstant"),
    issuer: childText(assertion, ns.assertion, "Issuer"),
    nameId: nameId === undefined ? null : textIn(nameId),
    nameIdFormat: attrOrNull(nameId, "Format"),
    subjectConfirmation:
      confirmation === undefined
        ? null
        : {
            method: attrOrNull(confirmation, "Method"),
            recipient: attrOrNull(data, "Recipient"),
            notBefore: attrOrNull(data, "NotBefore"),
            notOnOrAfter: attrOrNull(data, "NotOnOrAfter"),
            inResponseTo: attrOrNull(data, "InResponseTo"),
          },
    notBefore: attrOrNull(conditions, "NotBefore"),
    notOnOrAfter: attrOrNull(conditions, "NotOnOrAfter"),
    audiences:
      conditions === undefined
        ? []
        : childElements(conditions, ns.assertion, "AudienceRestriction").flatMap((restriction) =>
            childElements(restriction, ns.assertion, "Audience").map((a) => textIn(a).trim()),
          ),
    authnInstant: attrOrNull(authn, "AuthnInstant"),
    sessionIndex: attrOrNull(authn, "SessionIndex"),
    authnContextClassRef:
      context === undefined ? null : childText(context, ns.assertion, "AuthnContextClassRef"),
    attributes: readAttributes(assertion),
  };
};

export type InspectedResponse = {
  readonly summary: ResponseSummary;
  readonly checks: readonly ResponseCheck[];
};

/** See the comment at the top of this file. */
export const inspectResponse = (xml: string, options: InspectResponseOptions): InspectedResponse => {
  const root = rootElement(parseXml(xml, options.xmlLimits));
  if (!isNamed(root, ns.protocol, "Response")) {
    throw new AppError("SAML_MESSAGE_INVALID", {
      message: `Expected a samlp:Response, got <${root.nodeName}>.`,
    });
  }
  const responseSignature = inspectSignature(
    xml,
    root,
    root,
    "Response",
    options.idpCertificatesPem,
    options.xmlLimits,
  );
  // Read from what the Response's signature covers when it verifies.
  const response = responseSignature?.signedElement ?? root;
  const assertions = assertionsOf(response);
  const rawAssertion = assertions.length === 1 ? assertions[0] : undefined;
  const assertionSignature =
    rawAssertion !== undefined && isNamed(rawAssertion, ns.assertion, "Assertion")
      ? inspectSignature(xml, root, rawAssertion, "Assertion", options.idpCertificatesPem, options.xmlLimits)
      : undefined;
  const assertionElement = assertionSignature?.signedElement ?? rawAssertion;
  const status = firstChild(response, ns.protocol, "Status");
  const statusCodeElement = status && firstChild(status, ns.protocol, "StatusCode");

  const summary: ResponseSummary = {
    id: attrOrNull(response, "ID"),
    issueInstant: attrOrNull(response, "IssueInstant"),
    destination: attrOrNull(response, "Destination"),
    inResponseTo: attrOrNull(response, "InResponseTo"),
    issuer: childText(response, ns.assertion, "Issuer"),
    issuerFormat: attrOrNull(firstChild(response, ns.assertion, "Issuer"), "Format"),
    status: attrOrNull(statusCodeElement, "Value"),
    statusMessage: status === undefined ? null : childText(status, ns.protocol, "StatusMessage"),
    signatures: [responseSignature?.summary, assertionSignature?.summary].filter(
      (s): s is SignatureSummary => s !== undefined,
    ),
    assertionCount: assertions.length,
    assertion: assertionElement === undefined ? null : readAssertion(assertionElement),
  };

  const { expected } = options;
  const checks: ResponseCheck[] = [
    statusCheck(summary),
    signatureCheck(summary.signatures, summary.assertion),
    issuerCheck(summary, expected.issuer),
    destinationCheck(summary, expected.destination),
    inResponseToCheck(summary, expected.inResponseTo),
    assertionCheck(summary),
  ];
  const assertion = summary.assertion;
  if (assertion !== null && !assertion.encrypted) {
    checks.push(
      audienceCheck(assertion, expected.audience),
      recipientCheck(assertion, expected.recipient),
      subjectCheck(assertion),
      subjectConfirmationCheck(assertion, options),
      validityCheck(assertion, options),
    );
  }
  return { summary, checks };
};
