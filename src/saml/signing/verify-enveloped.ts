import { AppError, type ErrorCode } from "../../lib/errors.ts";
import { type ParseXmlOptions, parseXml } from "../../xml/parse.ts";
import {
  attr,
  childElements,
  displayName,
  elementChildren,
  isElement,
  isNamed,
  rootElement,
  textOf,
} from "../../xml/select.ts";
import { expectRoot, type ProtocolMessageName, readId } from "../bindings/message-fields.ts";
import { ns, transform } from "../urn.ts";
import type { VerifyAlgorithms } from "./verify-algorithms.ts";
import { pinnedCertificates, type VerifiedBy } from "./verify-raw.ts";
import { checkSignatureShape, type ShapeWording, verifyWithPinnedCertificates } from "./xml-signature.ts";

/**
 * Verifies the enveloped XML signature of a SAML protocol message received by HTTP-POST
 * (saml-bindings §3.5.4, saml-core §5.4) and returns the message re-parsed from the bytes the
 * signature covers, so nothing unsigned can be read afterwards (STYLE.md rule 2, node-saml
 * CVE-2025-54369/54419).
 *
 * Before any cryptography the document must have the one shape a legitimate signer produces,
 * because every signature-wrapping attack (XSW1–8, samlify CVE-2025-47949) is a document where a
 * valid signature covers something other than what the reader reads:
 * - the root is the expected `samlp:` message and carries an `ID` (an xs:ID);
 * - no other element carries that ID, under any of the names signature libraries resolve
 *   (`ID`, `Id`, `id`, in any namespace) → SAML_DUPLICATE_ID;
 * - the document holds exactly one `ds:Signature`, a direct child of the root, holding only
 *   SignedInfo, SignatureValue and optionally KeyInfo (no ds:Object) → SAML_SIGNATURE_WRAPPING;
 * - SignedInfo has exactly one Reference, whose URI is `#` + the root's ID → SAML_SIGNATURE_WRAPPING;
 * - canonicalization is exclusive c14n without comments, the transforms exactly
 *   enveloped-signature then exclusive c14n, the signature and digest algorithms in `allowed`
 *   → SAML_ALGORITHM_NOT_ALLOWED;
 * - no text-only element holds a comment (canonicalization drops comments, so
 *   `<NameID>admin<!---->@evil</NameID>` verifies; CVE-2025-29775) → XML_MALFORMED.
 * Then xml-crypto checks the digest and the signature value with each pinned certificate in turn;
 * the certificate in KeyInfo is never used (CVE-2024-32962). None verifies → SAML_SIGNATURE_INVALID.
 */

export type VerifyEnvelopedOptions = {
  /** The connection's pinned verification certificates (PEM); two during a key rollover. */
  readonly certificatesPem: readonly string[];
  readonly allowed: VerifyAlgorithms;
  /** The message expected at the root, in the SAML protocol namespace. */
  readonly rootLocalName: ProtocolMessageName;
  readonly xmlLimits?: ParseXmlOptions;
};

export type VerifiedEnveloped = {
  /** The root element parsed from `signedXml`, without its ds:Signature. The only thing to read. */
  readonly root: Element;
  /** The canonical octets the signature covers (exclusive c14n, the signature removed). */
  readonly signedXml: string;
  readonly verifiedBy: VerifiedBy;
  readonly digestAlgorithm: string;
};

const ID_NAMES: ReadonlySet<string> = new Set(["ID", "Id", "id"]);

const wrapping = (message: string): AppError => new AppError("SAML_SIGNATURE_WRAPPING", { message });

/** The error code for a message that is not what `rootLocalName` says. */
export const messageCode = (name: ProtocolMessageName): ErrorCode =>
  name === "AuthnRequest" ? "SAML_REQUEST_INVALID" : "SAML_LOGOUT_INVALID";

/** Every element under `root` (not `root` itself), depth first. parseXml caps their number. */
const descendants = (root: Element): Element[] => {
  const out: Element[] = [];
  const pending = elementChildren(root).reverse();
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    out.push(next);
    pending.push(...elementChildren(next).reverse());
  }
  return out;
};

const refuseDuplicateId = (elements: readonly Element[], id: string): void => {
  for (const element of elements) {
    for (let i = 0; i < element.attributes.length; i++) {
      const attribute = element.attributes.item(i);
      const localName = attribute?.localName ?? attribute?.name ?? "";
      if (attribute !== null && ID_NAMES.has(localName) && attribute.value === id) {
        throw new AppError("SAML_DUPLICATE_ID", {
          message: `<${displayName(element)}> carries the message's ID too; a signature could cover either.`,
        });
      }
    }
  }
};

