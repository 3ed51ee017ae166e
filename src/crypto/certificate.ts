import "reflect-metadata"; // @peculiar/x509 needs it loaded first
import { createHash, type KeyObject, X509Certificate } from "node:crypto";
import { Name, X509Certificate as PeculiarCertificate } from "@peculiar/x509";
import { Certificate as PkijsCertificate } from "pkijs";
import { AppError, type ErrorCode } from "../lib/errors.ts";
import { type CurveName, type KeyAlgorithm, keyLabel, keyTypeOf } from "./key-type.ts";

/** What an admin sees of a certificate, and what the SAML layer needs of it. */
export type CertificateDescription = {
  /** RFC 4514 form, e.g. `CN=Portico, O=Acme`. */
  readonly subjectDn: string;
  readonly issuerDn: string;
  /** Hex, upper case. */
  readonly serialNumber: string;
  /** Hex, upper case, no separators: SHA-1 of the DER, the "thumbprint" Salesforce and Windows show. */
  readonly sha1Thumbprint: string;
  readonly sha256Thumbprint: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyAlgorithm: KeyAlgorithm;
  /** Bits: RSA modulus length, or the curve's size for EC (as PingFederate's certView.keySize). */
  readonly keySize: number;
  /** EC only. */
  readonly curve?: CurveName;
  /** RFC 3279/4055/5758 name, e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`; the OID if unknown. */
  readonly signatureAlgorithm: string;
  /** `now` is past notAfter. */
  readonly isExpired: boolean;
  /** `now` is before notBefore. */
  readonly isNotYetValid: boolean;
  /** Not yet expired, but expires within 30 days of `now`: time to roll the key over. */
  readonly expiresWithin30Days: boolean;
  /** DER, base64, no PEM armour: the content of `<ds:X509Certificate>`. */
  readonly certificateBase64: string;
};

const DAY_MS = 24 * 60 * 60 * 1000;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const signatureAlgorithms: Record<string, string> = {
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.3.101.112": "Ed25519",
};

/**
 * The RFC 4514 string of a name: RDNs from last to first as encoded, so the CN usually comes
 * first (`CN=idp, O=Acme, C=US`), as Java, PingFederate and Salesforce show names. OpenSSL prints
 * them in encoded order instead.
 */
export const distinguishedNameOf = (name: Name): string => new Name([...name.toJSON()].reverse()).toString();

/**
 * The name an RFC 4514 string denotes, RDNs in encoding order (the reverse of the string's).
 * Throws a plain Error if the string is not a distinguished name.
 */
export const nameFromDistinguishedName = (dn: string): Name => new Name([...new Name(dn).toJSON()].reverse());

const derFromBase64 = (text: string): Buffer | undefined => {
  const compact = text.replace(/\s+/g, "");
  return BASE64.test(compact) ? Buffer.from(compact, "base64") : undefined;
};

const fromDer = (der: Buffer): X509Certificate | undefined => {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
};

/**
 * Every certificate in `text`: PEM blocks in order (leaf first, by convention), or one bare
 * base64 DER certificate (as in `<ds:X509Certificate>`). Throws `code` (CERT_INVALID unless told)
 * if there is none or any one does not parse.
 */
export const parseCertificates = (text: string, code: ErrorCode = "CERT_INVALID"): X509Certificate[] => {
  const bodies = text.includes("-----BEGIN")
    ? [...text.matchAll(PEM_CERTIFICATE)].map((m) => m[1] ?? "")
    : [text];
  if (bodies.length === 0) {
    throw new AppError(code, { message: "No PEM certificate (-----BEGIN CERTIFICATE-----) was found." });
  }
  return bodies.map((body, index) => {
    const der = derFromBase64(body);
    const certificate = der === undefined ? undefined : fromDer(der);
    if (certificate === undefined) {
      throw new AppError(code, { message: `Certificate ${index + 1} could not be parsed as X.509.` });
    }
    return certificate;
  });
};

/** The first (leaf) certificate of a PEM text or bare base64 DER; CERT_INVALID if there is none. */
export const parseCertificate = (text: string): X509Certificate => {
  const [leaf] = parseCertificates(text);
  if (leaf === undefined) throw new AppError("CERT_INVALID");
  return leaf;
};

/** Normalised PEM (64-character lines, trailing newline) of a certificate. */
export const certificatePem = (certificate: X509Certificate): string => certificate.toString();

/** The PEM of a base64 DER certificate (e.g. from metadata's `<ds:X509Certificate>`); CERT_INVALID if it is not one. */
export const certificatePemFromBase64 = (base64: string): string => certificatePem(parseCertificate(base64));

/** The certificate's public key; CERT_INVALID if the text is not a certificate. */
export const publicKeyFromCertificate = (pem: string): KeyObject => parseCertificate(pem).publicKey;

/** Hash of a certificate's DER, hex upper case without separators (how thumbprints are compared). */
export const fingerprintOf = (
  certificate: string | X509Certificate,
  algorithm: "sha1" | "sha256",
): string => {
  const parsed = typeof certificate === "string" ? parseCertificate(certificate) : certificate;
  return createHash(algorithm).update(parsed.raw).digest("hex").toUpperCase();
};

/**
 * Describes the first certificate of `pem` as of `now`. Throws CERT_INVALID if it does not
 * parse, KEY_UNSUPPORTED if its key is neither RSA nor EC on a NIST curve.
 */
export const describeCertificate = (pem: string, now: Date): CertificateDescription => {
  const certificate = parseCertificate(pem);
  const keyType = keyTypeOf(certificate.publicKey);
  if (keyType === undefined) {
    throw new AppError("KEY_UNSUPPORTED", {
      message: `The certificate's key is ${keyLabel(certificate.publicKey)}; only RSA and EC keys are supported.`,
    });
  }
  let names: { subject: string; issuer: string; notBefore: Date; notAfter: Date; signatureOid: string };
  try {
    const peculiar = new PeculiarCertificate(certificate.raw);
    const pkijs = PkijsCertificate.fromBER(certificate.raw);
    names = {
      subject: distinguishedNameOf(peculiar.subjectName),
      issuer: distinguishedNameOf(peculiar.issuerName),
      notBefore: peculiar.notBefore,
      notAfter: peculiar.notAfter,
      signatureOid: pkijs.signatureAlgorithm.algorithmId,
    };
  } catch (cause) {
    throw new AppError("CERT_INVALID", { cause });
  }
  const time = now.getTime();
  const isExpired = time > names.notAfter.getTime();
  return {
    subjectDn: names.subject,
    issuerDn: names.issuer,
    serialNumber: certificate.serialNumber.toUpperCase(),
    sha1Thumbprint: fingerprintOf(certificate, "sha1"),
    sha256Thumbprint: fingerprintOf(certificate, "sha256"),
    notBefore: names.notBefore.toISOString(),
    notAfter: names.notAfter.toISOString(),
    keyAlgorithm: keyType.keyAlgorithm,
    keySize: keyType.keySize,
    ...(keyType.curve === undefined ? {} : { curve: keyType.curve }),
    signatureAlgorithm: signatureAlgorithms[names.signatureOid] ?? names.signatureOid,
    isExpired,
    isNotYetValid: time < names.notBefore.getTime(),
    expiresWithin30Days: !isExpired && names.notAfter.getTime() - time <= 30 * DAY_MS,
    certificateBase64: certificate.raw.toString("base64"),
  };
};
