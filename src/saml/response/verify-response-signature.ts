import { createHash, createPublicKey, verify as cryptoVerify, type KeyLike } from "node:crypto";
import { type HashAlgorithm, type SignatureAlgorithm, SignedXml } from "xml-crypto";
import { fingerprintOf } from "../../crypto/certificate.ts";
import { AppError } from "../../lib/errors.ts";
import { type ParseXmlOptions, parseXml } from "../../xml/parse.ts";
import { attr, childElements, elementChildren, rootElement } from "../../xml/select.ts";
import { allowedSignatureAlgorithms } from "../signing/algorithms.ts";
import {
  allowedDigestAlgorithm,
  allowedSignatureAlgorithm,
  type SignatureAlgorithmSpec,
} from "../signing/verify-algorithms.ts";
import { pinnedCertificates } from "../signing/verify-raw.ts";
import { ns, transform } from "../urn.ts";

/**
 * Verifies the enveloped signature of a Response or of the Assertion inside it, for the
 * inspector: where verify-enveloped.ts refuses a message, this says why a signature fails in
 * words an admin can act on, and hands back the canonical bytes the signature covers so that only
 * those are read afterwards (STYLE.md rule 2). The checks are the same: one Signature, a direct
 * child of the element it signs, one Reference whose URI is `#` + that element's ID (no other
 * element carrying it), exclusive c14n, enveloped-signature then exclusive c14n, an allowed
 * algorithm; the certificates given, never KeyInfo (CVE-2024-32962).
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

/** xml-crypto hash plug-in (it has no SHA-384). */
const hashPlugin = (uri: string, hash: string): (new () => HashAlgorithm) =>
  class {
    getHash(xml: string): string {
      return createHash(hash).update(xml, "utf8").digest("base64");
    }
    getAlgorithmName(): string {
      return uri;
    }
  };

/** xml-crypto signature plug-in for one algorithm; ECDSA values are r || s (xmldsig-core1 §6.4.3). */
const signaturePlugin = (spec: SignatureAlgorithmSpec): (new () => SignatureAlgorithm) =>
  class {
    getSignature(): never {
      throw new Error("verification only");
    }
    verifySignature(material: string, key: KeyLike, signatureValue: string): boolean {
      const publicKey = createPublicKey(key);
      if (publicKey.asymmetricKeyType !== spec.keyType) return false;
      const keyInput =
        spec.keyType === "ec" ? { key: publicKey, dsaEncoding: "ieee-p1363" as const } : publicKey;
      return cryptoVerify(
        spec.hash,
        Buffer.from(material, "utf8"),
        keyInput,
        Buffer.from(signatureValue, "base64"),
      );
    }
    getAlgorithmName(): string {
      return spec.uri;
    }
  };

const algorithmOf = (element: Element | undefined): string =>
  element === undefined ? "" : (attr(element, "Algorithm") ?? "");

const dsChild = (parent: Element, localName: string): Element => {
  const found = childElements(parent, ns.xmldsig, localName);
  const [one] = found;
  if (one === undefined || found.length > 1) {
    throw new AppError("SAML_SIGNATURE_WRAPPING", {
      message: `its ${parent.localName} must hold exactly one ${localName}`,
    });
  }
  return one;
};

type Shape = {
  readonly spec: SignatureAlgorithmSpec;
  readonly digestUri: string;
  readonly digestHash: string;
};

