import { isNamed, stop } from "./checks.ts";
import { LOGIN_STATUS, NS } from "./constants.ts";
import type { SsoSettings } from "./settings.ts";
import { verifyEnvelopedSignature } from "./signature.ts";
import { attr, child, children, parseXml } from "./xml.ts";

/** The assertion to read, and the Response fields around it. */
export type Located = {
  assertion: Element;
  assertionId: string;
  responseDestination?: string;
  responseInResponseTo?: string;
  responseIssuer?: Element;
  signatureDetail: string;
};

/**
 * Verifies signatures and returns the Assertion read from signed bytes only
 * (salesforce-api.md §5.5 item 1: the Response or the Assertion signed, either suffices).
 */
export async function locateSignedAssertion(
  xml: string,
  doc: Document,
  root: Element,
  settings: SsoSettings,
  decryptAssertion: (encryptedAssertion: Element) => Promise<string>,
): Promise<Located> {
  const responseId = attr(root, "ID");
  if (responseId === undefined) stop(LOGIN_STATUS.assertionInvalid, "SAMLResponse", "Response has no ID");
  const cert = settings.idpCertificate;
  const notes: string[] = [];

  let container = root;
  let containerXml = xml;
  let containerDoc = doc;
  const responseSignature = child(root, NS.dsig, "Signature");
  if (responseSignature) {
    const verified = verifyEnvelopedSignature(xml, doc, responseSignature, responseId, cert);
    if (!verified.ok)
      stop(LOGIN_STATUS.signatureInvalid, "Signature", `Response signature: ${verified.reason}`);
    const signedDoc = parseXml(verified.signedXml);
    const signedRoot = signedDoc.documentElement;
    if (!isNamed(signedRoot, NS.protocol, "Response") || attr(signedRoot, "ID") !== responseId) {
      stop(LOGIN_STATUS.signatureInvalid, "Signature", "Response signature covers another element");
    }
    container = signedRoot;
    containerXml = verified.signedXml;
    containerDoc = signedDoc;
    notes.push(`Response signed (${verified.algorithm})`);
  }

  const plain = children(container, NS.assertion, "Assertion");
  const encrypted = children(container, NS.assertion, "EncryptedAssertion");
  if (plain.length + encrypted.length !== 1) {
    stop(LOGIN_STATUS.assertionInvalid, "Assertion", "Response must contain exactly one Assertion");
  }
  let assertion: Element;
  let assertionXml = containerXml;
  let assertionDoc = containerDoc;
  const encryptedAssertion = encrypted[0];
  if (encryptedAssertion) {
    if (!settings.assertionDecryptionCertificate) {
      stop(
        LOGIN_STATUS.assertionInvalid,
        "Decryption",
        "EncryptedAssertion received but no Assertion Decryption Certificate is configured",
      );
    }
    try {
      assertionXml = await decryptAssertion(encryptedAssertion);
      assertionDoc = parseXml(assertionXml);
    } catch (error) {
      stop(LOGIN_STATUS.assertionInvalid, "Decryption", `cannot decrypt: ${(error as Error).message}`);
    }
    const decrypted = assertionDoc.documentElement;
    if (!isNamed(decrypted, NS.assertion, "Assertion")) {
      stop(LOGIN_STATUS.assertionInvalid, "Decryption", "EncryptedAssertion does not hold an Assertion");
    }
    assertion = decrypted;
    notes.push("assertion decrypted");
  } else {
    if (settings.assertionDecryptionCertificate) {
      stop(
        LOGIN_STATUS.assertionInvalid,
        "Decryption",
        "an Assertion Decryption Certificate is configured, so the assertion must be encrypted",
      );
    }
    const only = plain[0];
    if (!only) stop(LOGIN_STATUS.assertionInvalid, "Assertion", "Response has no Assertion");
    assertion = only;
  }

  const assertionId = attr(assertion, "ID");
  if (assertionId === undefined) stop(LOGIN_STATUS.assertionInvalid, "Assertion", "Assertion has no ID");
  const assertionSignature = child(assertion, NS.dsig, "Signature");
  if (assertionSignature) {
    const verified = verifyEnvelopedSignature(
      assertionXml,
      assertionDoc,
      assertionSignature,
      assertionId,
      cert,
    );
    if (!verified.ok)
      stop(LOGIN_STATUS.signatureInvalid, "Signature", `Assertion signature: ${verified.reason}`);
    const signedRoot = parseXml(verified.signedXml).documentElement;
    if (!isNamed(signedRoot, NS.assertion, "Assertion") || attr(signedRoot, "ID") !== assertionId) {
      stop(LOGIN_STATUS.signatureInvalid, "Signature", "Assertion signature covers another element");
    }
    assertion = signedRoot;
    notes.push(`Assertion signed (${verified.algorithm})`);
  } else if (!responseSignature) {
    stop(
      LOGIN_STATUS.signatureInvalid,
      "Signature",
      "neither the Response nor the Assertion carries a signature",
    );
  }

  const responseDestination = attr(container, "Destination");
  const responseInResponseTo = attr(container, "InResponseTo");
  const responseIssuer = child(container, NS.assertion, "Issuer");
  return {
    assertion,
    assertionId,
    ...(responseDestination !== undefined ? { responseDestination } : {}),
    ...(responseInResponseTo !== undefined ? { responseInResponseTo } : {}),
    ...(responseIssuer !== undefined ? { responseIssuer } : {}),
    signatureDetail: `${notes.join(", ")}; verified with the Identity Provider Certificate`,
  };
}
