import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt (RFC 7914). The encoding `scrypt$N$r$p$<salt>$<hash>` (salt and
 * hash base64url) carries its parameters, so they can be raised later: old hashes keep verifying
 * and `passwordNeedsRehash` says when to re-hash at the next successful sign-in.
 */

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds a hash. OWASP's cheat sheet names
 * N = 2^17 as the minimum; we take 2^15 because the built-in directory's sign-in form hashes on
 * every login on a small shared host, where 128 MiB a concurrent attempt would make the login page
 * a memory-exhaustion lever. Raise it here when hosts allow; stored hashes upgrade on sign-in.
 */
export const currentScryptParameters = { N: 2 ** 15, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
// Bounds on what we agree to compute for a stored hash: a hash from an imported configuration
// must not make one verification take gigabytes or seconds. 128·N·r ≤ 256 MiB; N·r·p ≤ 16× today's.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY_FACTOR = 2 ** 21; // N·r
const MAX_WORK_FACTOR = 2 ** 22; // N·r·p
const BASE64URL = /^[A-Za-z0-9_-]+$/;

type Parameters = { N: number; r: number; p: number };
type Decoded = Parameters & { salt: Buffer; hash: Buffer };

const deriveKey = (
  password: string,
  salt: Buffer,
  length: number,
  { N, r, p }: Parameters,
): Promise<Buffer> => {
  // scrypt needs 128·N·r bytes for V plus 128·r·p for B; node refuses beyond maxmem (32 MiB by default).
  const options: ScryptOptions = { N, r, p, maxmem: 128 * r * (N + p) + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(normalize(password), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
};

// NIST SP 800-63B §5.1.1.2: normalise with NFKC so the same password typed on systems that
// compose characters differently verifies.
const normalize = (password: string): Buffer => Buffer.from(password.normalize("NFKC"), "utf8");

const parseInteger = (text: string | undefined, max: number): number | undefined => {
  if (text === undefined || !/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
};

const decode = (encoded: string): Decoded | undefined => {
  const [scheme, n, r, p, salt, hash, ...rest] = encoded.split("$");
  if (scheme !== "scrypt" || rest.length > 0 || salt === undefined || hash === undefined) return undefined;
  const N = parseInteger(n, MAX_N);
  const R = parseInteger(r, MAX_R);
  const P = parseInteger(p, MAX_P);
  // N must be a power of two greater than 1 (RFC 7914 §2).
  if (N === undefined || N < 2 || (N & (N - 1)) !== 0 || R === undefined || P === undefined) return undefined;
  if (N * R > MAX_MEMORY_FACTOR || N * R * P > MAX_WORK_FACTOR) return undefined;
  if (!BASE64URL.test(salt) || !BASE64URL.test(hash)) return undefined;
  const saltBytes = Buffer.from(salt, "base64url");
  const hashBytes = Buffer.from(hash, "base64url");
  if (saltBytes.length < 8 || hashBytes.length < 16 || hashBytes.length > 64) return undefined;
  return { N, r: R, p: P, salt: saltBytes, hash: hashBytes };
};

/** Hashes a password with a fresh 16-byte salt and the current parameters. */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = currentScryptParameters;
  const hash = await deriveKey(password, salt, HASH_BYTES, currentScryptParameters);
  return ["scrypt", N, r, p, salt.toString("base64url"), hash.toString("base64url")].join("$");
};

/**
 * Whether `password` matches `encoded` (from `hashPassword`), compared in constant time. A
 * malformed or out-of-bounds encoding is a mismatch: this never throws for bad input.
 */
export const verifyPassword = async (password: string, encoded: string): Promise<boolean> => {
  const decoded = decode(encoded);
  if (decoded === undefined) return false;
  try {
    const candidate = await deriveKey(password, decoded.salt, decoded.hash.length, decoded);
    return timingSafeEqual(candidate, decoded.hash);
  } catch {
    return false;
  }
};

/** Whether a stored hash uses other parameters than `currentScryptParameters` (re-hash it after a successful check). */
export const passwordNeedsRehash = (encoded: string): boolean => {
  const decoded = decode(encoded);
  if (decoded === undefined) return true;
  const { N, r, p } = currentScryptParameters;
  return decoded.N !== N || decoded.r !== r || decoded.p !== p || decoded.hash.length !== HASH_BYTES;
};

/** The hash of a random password: verified against when there is no stored hash, never matched. */
let decoyHash: Promise<string> | undefined;

/**
 * Verifies against the stored hash, or — when there is none (no such account, no password) —
 * against a decoy, so a missing account costs the same scrypt as a wrong password and timing
 * does not tell which accounts exist. False whenever `encoded` is absent.
 */
export const verifyPasswordOrDecoy = async (
  password: string,
  encoded: string | null | undefined,
): Promise<boolean> => {
  if (encoded !== null && encoded !== undefined) return verifyPassword(password, encoded);
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await decoyHash);
  return false;
};
