import { createHash, createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { type KeyType, keyLabel, keyTypeOf } from "../../crypto/key-type.ts";
import { AppError } from "../../lib/errors.ts";

/** A signing key ready for use: parsed once, checked against its certificate. */
export type SigningCredentials = {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyType: KeyType;
  /** DER of the certificate, base64, no line breaks: the text of `<ds:X509Certificate>`. */
  readonly certificateBase64: string;
};

// Parsing a PEM private key and a certificate costs more than canonicalizing a whole Response, and
// a server signs with a handful of keys, so the parsed objects are kept, keyed by the PEM text
// (by a hash of it, so the cache does not keep the PEM text alive). Bounded, so that rotating keys
// never grows it without limit.
const MAX_CACHED = 32;
const cache = new Map<string, SigningCredentials>();

const failed = (message: string, cause?: unknown): AppError =>
  new AppError("SAML_SIGNING_FAILED", { message, ...(cause === undefined ? {} : { cause }) });

const parse = (privateKeyPem: string, certificatePem: string): SigningCredentials => {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: privateKeyPem, format: "pem" });
  } catch (cause) {
    // OpenSSL's reason only; never the key.
    throw failed("The signing key could not be read as an unencrypted PEM private key.", cause);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (cause) {
    throw failed("The signing certificate could not be parsed.", cause);
  }
  const keyType = keyTypeOf(privateKey);
  if (keyType === undefined) {
    throw failed(`The signing key is ${keyLabel(privateKey)}; Portico signs with RSA or EC keys.`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw failed("The signing certificate does not belong to the signing key.");
  }
  return {
    privateKey,
    publicKey: certificate.publicKey,
    keyType,
    certificateBase64: certificate.raw.toString("base64"),
  };
};

/**
 * Parses a PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) and its certificate, or returns
 * the pair parsed before. Throws SAML_SIGNING_FAILED when either does not parse or they do not
 * belong together.
 */
export const signingCredentials = (privateKeyPem: string, certificatePem: string): SigningCredentials => {
  const cacheKey = createHash("sha256")
    .update(certificatePem)
    .update("\u0000")
    .update(privateKeyPem)
    .digest("base64");
  const known = cache.get(cacheKey);
  if (known !== undefined) return known;
  const parsed = parse(privateKeyPem, certificatePem);
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(cacheKey, parsed);
  return parsed;
};
