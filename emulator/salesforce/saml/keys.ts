import "reflect-metadata";
import { webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** The SP's request-signing key pair and self-signed certificate, as Salesforce makes one. */
export type SpKeys = {
  privateKeyPem: string;
  certificatePem: string;
  /** The org the certificate names in its OU; a different org needs new keys. */
  orgId: string;
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Salesforce names its self-signed certificates `SelfSignedCert_10Jun2015_212024`
 * (salesforce-api.md §5.4): day, month, year, then the UTC time.
 */
export function selfSignedCertName(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const month = MONTHS[at.getUTCMonth()] ?? "Jan";
  return `SelfSignedCert_${two(at.getUTCDate())}${month}${at.getUTCFullYear()}_${two(
    at.getUTCHours(),
  )}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`;
}

export async function generateSpKeys(orgId: string, now: Date): Promise<SpKeys> {
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 2);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex"),
    name: `CN=${selfSignedCertName(now)}, OU=${orgId}, O=Salesforce.com, L=San Francisco, ST=CA, C=US`,
    notBefore: now,
    notAfter,
    signingAlgorithm: algorithm,
    keys: keys as unknown as CryptoKeyPair,
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    privateKeyPem: toPem(Buffer.from(pkcs8), "PRIVATE KEY"),
    certificatePem: cert.toString("pem"),
    orgId,
  };
}

export function toPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Base64 DER body of a PEM certificate, as it goes into `<ds:X509Certificate>`. */
export function certificateBody(pem: string): string {
  return new X509Certificate(pem).raw.toString("base64");
}
