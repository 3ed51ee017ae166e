import { fingerprintOf } from "../../crypto/certificate.ts";
import { AppError } from "../../lib/errors.ts";
import { type ParseXmlOptions, parseXml } from "../../xml/parse.ts";
import { attr, childElements, elementChildren, rootElement } from "../../xml/select.ts";
import { allowedSignatureAlgorithms } from "../signing/algorithms.ts";
import { pinnedCertificates } from "../signing/verify-raw.ts";
import {
  checkSignatureShape,
  type ShapeWording,
  type SignatureShape,
  verifyWithPinnedCertificates,
} from "../signing/xml-signature.ts";
import { ns } from "../urn.ts";

/**
 * Verifies the enveloped signature of a Response or of the Assertion inside it, for the
 * inspector: where verify-enveloped.ts refuses a message, this says why a signature fails in
 * words an admin can act on, and hands back the canonical bytes the signature covers so that only
 * those are read afterwards (STYLE.md rule 2). One Signature, a direct child of the element it
 * signs, whose ID no other element carries; then the shape and cryptographic checks of
 * xml-signature.ts, shared with verify-enveloped.ts: one Reference whose URI is `#` + that
 * element's ID, exclusive c14n, enveloped-signature then exclusive c14n, an allowed algorithm; the
 * certificates given, never KeyInfo (CVE-2024-32962).
 */

/** One ds:Signature of the Response or of its Assertion. */
export type SignatureSummary = {
  readonly on: "Response" | "Assertion";
  /** SignatureMethod/@Algorithm. */
  readonly algorithm: string | null;
  readonly verified: boolean;
  /** Why it does not verify; null when it does. */
  readonly problem: string | null;
  /** SHA-256 thumbprint (hex) of the certificate that verified it. */
  readonly certificateSha256: string | null;
};

export type SignatureOutcome = {
  readonly summary: SignatureSummary;
  /** The signed element parsed from the bytes the signature covers; only when it verifies. */
  readonly signedElement?: Element;
};

// SHA-1 is allowed here so that a connection that chose it is told about it rather than failed.
const allowed = allowedSignatureAlgorithms({ allowSha1: true });

/** The shape refusals, worded as the clauses `failed` below expects. */
const wording: ShapeWording = {
  notOne: (parent, localName) => `its ${parent.localName} must hold exactly one ${localName}`,
  references: () => "its SignedInfo must hold exactly one Reference",
  canonicalization: "its SignedInfo is not canonicalized with exclusive c14n",
  referenceUri: (uri, id) => `its Reference URI is “${uri}”, not #${id}, the ID of the element it signs`,
  transforms: "its transforms are not exactly enveloped-signature then exclusive c14n",
};

/** Elements anywhere in the document carrying `id` under a name signature libraries resolve. */
const countId = (root: Element, id: string): number => {
  let count = 0;
  const pending: Element[] = [root];
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    for (const name of ["ID", "Id", "id"]) if (attr(element, name) === id) count++;
    pending.push(...elementChildren(element));
  }
  return count;
};

/**
 * Verifies the enveloped signature of `element` (the Response `root`, or its Assertion) in `xml`
 * with `certificatesPem`; undefined when the element is not signed.
 */
export const inspectSignature = (
  xml: string,
  root: Element,
  element: Element,
  on: "Response" | "Assertion",
  certificatesPem: readonly string[],
  xmlLimits?: ParseXmlOptions,
): SignatureOutcome | undefined => {
  const signatures = childElements(element, ns.xmldsig, "Signature");
  const [signature] = signatures;
  if (signature === undefined) return undefined;
  const signedInfo = childElements(signature, ns.xmldsig, "SignedInfo")[0];
  const methodElement = signedInfo && childElements(signedInfo, ns.xmldsig, "SignatureMethod")[0];
  const algorithm = methodElement === undefined ? null : (attr(methodElement, "Algorithm") ?? null);
  const failed = (problem: string): SignatureOutcome => ({
    summary: {
      on,
      algorithm,
      verified: false,
      // Reasons are clauses of a sentence: "the Response's signature fails: <problem>."
      problem: `${problem.charAt(0).toLowerCase()}${problem.slice(1)}`.replace(/\.$/, ""),
      certificateSha256: null,
    },
  });
  if (signatures.length > 1) return failed(`the ${on} carries ${signatures.length} signatures`);
  const id = attr(element, "ID");
  if (id === undefined || id === "") return failed(`the ${on} has no ID for its signature to point at`);
  if (countId(root, id) > 1) return failed(`two elements carry the ${on}'s ID ${id}`);
  let shape: SignatureShape;
  try {
    shape = checkSignatureShape(signature, id, allowed, wording);
  } catch (error) {
    return failed(error instanceof AppError ? error.message : "its structure cannot be read");
  }
  let certificates: ReturnType<typeof pinnedCertificates>;
  try {
    certificates = pinnedCertificates(certificatesPem);
  } catch {
    return failed("there is no certificate to verify it with");
  }
  const verified = verifyWithPinnedCertificates(xml, signature, shape, certificates);
  if ("signedXml" in verified) {
    const signedElement = rootElement(parseXml(verified.signedXml, xmlLimits));
    // Defence in depth: the signed bytes must be the element we looked at.
    if (signedElement.localName !== element.localName || attr(signedElement, "ID") !== id) {
      return failed("the signed content is not the element that carries the signature");
    }
    return {
      summary: {
        on,
        algorithm,
        verified: true,
        problem: null,
        certificateSha256: fingerprintOf(verified.certificate, "sha256"),
      },
      signedElement,
    };
  }
  if (verified.failure === "digest") {
    return failed("the signed content was changed after signing (its digest no longer matches)");
  }
  const thumbprints = certificates.map((c) => fingerprintOf(c, "sha256")).join(", ");
  return failed(
    `another key made it: the connection's signing certificate (SHA-256 thumbprint ${thumbprints}) does not verify it`,
  );
};
