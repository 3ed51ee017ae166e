import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { AppError } from "../lib/errors.ts";

/**
 * Encryption at rest for private keys and connector secrets: AES-256-GCM under a key derived from
 * the 32-byte master key. A sealed value is one self-describing ASCII string,
 * `v2.<key id>.<base64url(iv)>.<base64url(tag)>.<base64url(ciphertext)>`, so it fits any text
 * column; the key id (a fingerprint derived from the master key, not the key) names the master key
 * that sealed it, so a master key can be rotated: values are opened under the current key or a
 * previous one, sealed under the current one, and re-sealed in place until none is left under a
 * previous key. `v1.<iv>.<tag>.<ciphertext>` (before key ids) still opens, under any key.
 */

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit random IVs
const TAG_BYTES = 16;
const KEY_ID_BYTES = 6;
const SEALED_V1 = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;
const SEALED_V2 = /^v2\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one "=" of padding; both alphabets are accepted.
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** Seals and opens secrets under one master key. */
export type SecretBox = {
  /**
   * Encrypts `plaintext`. `context` (e.g. `"keyPair:signing-1:privateKey"`) is bound as
   * additional authenticated data: the sealed value opens only with the same context, so a value
   * copied into another field or record is refused.
   */
  seal(plaintext: string | Buffer, context?: string): string;
  /**
   * Decrypts a sealed value, under the current master key or a previous one; throws
   * CRYPTO_DECRYPT_FAILED if it was altered, or sealed under an unknown key or another context.
   */
  open(sealed: string, context?: string): Buffer;
  /** `open`, decoded as UTF-8. */
  openText(sealed: string, context?: string): string;
  /** The current master key's id: what `seal` writes into each value. */
  readonly keyId: string;
  /** Whether `sealed` was sealed under a key other than the current one (a previous key, or v1). */
  needsReseal(sealed: string): boolean;
  /** Opens `sealed` and seals it again under the current key, with the same context. */
  reseal(sealed: string, context?: string): string;
};

/**
 * Reads the master key from configuration text: 64 hex digits, or base64 (standard or URL-safe,
 * padding optional) of exactly 32 bytes. Throws CFG_MASTER_KEY_INVALID otherwise; the message never
 * repeats the text.
 */
export const parseMasterKey = (text: string): Buffer => {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (BASE64_KEY.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (key.length === MASTER_KEY_BYTES) return key;
  }
  throw new AppError("CFG_MASTER_KEY_INVALID");
};

/** A new random master key, base64 encoded (what `parseMasterKey` reads back). */
export const generateMasterKey = (): string => randomBytes(MASTER_KEY_BYTES).toString("base64");

/** Whether `text` has the shape of a value sealed by a secret box (it may still fail to open). */
export const isSealed = (text: string): boolean => SEALED_V2.test(text) || SEALED_V1.test(text);

/** The id of a master key: a fingerprint that names it in sealed values and tells nothing of it. */
export const masterKeyId = (masterKey: Buffer): string =>
  Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "portico/master-key-id", KEY_ID_BYTES)).toString(
    "base64url",
  );

/** The key id a sealed value names, "v1" for values sealed before key ids, undefined if not sealed. */
export const sealedKeyId = (sealed: string): string | undefined =>
  SEALED_V2.exec(sealed)?.[1] ?? (SEALED_V1.test(sealed) ? "v1" : undefined);

/**
 * A secret box that seals under `masterKey` (32 bytes, e.g. from `parseMasterKey`) and also opens
 * what `previous` master keys sealed (during a rotation).
 */
export const createSecretBox = (masterKey: Buffer, previous: readonly Buffer[] = []): SecretBox => {
  for (const k of [masterKey, ...previous])
    if (k.length !== MASTER_KEY_BYTES) throw new AppError("CFG_MASTER_KEY_INVALID");
  // RFC 5869: a purpose-bound sub-key, so the master key can later serve other purposes (e.g.
  // signing cookies) without one use weakening another.
  const derive = (k: Buffer) =>
    Buffer.from(hkdfSync("sha256", k, Buffer.alloc(0), "portico/secret-box/v1", 32));
  const keys = new Map<string, Buffer>();
  for (const k of [masterKey, ...previous])
    if (!keys.has(masterKeyId(k))) keys.set(masterKeyId(k), derive(k));
  const keyId = masterKeyId(masterKey);
  const current = keys.get(keyId) as Buffer;
  const aad = (version: string, context: string | undefined): Buffer =>
    Buffer.from(`${version}\u0000${context ?? ""}`, "utf8");

  const decrypt = (
    key: Buffer,
    version: string,
    iv: string,
    tag: string,
    ciphertext: string,
    context?: string,
  ) => {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(version, context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
  };

  const open = (sealed: string, context?: string): Buffer => {
    const v2 = SEALED_V2.exec(sealed);
    const v1 = v2 === null ? SEALED_V1.exec(sealed) : null;
    if (v2 === null && v1 === null) {
      throw new AppError("CRYPTO_DECRYPT_FAILED", { message: "The stored value is not a sealed secret." });
    }
    // One outcome for every cause (unknown key, wrong context, altered bytes): no oracle, no detail.
    if (v2 !== null) {
      const [, id = "", iv = "", tag = "", ciphertext = ""] = v2;
      const key = keys.get(id);
      if (key === undefined) throw new AppError("CRYPTO_DECRYPT_FAILED");
      try {
        return decrypt(key, "v2", iv, tag, ciphertext, context);
      } catch {
        throw new AppError("CRYPTO_DECRYPT_FAILED");
      }
    }
    const [, iv = "", tag = "", ciphertext = ""] = v1 ?? [];
    for (const key of keys.values()) {
      try {
        return decrypt(key, "v1", iv, tag, ciphertext, context);
      } catch {
        // the next key
      }
    }
    throw new AppError("CRYPTO_DECRYPT_FAILED");
  };

  const seal = (plaintext: string | Buffer, context?: string): string => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", current, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad("v2", context));
    const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      "v2",
      keyId,
      iv.toString("base64url"),
      tag.toString("base64url"),
      ciphertext.toString("base64url"),
    ].join(".");
  };

  return {
    seal,
    open,
    openText: (sealed, context) => open(sealed, context).toString("utf8"),
    keyId,
    needsReseal: (sealed) => sealedKeyId(sealed) !== keyId,
    reseal: (sealed, context) => seal(open(sealed, context), context),
  };
};
