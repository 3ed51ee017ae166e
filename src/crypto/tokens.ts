import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API tokens and constant-time comparison. A token is shown to its owner once; only its hash is
 * stored, and a presented token is looked up by its hash.
 */

/** Recognisable prefix: secret scanners and people can tell a Portico token from other secrets. */
export const API_TOKEN_PREFIX = "ptk_";
const SECRET_BYTES = 32;
const API_TOKEN_PATTERN = /^ptk_[A-Za-z0-9_-]{43}$/;

/** A new API token: `token` goes to the caller once; `id` is its public handle for lists and revocation. */
export type GeneratedApiToken = { readonly token: string; readonly id: string };

/** A new API token (`ptk_` + 32 random bytes base64url) and a short random public id (16 hex digits). */
export const generateApiToken = (): GeneratedApiToken => ({
  token: API_TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString("base64url"),
  // Independent of the token, so nothing about the secret can be read from the id.
  id: randomBytes(8).toString("hex"),
});

/** Whether `text` has the shape of an API token, to refuse garbage before touching the store. */
export const isApiToken = (text: string): boolean => API_TOKEN_PATTERN.test(text);

/**
 * SHA-256 (hex) of a token, what the store keeps. A fast, unsalted hash is right here, unlike for
 * passwords: the token carries 256 bits from the CSPRNG, so guessing is hopeless however fast the
 * hash, and a deterministic hash lets the token be found by an indexed lookup instead of trying a
 * slow salted hash against every row.
 */
export const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * Compares two secrets in constant time. Inputs of different lengths are compared too (as
 * SHA-256 digests), so neither the content nor the length of the expected value leaks through
 * timing; strings are compared as UTF-8.
 */
export const constantTimeEqual = (a: string | Buffer, b: string | Buffer): boolean => {
  const digest = (value: string | Buffer): Buffer => createHash("sha256").update(value).digest();
  const bytesA = typeof a === "string" ? Buffer.from(a, "utf8") : a;
  const bytesB = typeof b === "string" ? Buffer.from(b, "utf8") : b;
  // Both checks always run; the digest comparison is what carries the answer in constant time.
  const sameDigest = timingSafeEqual(digest(bytesA), digest(bytesB));
  return sameDigest && bytesA.length === bytesB.length;
};
