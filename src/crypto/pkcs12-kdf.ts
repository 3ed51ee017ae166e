import { createHash } from "node:crypto";
import { AppError } from "../lib/errors.ts";

/**
 * Iteration limits for the key derivations of one PKCS#12 import. The counts come from the file,
 * so without limits an uploaded file chooses how long the server computes.
 *
 * What real tools write: OpenSSL 2,048 (encryption and MAC); Java keytool 10,000 (PBES2 and MAC;
 * before JDK 12 and 11.0.12, 50,000 for its legacy SHA-1 encryption and 100,000 for its MAC);
 * GnuTLS 3.8 and Bouncy Castle 1.86 600,000 (OWASP's figure for PBKDF2-SHA256). .NET reads at
 * most 300,000 per derivation and 1,000,000 per file by default. So: 600,000 per derivation, and
 * 2,000,000 per file, which a GnuTLS file (MAC, certificates, key: 1,800,000) stays under.
 */
export const pkcs12Limits = { iterationsPerDerivation: 600_000, iterationsPerFile: 2_000_000 } as const;

/** The iterations one import has spent so far, against `iterationsPerFile`. */
export type KdfBudget = { spent: number };

export const newKdfBudget = (): KdfBudget => ({ spent: 0 });

const invalid = (message: string): AppError => new AppError("KEY_PKCS12_INVALID", { message });

/**
 * Charges one derivation of `iterations` (read from the file) to `budget`; refuses a count over
 * either limit, naming the count and the limit, before any work is done.
 */
export const spendIterations = (budget: KdfBudget, iterations: number, what: string): number => {
  const perDerivation = pkcs12Limits.iterationsPerDerivation;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > perDerivation) {
    throw invalid(
      `The PKCS#12 file asks for ${iterations} key-derivation iterations (${what}); Portico accepts at most ${perDerivation}.`,
    );
  }
  if (budget.spent + iterations > pkcs12Limits.iterationsPerFile) {
    throw invalid(
      `The PKCS#12 file asks for more than ${pkcs12Limits.iterationsPerFile} key-derivation iterations in all (${budget.spent + iterations} by ${what}); Portico accepts at most ${pkcs12Limits.iterationsPerFile} per file.`,
    );
  }
  budget.spent += iterations;
  return iterations;
};

/** The hashes RFC 7292's KDF is used with: `u` is the output size, `v` the block size, in bytes. */
const kdfHashes = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
} as const;

export type KdfHash = keyof typeof kdfHashes;

/** The size in bytes of a `hash` digest: the length of a MAC key derived with it. */
export const kdfHashSize = (hash: KdfHash): number => kdfHashes[hash].u;

/** Iterations between two turns of the event loop: a few milliseconds of hashing. */
const SLICE = 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * RFC 7292 Appendix B.2, the PKCS#12 key derivation: `id` 1 derives key material, 2 an IV, 3 a
 * MAC key. The password is BMPString with a terminating NUL, as the RFC requires. It hashes in
 * slices and lets the event loop turn between them, so a large count delays this import only,
 * never sign-ins; `spendIterations` bounds the count.
 */
export const pkcs12Kdf = async (
  password: string,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
  hash: KdfHash = "sha1",
): Promise<Buffer> => {
  const { u, v } = kdfHashes[hash];
  const bmp = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (source: Buffer): Buffer => {
    const out = Buffer.alloc(v * Math.ceil(source.length / v));
    for (let i = 0; i < out.length; i++) out.writeUInt8(source.readUInt8(i % source.length), i);
    return out;
  };
  const block = Buffer.concat([salt.length > 0 ? fill(salt) : Buffer.alloc(0), fill(bmp)]);
  const diversifier = Buffer.alloc(v, id);
  const result: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash(hash).update(diversifier).update(block).digest();
    for (let i = 1; i < iterations; i++) {
      if (i % SLICE === 0) await nextTurn();
      a = createHash(hash).update(a).digest();
    }
    result.push(a);
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, B being A repeated.
    const b = fill(a);
    for (let offset = 0; offset < block.length; offset += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i--) {
        const sum = block.readUInt8(offset + i) + b.readUInt8(i) + carry;
        block.writeUInt8(sum & 0xff, offset + i);
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(result).subarray(0, length);
};
