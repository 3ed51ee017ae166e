import type { KeyObject } from "node:crypto";
import { AppError } from "../lib/errors.ts";

/** The key algorithms Portico signs with. */
export type KeyAlgorithm = "RSA" | "EC";

/** NIST curve names, as admins and XML-DSig know them. */
export type CurveName = "P-256" | "P-384" | "P-521";

/** What kind of key a key object (private or public) is. */
export type KeyType = {
  readonly keyAlgorithm: KeyAlgorithm;
  /** Bits: the modulus length for RSA, the field size for EC (256 for P-256). */
  readonly keySize: number;
  /** EC only. */
  readonly curve?: CurveName;
};

// node reports OpenSSL's curve names.
const curves: Record<string, { name: CurveName; bits: number }> = {
  prime256v1: { name: "P-256", bits: 256 },
  secp384r1: { name: "P-384", bits: 384 },
  secp521r1: { name: "P-521", bits: 521 },
};

/** RSA or EC on a NIST curve, else undefined (DSA, Ed25519, RSA-PSS-only keys, other curves). */
export const keyTypeOf = (key: KeyObject): KeyType | undefined => {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === "rsa" && details?.modulusLength !== undefined) {
    return { keyAlgorithm: "RSA", keySize: details.modulusLength };
  }
  if (key.asymmetricKeyType === "ec" && details?.namedCurve !== undefined) {
    const curve = curves[details.namedCurve];
    if (curve !== undefined) return { keyAlgorithm: "EC", keySize: curve.bits, curve: curve.name };
  }
  return undefined;
};

/** A readable name for messages, e.g. "RSA 1024", "EC P-521", "dsa". Never key material. */
export const keyLabel = (key: KeyObject): string => {
  const type = keyTypeOf(key);
  if (type === undefined) return key.asymmetricKeyType ?? "unknown";
  return type.keyAlgorithm === "EC" ? `EC ${type.curve ?? ""}` : `RSA ${type.keySize}`;
};

/**
 * The keys Portico accepts for signing: RSA of at least 2048 bits (NIST SP 800-131A), or EC on
 * P-256 or P-384. Throws KEY_UNSUPPORTED naming what was found otherwise.
 */
export const assertSigningKey = (key: KeyObject): KeyType => {
  const type = keyTypeOf(key);
  const supported =
    type !== undefined &&
    ((type.keyAlgorithm === "RSA" && type.keySize >= 2048) ||
      (type.keyAlgorithm === "EC" && (type.curve === "P-256" || type.curve === "P-384")));
  if (!supported) {
    throw new AppError("KEY_UNSUPPORTED", {
      message: `The key is ${keyLabel(key)}; Portico signs with RSA of at least 2048 bits or EC P-256/P-384.`,
    });
  }
  return type;
};
