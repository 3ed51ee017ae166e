import { createHmac, timingSafeEqual } from "node:crypto";
import type { MacData } from "pkijs";
import { AppError } from "../lib/errors.ts";
import { type KdfBudget, type KdfHash, kdfHashSize, pkcs12Kdf, spendIterations } from "./pkcs12-kdf.ts";

/**
 * The integrity check of a password-protected PKCS#12 file (RFC 7292 §5.1, Appendix B): an HMAC
 * over the authenticated safe, under a key derived from the password with the file's salt and
 * iteration count. Checked here rather than by pkijs, whose derivation hashes in one synchronous
 * run and so held the event loop for as long as the file asked.
 */

const macDigests: Readonly<Record<string, KdfHash>> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const PBMAC1 = "1.2.840.113549.1.5.14";

const invalid = (message: string): AppError => new AppError("KEY_PKCS12_INVALID", { message });

/** Throws KEY_PKCS12_INVALID unless `content` carries the MAC of `macData` under `password`. */
export const verifyPkcs12Mac = async (
  macData: MacData,
  content: Buffer,
  password: string,
  budget: KdfBudget,
): Promise<void> => {
  const oid = macData.mac.digestAlgorithm.algorithmId;
  const hash = macDigests[oid];
  if (hash === undefined) {
    throw invalid(
      oid === PBMAC1
        ? "The PKCS#12 file's MAC is PBMAC1 (RFC 9579), which Portico does not read; export it without -pbmac1_pbkdf2."
        : `The PKCS#12 file's MAC uses a digest Portico does not know (${oid}); export it with SHA-256.`,
    );
  }
  const iterations = spendIterations(budget, macData.iterations ?? 1, "the integrity MAC");
  const salt = Buffer.from(macData.macSalt.valueBlock.valueHexView);
  const key = await pkcs12Kdf(password, salt, 3, iterations, kdfHashSize(hash), hash);
  const expected = createHmac(hash, key).update(content).digest();
  const actual = Buffer.from(macData.mac.digest.valueBlock.valueHexView);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw invalid("The PKCS#12 password is wrong, or the file is damaged (its MAC does not verify).");
  }
};