/** The shape a SAML signer writes (saml-core §5.4); throws with a reason otherwise. */
const shapeOf = (signature: Element, id: string): Shape => {
  const signedInfo = dsChild(signature, "SignedInfo");
  dsChild(signature, "SignatureValue");
  if (algorithmOf(dsChild(signedInfo, "CanonicalizationMethod")) !== transform.exclusiveC14n) {
    throw new AppError("SAML_ALGORITHM_NOT_ALLOWED", {
      message: "its SignedInfo is not canonicalized with exclusive c14n",
    });
  }
  // SHA-1 is allowed here so that a connection that chose it is told about it rather than failed.
  const allowed = allowedSignatureAlgorithms({ allowSha1: true });
  const spec = allowedSignatureAlgorithm(algorithmOf(dsChild(signedInfo, "SignatureMethod")), allowed);
  const reference = dsChild(signedInfo, "Reference");
  if (attr(reference, "URI") !== `#${id}`) {
    throw new AppError("SAML_SIGNATURE_WRAPPING", {
      message: `its Reference URI is “${attr(reference, "URI") ?? ""}”, not #${id}, the ID of the element it signs`,
    });
  }
  const transforms = childElements(dsChild(reference, "Transforms"), ns.xmldsig, "Transform").map((t) =>
    algorithmOf(t),
  );
  if (
    transforms.length !== 2 ||
    transforms[0] !== transform.envelopedSignature ||
    transforms[1] !== transform.exclusiveC14n
  ) {
    throw new AppError("SAML_ALGORITHM_NOT_ALLOWED", {
      message: "its transforms are not exactly enveloped-signature then exclusive c14n",
    });
  }
  const digestUri = algorithmOf(dsChild(reference, "DigestMethod"));
  return { spec, digestUri, digestHash: allowedDigestAlgorithm(digestUri, allowed) };
};

type Attempt =
  | { readonly signedXml: string }
  /** `digest`: the content changed after signing; `signature`: this key did not sign it. */
  | { readonly failure: "digest" | "signature" };

/** Checks the signature with one certificate: the canonical bytes it covers, or why it fails. */
const attempt = (xml: string, signature: Element, shape: Shape, certificatePem: string): Attempt => {
  const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
  verifier.idAttributes = ["ID"];
  verifier.CanonicalizationAlgorithms = {
    [transform.exclusiveC14n]: verifier.CanonicalizationAlgorithms[transform.exclusiveC14n],
    [transform.envelopedSignature]: verifier.CanonicalizationAlgorithms[transform.envelopedSignature],
  } as SignedXml["CanonicalizationAlgorithms"];
  verifier.HashAlgorithms = { [shape.digestUri]: hashPlugin(shape.digestUri, shape.digestHash) };
  verifier.SignatureAlgorithms = { [shape.spec.uri]: signaturePlugin(shape.spec) };
  try {
    verifier.loadSignature(signature);
    // xml-crypto checks the References' digests first and answers false when one fails; a
    // SignatureValue the key does not verify throws.
    if (verifier.checkSignature(xml) !== true) return { failure: "digest" };
  } catch {
    return { failure: "signature" };
  }
  const signed = verifier.getSignedReferences();
  const [signedXml] = signed;
  return signedXml !== undefined && signed.length === 1 ? { signedXml } : { failure: "signature" };
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
  let shape: Shape;
  try {
    shape = shapeOf(signature, id);
  } catch (error) {
    return failed(error instanceof AppError ? error.message : "its structure cannot be read");
  }
  let certificates: ReturnType<typeof pinnedCertificates>;
  try {
    certificates = pinnedCertificates(certificatesPem);
  } catch {
    return failed("there is no certificate to verify it with");
  }
  let digestFailed = false;
  for (const certificate of certificates) {
    const result = attempt(xml, signature, shape, certificate.toString());
    if (!("signedXml" in result)) {
      digestFailed ||= result.failure === "digest";
      continue;
    }
    const signedElement = rootElement(parseXml(result.signedXml, xmlLimits));
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
        certificateSha256: fingerprintOf(certificate, "sha256"),
      },
      signedElement,
    };
  }
  if (digestFailed) {
    return failed("the signed content was changed after signing (its digest no longer matches)");
  }
  const thumbprints = certificates.map((c) => fingerprintOf(c, "sha256")).join(", ");
  return failed(
    `another key made it: the connection's signing certificate (SHA-256 thumbprint ${thumbprints}) does not verify it`,
  );
};
