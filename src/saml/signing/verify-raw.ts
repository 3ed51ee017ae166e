import { verify as cryptoVerify, type KeyObject, type X509Certificate } from "node:crypto";
import { parseCertificates } from "../../crypto/certificate.ts";
import { AppError } from "../../lib/errors.ts";
import type { SignatureAlgorithmSpec } from "./verify-algorithms.ts";

/**
 * How an ECDSA signature value is laid out. XML-DSig 1.1 §6.4.3 (RFC 4050) writes r || s
 * (IEEE P1363); the HTTP-Redirect binding only says "the signature value" (saml-bindings
 * §3.4.4.1), and peers disagree: Java stacks (OpenSAML, Keycloak) send the DER SEQUENCE that JCA
 * produces, xmlsec-based ones r || s. Both encode the same (r, s), so accepting either is no
 * weaker than accepting one.
 */
export type EcdsaEncoding = "ieee-p1363" | "der";

/** The certificate that verified a signature, and the algorithm it was checked with. */
export type VerifiedBy = {
  /** The pinned certificate (PEM) whose key verified the signature. */
  readonly certificatePem: string;
  readonly signatureAlgorithm: string;
};

/** The pinned certificates, parsed; the connection's configuration is trusted to hold real ones. */
export const pinnedCertificates = (certificatesPem: readonly string[]): X509Certificate[] => {
  const certificates = certificatesPem.flatMap((pem) => parseCertificates(pem));
  if (certificates.length === 0) {
    // Verification without a pinned certificate must never fall back to KeyInfo (CVE-2024-32962).
    throw new AppError("SAML_SIGNATURE_INVALID", {
      message: "The connection has no verification certificate, so the signature cannot be checked.",
    });
  }
  return certificates;
};

const verifiesWith = (
  spec: SignatureAlgorithmSpec,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
  encodings: readonly EcdsaEncoding[],
): boolean => {
  // The key must be of the algorithm's type: node would happily check an ECDSA signature under
  // an "RSA-SHA256" label, which lets the SigAlg say something other than what was verified.
  if (key.asymmetricKeyType !== spec.keyType) return false;
  const attempts = spec.keyType === "ec" ? encodings : (["der"] as const);
  return attempts.some((dsaEncoding) => {
    try {
      return cryptoVerify(spec.hash, data, spec.keyType === "ec" ? { key, dsaEncoding } : key, signature);
    } catch {
      // A malformed signature value (wrong length, bad DER) is simply not a valid signature.
      return false;
    }
  });
};

/**
 * Verifies `signature` over `data` with each pinned certificate in turn; returns the one that
 * verifies, or undefined when none does. Expiry is not checked: SAML peers pin keys through
 * metadata, and Salesforce's self-signed request-signing certificates are used past notAfter.
 */
export const verifyWithPinnedCertificates = (
  spec: SignatureAlgorithmSpec,
  data: Buffer,
  signature: Buffer,
  certificatesPem: readonly string[],
  ecdsaEncodings: readonly EcdsaEncoding[],
): VerifiedBy | undefined => {
  for (const certificate of pinnedCertificates(certificatesPem)) {
    if (verifiesWith(spec, certificate.publicKey, data, signature, ecdsaEncodings)) {
      return { certificatePem: certificate.toString(), signatureAlgorithm: spec.uri };
    }
  }
  return undefined;
};
