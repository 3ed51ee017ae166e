import { AppError } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";
import {
  type AllowedAlgorithms,
  allowedSignatureAlgorithms,
  digestHashByUri,
  type HashName,
  signatureAlgorithmByUri,
} from "./algorithms.ts";

/**
 * The verify-side checks on algorithms named by a message Portico receives (SigAlg of the
 * HTTP-Redirect binding, SignatureMethod and DigestMethod of an enveloped signature), against the
 * connection's allow-list from `allowedSignatureAlgorithms({ allowSha1 })`. An algorithm that is
 * not on the list is refused with no fallback (samlify fell back to RSA-SHA1 on an unknown SigAlg
 * until 2.13); HMAC is never on it (xml-crypto GHSA-c27r-x354-4m68: a public key used as an HMAC
 * secret lets anyone forge).
 */

export type { AllowedAlgorithms } from "./algorithms.ts";

/** The allow-list a verification runs with. */
export type VerifyAlgorithms = AllowedAlgorithms;

/** The connection's allow-list (re-exported so the verify side has one import). */
export const verifyAlgorithms = allowedSignatureAlgorithms;

/** Key type and hash behind an allowed signature algorithm URI. */
export type SignatureAlgorithmSpec = {
  readonly uri: string;
  /** node:crypto's `asymmetricKeyType` the verifying key must have. */
  readonly keyType: "rsa" | "ec";
  readonly hash: HashName;
};

const notAllowed = (what: string, uri: string): AppError =>
  new AppError("SAML_ALGORITHM_NOT_ALLOWED", {
    message: `The ${what} algorithm ${JSON.stringify(snippet(uri, 100))} is not allowed.`,
  });

/** The spec of an allowed signature algorithm; SAML_ALGORITHM_NOT_ALLOWED for anything else. */
export const allowedSignatureAlgorithm = (
  uri: string,
  allowed: AllowedAlgorithms,
): SignatureAlgorithmSpec => {
  const known = signatureAlgorithmByUri(uri);
  if (known === undefined || !(allowed.signature as ReadonlySet<string>).has(uri)) {
    throw notAllowed("signature", uri);
  }
  return { uri, keyType: known.keyAlgorithm === "EC" ? "ec" : "rsa", hash: known.hash };
};

/** The node:crypto hash of an allowed digest algorithm; SAML_ALGORITHM_NOT_ALLOWED for anything else. */
export const allowedDigestAlgorithm = (uri: string, allowed: AllowedAlgorithms): HashName => {
  const hash = digestHashByUri(uri);
  if (hash === undefined || !(allowed.digest as ReadonlySet<string>).has(uri))
    throw notAllowed("digest", uri);
  return hash;
};
