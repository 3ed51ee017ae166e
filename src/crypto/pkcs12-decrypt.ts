import { createDecipheriv, pbkdf2 } from "node:crypto";
import { type AlgorithmIdentifier, PBES2Params, PBKDF2Params } from "pkijs";
import { AppError } from "../lib/errors.ts";
import { type KdfBudget, pkcs12Kdf, spendIterations } from "./pkcs12-kdf.ts";
import { rc2CbcDecrypt } from "./rc2.ts";

/**
 * Password-based decryption of the encrypted parts of a PKCS#12 file: PBES2 (RFC 8018 §6.2, what
 * OpenSSL 3 writes) and the PKCS#12 PBE schemes (RFC 7292 Appendix B and C, what `-legacy`,
 * OpenSSL 1.x and older Windows write). Node does the ciphers except RC2, which rc2.ts does.
 */

const invalid = (message: string): AppError => new AppError("KEY_PKCS12_INVALID", { message });
const REEXPORT = "re-export without -legacy (openssl pkcs12 -export then uses AES-256-CBC)";

const prfs: Record<string, string> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};

const pbes2Ciphers: Record<string, { cipher: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { cipher: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { cipher: "des-ede3-cbc", keyLength: 24 },
};

// RFC 7292 Appendix C. The two RC4 schemes (…12.1.1 and …12.1.2) are not read.
const pkcs12Schemes: Record<string, { cipher: "des-ede3-cbc" | "des-ede-cbc" | "rc2"; keyLength: number }> = {
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyLength: 24 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyLength: 16 },
  "1.2.840.113549.1.12.1.5": { cipher: "rc2", keyLength: 16 },
  "1.2.840.113549.1.12.1.6": { cipher: "rc2", keyLength: 5 },
};

const schemeNames: Record<string, string> = {
  "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4",
  "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
};

/** The bytes of a primitive OCTET STRING from pkijs' untyped parameters, else undefined. */
const octets = (value: unknown): Buffer | undefined => {
  const node = value as {
    idBlock?: { tagClass?: unknown; tagNumber?: unknown };
    valueBlock?: { valueHexView?: unknown };
  };
  const bytes = node?.valueBlock?.valueHexView;
  if (node?.idBlock?.tagClass !== 1 || node.idBlock.tagNumber !== 4 || !(bytes instanceof Uint8Array))
    return undefined;
  return Buffer.from(bytes);
};

const decipher = (cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer => {
  const engine = createDecipheriv(cipher, key, iv);
  return Buffer.concat([engine.update(data), engine.final()]);
};

/** Where an encrypted part is, and what its derivations are charged to. */
type Charge = { readonly what: string; readonly budget: KdfBudget };

const decryptPbes2 = async (
  params: unknown,
  data: Buffer,
  password: string,
  charge: Charge,
): Promise<Buffer> => {
  let pbes2: PBES2Params;
  let kdf: PBKDF2Params;
  try {
    pbes2 = new PBES2Params({ schema: params });
    if (pbes2.keyDerivationFunc.algorithmId !== "1.2.840.113549.1.5.12") throw new Error("not PBKDF2");
    kdf = new PBKDF2Params({ schema: pbes2.keyDerivationFunc.algorithmParams });
  } catch {
    throw invalid(
      "The PKCS#12 file uses a password-based encryption Portico cannot read (PBES2 without PBKDF2).",
    );
  }
  const scheme = pbes2Ciphers[pbes2.encryptionScheme.algorithmId];
  const digest = kdf.prf === undefined ? "sha1" : prfs[kdf.prf.algorithmId];
  const salt = octets(kdf.salt);
  const iv = octets(pbes2.encryptionScheme.algorithmParams);
  if (scheme === undefined || digest === undefined || salt === undefined || iv === undefined) {
    throw invalid(`The PKCS#12 file uses a cipher Portico cannot read; ${REEXPORT}.`);
  }
  // PBKDF2 runs in libuv's thread pool: it takes time, but never the event loop.
  const iterations = spendIterations(charge.budget, kdf.iterationCount, charge.what);
  const key = await new Promise<Buffer>((resolve, reject) => {
    pbkdf2(Buffer.from(password, "utf8"), salt, iterations, scheme.keyLength, digest, (error, derived) =>
      error ? reject(error) : resolve(derived),
    );
  });
  return decipher(scheme.cipher, key, iv, data);
};

const decryptPkcs12Pbe = async (
  oid: string,
  params: unknown,
  data: Buffer,
  password: string,
  charge: Charge,
): Promise<Buffer> => {
  const scheme = pkcs12Schemes[oid];
  if (scheme === undefined) {
    throw invalid(
      `The PKCS#12 file is encrypted with ${schemeNames[oid] ?? oid}, which Portico cannot read; ${REEXPORT}.`,
    );
  }
  let pbe: PBKDF2Params;
  try {
    // pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER } is the head of
    // PBKDF2-params (RFC 8018 A.2), whose schema reads it.
    pbe = new PBKDF2Params({ schema: params });
  } catch {
    throw invalid("The PKCS#12 file's encryption parameters are malformed.");
  }
  const salt = octets(pbe.salt);
  if (salt === undefined) throw invalid("The PKCS#12 file's encryption parameters are malformed.");
  const iterations = spendIterations(charge.budget, pbe.iterationCount, charge.what);
  const key = await pkcs12Kdf(password, salt, 1, iterations, scheme.keyLength);
  spendIterations(charge.budget, iterations, `${charge.what}, its IV`);
  const iv = await pkcs12Kdf(password, salt, 2, iterations, 8);
  return scheme.cipher === "rc2"
    ? rc2CbcDecrypt(key, key.length * 8, iv, data)
    : decipher(scheme.cipher, key, iv, data);
};

/**
 * Decrypts `data` encrypted under `algorithm` with `password`, charging its key derivations to
 * `charge.budget`. Throws KEY_PKCS12_INVALID for an unsupported scheme (naming it), too many
 * iterations, or when decryption fails (wrong password or damaged file).
 */
export const decryptWithPassword = async (
  algorithm: AlgorithmIdentifier,
  data: Buffer,
  password: string,
  charge: Charge,
): Promise<Buffer> => {
  const oid = algorithm.algorithmId;
  const params: unknown = algorithm.algorithmParams;
  try {
    if (oid === "1.2.840.113549.1.5.13") return await decryptPbes2(params, data, password, charge);
    return await decryptPkcs12Pbe(oid, params, data, password, charge);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("KEY_PKCS12_INVALID", {
      message: "Part of the PKCS#12 file could not be decrypted: wrong password or damaged file.",
      cause: error,
    });
  }
};
