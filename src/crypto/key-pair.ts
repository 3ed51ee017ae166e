import type { KeyObject, X509Certificate } from "node:crypto";
import { AppError } from "../lib/errors.ts";
import { certificatePem } from "./certificate.ts";
import { assertSigningKey } from "./key-type.ts";

/** A signing key pair in the one form Portico stores (seal `privateKeyPem` before it is stored). */
export type KeyPairPem = {
  /** PKCS#8 PEM, unencrypted. */
  readonly privateKeyPem: string;
  /** The certificate of that key, PEM. */
  readonly certificatePem: string;
  /** Issuer certificates that came with it, PEM, nearest issuer first; usually empty. */
  readonly chainPems: readonly string[];
};

/** Unencrypted PKCS#8 PEM of a private key. */
export const pemOfPrivateKey = (key: KeyObject): string =>
  key.export({ type: "pkcs8", format: "pem" }).toString();

/** Puts issuers in order after `leaf` (nearest first); certificates outside the path follow as given. */
const orderChain = (leaf: X509Certificate, others: readonly X509Certificate[]): X509Certificate[] => {
  const remaining = [...others];
  const ordered: X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    const index = remaining.findIndex((candidate) => current.checkIssued(candidate));
    const issuer = remaining[index];
    if (issuer === undefined) break;
    ordered.push(issuer);
    remaining.splice(index, 1);
    current = issuer;
  }
  return [...ordered, ...remaining];
};

/**
 * The normalised key pair of `key` among `certificates`: the key must be one Portico signs with
 * (KEY_UNSUPPORTED) and one certificate must carry its public key (KEY_MISMATCH); the first such
 * certificate is the leaf, the others become the chain. Shared by the PEM and PKCS#12 imports.
 */
export const keyPairFrom = (key: KeyObject, certificates: readonly X509Certificate[]): KeyPairPem => {
  assertSigningKey(key);
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(key));
  if (leaf === undefined) throw new AppError("KEY_MISMATCH");
  const chain = orderChain(
    leaf,
    certificates.filter((certificate) => certificate !== leaf),
  );
  return {
    privateKeyPem: pemOfPrivateKey(key),
    certificatePem: certificatePem(leaf),
    chainPems: chain.map(certificatePem),
  };
};
