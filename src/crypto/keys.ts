import "reflect-metadata"; // @peculiar/x509 needs it loaded first
import { createPrivateKey, type KeyObject, randomBytes, webcrypto, X509Certificate } from "node:crypto";
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  type Name,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from "@peculiar/x509";
import { AppError, invalid } from "../lib/errors.ts";
import { certificatePem, nameFromDistinguishedName, parseCertificates } from "./certificate.ts";
import { type KeyPairPem, keyPairFrom, pemOfPrivateKey } from "./key-pair.ts";
import { assertSigningKey, type KeyAlgorithm } from "./key-type.ts";

export type { KeyPairPem } from "./key-pair.ts";
export { type ImportPkcs12Options, importPkcs12 } from "./pkcs12.ts";

/** Options for `generateSigningKeyPair`. */
export type GenerateSigningKeyPairOptions = {
  readonly keyAlgorithm: KeyAlgorithm;
  /** RSA only; 2048 unless told. */
  readonly keySize?: 2048 | 3072 | undefined;
  /** EC only; P-256 unless told. */
  readonly curve?: "P-256" | undefined;
  /** RFC 4514 form, e.g. `CN=portico.example.com, O=Acme`. */
  readonly subjectDn: string;
  /** Whole days from `now` to notAfter, 1 to 36500. */
  readonly validDays: number;
  readonly now: Date;
  /** Hex; random 128 bits unless told. */
  readonly serialNumber?: string | undefined;
};

/** Options for `importPemKeyPair`. */
export type ImportPemKeyPairOptions = {
  /** PKCS#8, PKCS#1 (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or encrypted PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** The key's certificate PEM, optionally followed (or preceded) by its issuers. */
  readonly certificatePem: string;
  /** Password of an encrypted private key. */
  readonly password?: string | undefined;
};

const DAY_MS = 24 * 60 * 60 * 1000;
const PEM_PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

const signingAlgorithm = (options: GenerateSigningKeyPairOptions): RsaHashedKeyGenParams | EcKeyGenParams => {
  // Checked at run time too: options often come straight from a request body.
  const {
    keyAlgorithm,
    keySize = 2048,
    curve = "P-256",
  }: { keyAlgorithm: unknown; keySize?: unknown; curve?: unknown } = options;
  if (keyAlgorithm === "RSA" && (keySize === 2048 || keySize === 3072)) {
    // RFC 4055 sha256WithRSAEncryption, e = 65537
    const params = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: keySize };
    return { ...params, publicExponent: new Uint8Array([1, 0, 1]) };
  }
  if (keyAlgorithm === "EC" && curve === "P-256") {
    return { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as EcKeyGenParams; // RFC 5758 ecdsa-with-SHA256
  }
  throw new AppError("KEY_UNSUPPORTED", {
    message: "Portico generates RSA 2048 or 3072-bit keys, or EC P-256 keys.",
  });
};

const serialNumberOf = (serialNumber: string | undefined): string => {
  if (serialNumber === undefined) {
    const bytes = randomBytes(16);
    bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40; // positive, and always 16 bytes long
    return bytes.toString("hex");
  }
  const digits = serialNumber.replace(/^0+/, "").toLowerCase();
  // RFC 5280 §4.1.2.2: a positive integer of at most 20 octets.
  const fits = digits.length < 40 || (digits.length === 40 && Number.parseInt(digits[0] ?? "8", 16) < 8);
  if (!/^[0-9a-f]+$/.test(digits) || !fits) {
    throw invalid(
      "REQ_VALIDATION",
      "serialNumber",
      "must be a positive hexadecimal number of at most 20 bytes",
    );
  }
  return digits.length % 2 === 0 ? digits : `0${digits}`;
};

const subjectNameOf = (subjectDn: string): Name => {
  try {
    const name = nameFromDistinguishedName(subjectDn);
    if (name.toJSON().length > 0) return name;
  } catch {
    // reported below
  }
  throw invalid(
    "REQ_VALIDATION",
    "subjectDN",
    "must be a distinguished name such as CN=portico.example.com, O=Acme",
  );
};

/**
 * Generates a signing key pair and a self-signed certificate for it, valid from `now` for
 * `validDays`: RSA 2048/3072 with sha256WithRSAEncryption, or EC P-256 with ecdsa-with-SHA256.
 * Throws KEY_UNSUPPORTED for other algorithms, REQ_VALIDATION for a bad DN, validity or serial.
 */
export const generateSigningKeyPair = async (options: GenerateSigningKeyPairOptions): Promise<KeyPairPem> => {
  const algorithm = signingAlgorithm(options);
  if (!Number.isInteger(options.validDays) || options.validDays < 1 || options.validDays > 36500) {
    throw invalid("REQ_VALIDATION", "validDays", "must be a whole number of days from 1 to 36500");
  }
  const name = subjectNameOf(options.subjectDn);
  const serialNumber = serialNumberOf(options.serialNumber);
  const notBefore = new Date(Math.floor(options.now.getTime() / 1000) * 1000); // X.509 times have whole seconds
  const notAfter = new Date(notBefore.getTime() + options.validDays * DAY_MS);

  const crypto = webcrypto as Crypto;
  const keys = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber,
      name,
      notBefore,
      notAfter,
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    privateKeyPem: pemOfPrivateKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })),
    certificatePem: certificatePem(new X509Certificate(Buffer.from(certificate.rawData))),
    chainPems: [],
  };
};

const readPrivateKey = (pem: string, password: string | undefined): KeyObject => {
  const block = PEM_PRIVATE_KEY.exec(pem)?.[0];
  if (block === undefined) {
    throw new AppError("KEY_INVALID_PEM", {
      message: "No PEM private key (-----BEGIN PRIVATE KEY-----) was found.",
      details: [{ field: "privateKeyPem", message: "no PEM private key" }],
    });
  }
  // "ENCRYPTED PRIVATE KEY" (PKCS#8) or a "Proc-Type: 4,ENCRYPTED" header (OpenSSL's PKCS#1/SEC1).
  const isEncrypted = block.includes("ENCRYPTED");
  const field = isEncrypted ? "password" : "privateKeyPem";
  const fail = (message: string, cause?: unknown): AppError =>
    new AppError("KEY_INVALID_PEM", {
      message,
      details: [{ field, message }],
      ...(cause === undefined ? {} : { cause }),
    });
  if (isEncrypted && password === undefined) throw fail("The private key is encrypted; give its password.");
  try {
    return createPrivateKey({
      key: block,
      format: "pem",
      ...(password === undefined ? {} : { passphrase: password }),
    });
  } catch (cause) {
    // The cause is OpenSSL's reason only; it never carries the key or the password.
    throw fail(
      isEncrypted
        ? "The private key could not be decrypted; is the password right?"
        : "The private key could not be parsed.",
      cause,
    );
  }
};

/**
 * Imports a private key and its certificate from PEM into the normalised form (unencrypted
 * PKCS#8, leaf certificate, chain). Throws KEY_INVALID_PEM (unreadable key or certificate, wrong
 * or missing password), KEY_UNSUPPORTED (not RSA ≥ 2048 or EC P-256/P-384) or KEY_MISMATCH.
 */
export const importPemKeyPair = (options: ImportPemKeyPairOptions): KeyPairPem => {
  const key = readPrivateKey(options.privateKeyPem, options.password);
  assertSigningKey(key);
  const certificates = parseCertificates(options.certificatePem, "KEY_INVALID_PEM");
  return keyPairFrom(key, certificates);
};