const theSignature = (root: Element, elements: readonly Element[]): Element => {
  const signatures = elements.filter((element) => isNamed(element, ns.xmldsig, "Signature"));
  const [signature] = signatures;
  if (signature === undefined) {
    throw new AppError("SAML_SIGNATURE_REQUIRED", { message: "The message carries no ds:Signature." });
  }
  if (signatures.length > 1)
    throw wrapping(`The message carries ${signatures.length} ds:Signature elements.`);
  if (signature.parentNode !== root) {
    throw wrapping(`The ds:Signature is not a child of the <${displayName(root)}> it must sign.`);
  }
  return signature;
};

/** Refuses what a SAML signature never holds, such as ds:Object, where wrapping attacks hide content. */
const refuseForeignChildren = (signature: Element): void => {
  const allowedChildren = new Set(["SignedInfo", "SignatureValue", "KeyInfo"]);
  for (const child of elementChildren(signature)) {
    if (child.namespaceURI !== ns.xmldsig || !allowedChildren.has(child.localName)) {
      throw wrapping(`The ds:Signature holds <${displayName(child)}>, which a SAML signature never needs.`);
    }
  }
  // xml-crypto finds References by local name in any namespace; allow nothing it could misread.
  const signedInfoChildren = new Set(["CanonicalizationMethod", "SignatureMethod", "Reference"]);
  for (const signedInfo of childElements(signature, ns.xmldsig, "SignedInfo")) {
    for (const child of elementChildren(signedInfo)) {
      if (child.namespaceURI !== ns.xmldsig || !signedInfoChildren.has(child.localName)) {
        throw wrapping(`SignedInfo holds <${displayName(child)}>, which a SAML signature never needs.`);
      }
    }
  }
};

const wording: ShapeWording = {
  notOne: (parent, localName) => `<${displayName(parent)}> must hold exactly one ds:${localName}.`,
  references: (found) => `SignedInfo must hold exactly one Reference, not ${found}.`,
  canonicalization: `SignedInfo must be canonicalized with exclusive c14n without comments (${transform.exclusiveC14n}).`,
  referenceUri: () => "The signature's Reference does not point at the message's ID.",
  transforms: "The Reference's transforms must be exactly enveloped-signature then exclusive c14n.",
};

/** textOf on every element without element children: refuses comments inside values. */
const refuseCommentsInValues = (elements: readonly Element[]): void => {
  for (const element of elements) {
    if (elementChildren(element).length === 0) textOf(element);
  }
};

/** See the comment at the top of this file. */
export const verifyEnvelopedSignature = (xml: string, options: VerifyEnvelopedOptions): VerifiedEnveloped => {
  const code = messageCode(options.rootLocalName);
  const root = rootElement(parseXml(xml, options.xmlLimits));
  expectRoot(root, options.rootLocalName, code);
  const id = readId(root, code);
  const elements = descendants(root);
  refuseDuplicateId(elements, id);
  const signature = theSignature(root, elements);
  refuseForeignChildren(signature);
  const shape = checkSignatureShape(signature, id, options.allowed, wording);
  refuseCommentsInValues(elements);

  const verified = verifyWithPinnedCertificates(
    xml,
    signature,
    shape,
    pinnedCertificates(options.certificatesPem),
  );
  if (!("signedXml" in verified)) throw new AppError("SAML_SIGNATURE_INVALID");
  const signedRoot = rootElement(parseXml(verified.signedXml, options.xmlLimits));
  // Defence in depth: the signed bytes must be the message we checked the shape of.
  if (!isNamed(signedRoot, ns.protocol, options.rootLocalName) || attr(signedRoot, "ID") !== id) {
    throw wrapping("The signed content is not the message's root element.");
  }
  if (elementChildren(signedRoot).some((child) => isNamed(child, ns.xmldsig, "Signature"))) {
    throw wrapping("The signed content still holds a ds:Signature.");
  }
  return {
    root: signedRoot,
    signedXml: verified.signedXml,
    verifiedBy: { certificatePem: verified.certificate.toString(), signatureAlgorithm: shape.spec.uri },
    digestAlgorithm: shape.digestUri,
  };
};

/** Whether the document holds any ds:Signature, anywhere (the POST binding's "is it signed?"). */
export const hasXmlSignature = (doc: Document): boolean => {
  const pending: Node[] = [rootElement(doc)];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (isElement(node)) {
      if (isNamed(node, ns.xmldsig, "Signature")) return true;
      pending.push(...elementChildren(node));
    }
  }
  return false;
};
