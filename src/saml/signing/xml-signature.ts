import {
  createHash,
  createPublicKey,
  verify as cryptoVerify,
  type KeyLike,
  type X509Certificate,
} from "node:crypto";
import { type HashAlgorithm, type SignatureAlgorithm, SignedXml } from "xml-crypto";
import { AppError } from "../../lib/errors.ts";
import { attr, childElements } from "../../xml/select.ts";
import { ns, transform } from "../urn.ts";
import {
  allowedDigestAlgorithm,
  allowedSignatureAlgorithm,
  type SignatureAlgorithmSpec,
  type VerifyAlgorithms,
} from "./verify-algorithms.ts";

/**
 * The two halves of checking one enveloped ds:Signature that both verifiers share: the protocol
 * verifier (verify-enveloped.ts, which refuses) and the Response inspector
 * (verify-response-signature.ts, which explains). First the shape a SAML signer writes
 * (saml-core §5.4), then xml-crypto with pinned certificates only, never KeyInfo (CVE-2024-32962),
 * handing back the canonical bytes the signature covers (STYLE.md rule 2). Each caller words the
 * refusals its own way; the error codes are the same for both.
 */

/** What the shape check found, for the cryptographic check. */
export type SignatureShape = {
  readonly spec: SignatureAlgorithmSpec;
  readonly digestUri: string;
  /** node:crypto's name for the digest. */
  readonly digestHash: string;
};

/** The messages of the shape refusals (the algorithm allow-list words its own). */
export type ShapeWording = {
  /** `parent` holds no or several ds:`localName` (SignedInfo, SignatureValue, Transforms, …). */
  readonly notOne: (parent: Element, localName: string) => string;
  readonly references: (found: number) => string;
  readonly canonicalization: string;
  readonly referenceUri: (uri: string, id: string) => string;
  readonly transforms: string;
};

const algorithmOf = (element: Element): string => attr(element, "Algorithm") ?? "";

/**
 * Checks that `signature` is what a SAML signer writes for the element whose ID is `id`; throws
 * SAML_SIGNATURE_WRAPPING for the structure (each ds: element once, one Reference, to `#id`) and
 * SAML_ALGORITHM_NOT_ALLOWED for the algorithms (exclusive c14n without comments; transforms
 * exactly enveloped-signature then exclusive c14n; signature and digest on `allowed`).
 */
export const checkSignatureShape = (
  signature: Element,
  id: string,
  allowed: VerifyAlgorithms,
  wording: ShapeWording,
): SignatureShape => {
  const one = (parent: Element, localName: string): Element => {
    const found = childElements(parent, ns.xmldsig, localName);
    const [only] = found;
    if (only === undefined || found.length > 1) {
      throw new AppError("SAML_SIGNATURE_WRAPPING", { message: wording.notOne(parent, localName) });
    }
    return only;
  };
  const signedInfo = one(signature, "SignedInfo");
  one(signature, "SignatureValue");
  if (algorithmOf(one(signedInfo, "CanonicalizationMethod")) !== transform.exclusiveC14n) {
    throw new AppError("SAML_ALGORITHM_NOT_ALLOWED", { message: wording.canonicalization });
  }
  const spec = allowedSignatureAlgorithm(algorithmOf(one(signedInfo, "SignatureMethod")), allowed);

  const references = childElements(signedInfo, ns.xmldsig, "Reference");
  const [reference] = references;
  if (reference === undefined || references.length !== 1) {
    throw new AppError("SAML_SIGNATURE_WRAPPING", { message: wording.references(references.length) });
  }
  const uri = attr(reference, "URI") ?? "";
  if (uri !== `#${id}`) {
    throw new AppError("SAML_SIGNATURE_WRAPPING", { message: wording.referenceUri(uri, id) });
  }
  const transforms = childElements(one(reference, "Transforms"), ns.xmldsig, "Transform").map(algorithmOf);
  if (
    transforms.length !== 2 ||
    transforms[0] !== transform.envelopedSignature ||
    transforms[1] !== transform.exclusiveC14n
  ) {
    throw new AppError("SAML_ALGORITHM_NOT_ALLOWED", { message: wording.transforms });
  }
  const digestUri = algorithmOf(one(reference, "DigestMethod"));
  return { spec, digestUri, digestHash: allowedDigestAlgorithm(digestUri, allowed) };
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

/**
 * xml-crypto signature plug-in for exactly one algorithm: it checks the key's type against the
 * algorithm and reads ECDSA values as r || s (xmldsig-core1 §6.4.3), which xml-crypto cannot.
 */
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

type Attempt = { readonly signedXml: string } | { readonly failure: "digest" | "signature" };

/** Runs xml-crypto with one certificate and only the algorithms the shape named. */
const attempt = (xml: string, signature: Element, shape: SignatureShape, certificatePem: string): Attempt => {
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
    // xml-crypto checks the Reference's digest first and answers false when it fails; a
    // SignatureValue the key does not verify throws.
    if (verifier.checkSignature(xml) !== true) return { failure: "digest" };
  } catch {
    return { failure: "signature" };
  }
  const signed = verifier.getSignedReferences();
  const [signedXml] = signed;
  return signedXml !== undefined && signed.length === 1 ? { signedXml } : { failure: "signature" };
};

/** The outcome of checking a signature against the pinned certificates. */
export type PinnedVerification =
  | {
      /** The canonical octets the signature covers (exclusive c14n, the signature removed). */
      readonly signedXml: string;
      /** The first pinned certificate that verifies it. */
      readonly certificate: X509Certificate;
    }
  /**
   * `digest`: for some certificate the content no longer matches its digest (changed after
   * signing); `signature`: no certificate's key made the SignatureValue.
   */
  | { readonly failure: "digest" | "signature" };

/**
 * Checks `signature` (a ds:Signature in the document `xml`, whose shape `checkSignatureShape`
 * accepted) with each pinned certificate in turn; the certificate in KeyInfo is never used.
 */
export const verifyWithPinnedCertificates = (
  xml: string,
  signature: Element,
  shape: SignatureShape,
  certificates: readonly X509Certificate[],
): PinnedVerification => {
  let digestFailed = false;
  for (const certificate of certificates) {
    const result = attempt(xml, signature, shape, certificate.toString());
    if ("signedXml" in result) return { signedXml: result.signedXml, certificate };
    // A digest or signature mismatch; the next certificate (a key rollover) may still verify.
    digestFailed ||= result.failure === "digest";
  }
  return { failure: digestFailed ? "digest" : "signature" };
};
