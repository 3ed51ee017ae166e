import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { AppError } from "../lib/errors.ts";

/**
 * Encryption at rest for private keys and connector secrets: AES-256-GCM under a key derived from
 * the 32-byte master key. A sealed value is one self-describing ASCII string,
 * `v1.<base64url(iv)>.<base64url(tag)>.<base64url(ciphertext)>`, so it fits any text column and a
 * later format can sit beside it.
 */

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit random IVs
const TAG_BYTES = 16;
const VERSION = "v1";
const SEALED_PATTERN = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;
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
  /** Decrypts a sealed value; throws CRYPTO_DECRYPT_FAILED if it was altered, or sealed under another key or context. */
  open(sealed: string, context?: string): Buffer;
  /** `open`, decoded as UTF-8. */
  openText(sealed: string, context?: string): string;
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
export const isSealed = (text: string): boolean => SEALED_PATTERN.test(text);

/** A secret box over `masterKey` (32 bytes, e.g. from `parseMasterKey`). */
export const createSecretBox = (masterKey: Buffer): SecretBox => {
  if (masterKey.length !== MASTER_KEY_BYTES) throw new AppError("CFG_MASTER_KEY_INVALID");
  // RFC 5869: a purpose-bound sub-key, so the master key can later serve other purposes (e.g.
  // signing cookies) without one use weakening another.
  const key = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "portico/secret-box/v1", 32));
  const aad = (context: string | undefined): Buffer =>
    Buffer.from(`${VERSION}\u0000${context ?? ""}`, "utf8");

  const open = (sealed: string, context?: string): Buffer => {
    const parts = SEALED_PATTERN.exec(sealed);
    if (parts === null) {
      throw new AppError("CRYPTO_DECRYPT_FAILED", { message: "The stored value is not a sealed secret." });
    }
    const [, iv = "", tag = "", ciphertext = ""] = parts;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad(context));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
    } catch {
      // One outcome for every cause (wrong key, wrong context, altered bytes): no oracle, no detail.
      throw new AppError("CRYPTO_DECRYPT_FAILED");
    }
  };

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(context));
      const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
      const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv, tag, ciphertext]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(".");
    },
    open,
    openText: (sealed, context) => open(sealed, context).toString("utf8"),
  };
};
