import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import {
  AuthenticatedSafe,
  CertBag,
  EncryptedData,
  PFX,
  PKCS8ShroudedKeyBag,
  PrivateKeyInfo,
  type SafeBag,
  SafeContents,
} from "pkijs";
import { AppError } from "../lib/errors.ts";
import { type KeyPairPem, keyPairFrom } from "./key-pair.ts";
import { decryptWithPassword } from "./pkcs12-decrypt.ts";
import { type KdfBudget, newKdfBudget } from "./pkcs12-kdf.ts";
import { verifyPkcs12Mac } from "./pkcs12-mac.ts";

/**
 * Reads a PKCS#12 (.p12/.pfx) file (RFC 7292) with pkijs for the structure and node for the
 * cryptography. node:crypto cannot read PKCS#12, and node-forge is not an option (signature
 * forgery CVEs). Password integrity mode only: that is what every tool writes.
 */

/** Options for `importPkcs12`. */
export type ImportPkcs12Options = {
  /** The file's bytes. */
  readonly pkcs12: Buffer;
  readonly password: string;
};

const MAX_BYTES = 1024 * 1024;
const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  safeContentsBag: "1.2.840.113549.1.12.10.1.6",
  x509Certificate: "1.2.840.113549.1.9.22.1",
} as const;

const invalid = (message: string, cause?: unknown): AppError =>
  new AppError("KEY_PKCS12_INVALID", { message, ...(cause === undefined ? {} : { cause }) });

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** pkijs throws plain Errors on malformed ASN.1; they become one clear code. */
const parse = <T>(what: string, read: () => T): T => {
  try {
    return read();
  } catch (cause) {
    throw invalid(`The PKCS#12 file is malformed (${what}).`, cause);
  }
};

const parseAndVerify = async (
  bytes: Buffer,
  password: string,
  budget: KdfBudget,
): Promise<AuthenticatedSafe> => {
  const pfx = parse("not a PKCS#12 file", () => PFX.fromBER(arrayBuffer(bytes)));
  if (pfx.authSafe.contentType !== OID.data) {
    throw invalid(
      "The PKCS#12 file uses public-key integrity, which Portico does not read; export it with a password.",
    );
  }
  if (pfx.macData === undefined) {
    throw invalid("The PKCS#12 file has no integrity MAC; export it again with a password and a MAC.");
  }
  const content = parse("authenticated safe", () => {
    const octets = pfx.authSafe.content as { getValue?: () => ArrayBuffer };
    if (typeof octets.getValue !== "function") throw new Error("authSafe is not an OCTET STRING");
    return Buffer.from(octets.getValue());
  });
  // RFC 7292 §5.1: the MAC is checked before anything the file holds is read.
  await verifyPkcs12Mac(pfx.macData, content, password, budget);
  return parse("authenticated safe", () => AuthenticatedSafe.fromBER(arrayBuffer(content)));
};

/** The bags of every SafeContents, decrypting the password-encrypted ones. */
const readBags = async (safe: AuthenticatedSafe, password: string, budget: KdfBudget): Promise<SafeBag[]> => {
  const bags: SafeBag[] = [];
  for (const info of safe.safeContents) {
    let der: Buffer;
    if (info.contentType === OID.data) {
      der = parse("safe contents", () => Buffer.from(info.content.getValue()));
    } else if (info.contentType === OID.encryptedData) {
      const encrypted = parse("encrypted data", () => new EncryptedData({ schema: info.content }));
      const content = encrypted.encryptedContentInfo;
      const data = parse("encrypted data", () => Buffer.from(content.getEncryptedContent()));
      der = await decryptWithPassword(content.contentEncryptionAlgorithm, data, password, {
        what: "the encrypted certificates",
        budget,
      });
    } else {
      throw invalid("The PKCS#12 file holds certificate-encrypted content, which Portico does not read.");
    }
    const contents = parse("safe contents", () => SafeContents.fromBER(arrayBuffer(der)));
    bags.push(...flatten(contents.safeBags));
  }
  return bags;
};

const flatten = (bags: readonly SafeBag[]): SafeBag[] =>
  bags.flatMap((bag) =>
    bag.bagId === OID.safeContentsBag && bag.bagValue instanceof SafeContents
      ? flatten(bag.bagValue.safeBags)
      : [bag],
  );

const privateKeyOf = async (
  bag: SafeBag,
  password: string,
  budget: KdfBudget,
): Promise<KeyObject | undefined> => {
  let der: Buffer;
  if (bag.bagId === OID.keyBag && bag.bagValue instanceof PrivateKeyInfo) {
    der = Buffer.from(bag.bagValue.toSchema().toBER(false));
  } else if (bag.bagId === OID.shroudedKeyBag && bag.bagValue instanceof PKCS8ShroudedKeyBag) {
    const data = Buffer.from(bag.bagValue.encryptedData.getValue());
    der = await decryptWithPassword(bag.bagValue.encryptionAlgorithm, data, password, {
      what: "the encrypted private key",
      budget,
    });
  } else {
    return undefined;
  }
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch (cause) {
    throw invalid("The private key in the PKCS#12 file could not be read.", cause);
  }
};

const certificateOf = (bag: SafeBag): X509Certificate | undefined => {
  if (
    bag.bagId !== OID.certBag ||
    !(bag.bagValue instanceof CertBag) ||
    bag.bagValue.certId !== OID.x509Certificate
  ) {
    return undefined;
  }
  // The bag holds the certificate's DER in an OCTET STRING; read it as is, not re-encoded.
  const value = bag.bagValue.certValue as { valueBlock?: { valueHexView?: unknown } };
  const der = value.valueBlock?.valueHexView;
  try {
    if (!(der instanceof Uint8Array)) throw new Error("no certificate bytes");
    return new X509Certificate(Buffer.from(der));
  } catch (cause) {
    throw invalid("A certificate in the PKCS#12 file could not be parsed.", cause);
  }
};

/**
 * Imports the private key and certificate(s) of a PKCS#12 file into the normalised form. Reads
 * what `openssl pkcs12 -export` writes (PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, HMAC-SHA256
 * MAC) and also `-legacy` files (3DES key bag, RC2-40 certificate bag, HMAC-SHA1 MAC). The MAC is
 * verified first. Throws KEY_PKCS12_INVALID (malformed, wrong password, unsupported encryption,
 * no key or several keys), KEY_UNSUPPORTED or KEY_MISMATCH (no certificate for the key).
 */
export const importPkcs12 = async ({ pkcs12, password }: ImportPkcs12Options): Promise<KeyPairPem> => {
  if (pkcs12.length === 0 || pkcs12.length > MAX_BYTES) {
    throw invalid(`The PKCS#12 file must be between 1 byte and ${MAX_BYTES / 1024} KiB.`);
  }
  const budget = newKdfBudget();
  const safe = await parseAndVerify(pkcs12, password, budget);
  const bags = await readBags(safe, password, budget);
  const keys: KeyObject[] = [];
  const certificates: X509Certificate[] = [];
  for (const bag of bags) {
    const key = await privateKeyOf(bag, password, budget);
    if (key !== undefined) keys.push(key);
    const certificate = certificateOf(bag);
    if (certificate !== undefined) certificates.push(certificate);
  }
  const [key, ...otherKeys] = keys;
  if (key === undefined) throw invalid("The PKCS#12 file holds no private key.");
  if (otherKeys.length > 0) {
    throw invalid("The PKCS#12 file holds more than one private key; export one key pair per file.");
  }
  if (certificates.length === 0) throw invalid("The PKCS#12 file holds no certificate.");
  return keyPairFrom(key, certificates);
};
