import { X509Certificate } from "node:crypto";
import type { SpConnection } from "../../domain/sp-connection.ts";
import { parseCertificate } from "../../domain/validate-sp-connection.ts";
import type { ErrorDetail } from "../../lib/errors.ts";
import { errorsUnder } from "./browser-sso-edit.ts";

/**
 * The Credentials tab's Signature Verification certificates (pingfederate-salesforce-spec.md
 * §3.7): the SP's signing certificate, uploaded as a PEM or DER file, checks its signed
 * AuthnRequests and logout messages. The first is the primary, the next the secondary (for a
 * rollover); removing the primary makes the secondary primary.
 */

const maxCerts = 10;

/** The file's certificate as PEM, or why it is not one. */
const readCertificate = (file: Buffer): { pem: string } | { error: string } => {
  if (file.length === 0) return { error: "choose the SP's signing certificate file (PEM or DER)" };
  const text = file.toString("latin1");
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    return { error: "the file holds a private key: upload only the SP's certificate" };
  try {
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text)?.[0];
    return { pem: new X509Certificate(pem ?? file).toString() };
  } catch {
    return { error: "the file is not an X.509 certificate (PEM or DER)" };
  }
};

export const addVerificationCert = (
  document: SpConnection,
  file: Buffer,
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const read = readCertificate(file);
  if ("error" in read) return { document: copy, errors: [{ field: "certificate", message: read.error }] };
  const certs = copy.credentials?.certs ?? [];
  const fingerprint = new X509Certificate(read.pem).fingerprint256;
  if (certs.some((c) => parseCertificate(c.x509File.fileData)?.fingerprint256 === fingerprint))
    return {
      document: copy,
      errors: [{ field: "certificate", message: "this certificate is already listed" }],
    };
  if (certs.length >= maxCerts)
    return {
      document: copy,
      errors: [
        {
          field: "certificate",
          message: `a connection holds at most ${maxCerts} certificates: remove one first`,
        },
      ],
    };
  const verifying = certs.filter((c) => c.encryptionCert !== true);
  const hasPrimary = verifying.some((c) => c.primaryVerificationCert === true);
  const hasSecondary = verifying.some((c) => c.secondaryVerificationCert === true);
  copy.credentials = {
    ...copy.credentials,
    certs: [
      ...certs,
      {
        x509File: { fileData: read.pem },
        activeVerificationCert: true,
        ...(hasPrimary ? {} : { primaryVerificationCert: true }),
        ...(hasPrimary && !hasSecondary ? { secondaryVerificationCert: true } : {}),
      },
    ],
  };
  return { document: copy, errors: errorsUnder(copy, ["credentials"]) };
};

export const removeCert = (
  document: SpConnection,
  row: number,
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const certs = copy.credentials?.certs ?? [];
  const removed = certs[row];
  if (!copy.credentials || !removed)
    return { document: copy, errors: [{ field: "certificate", message: "there is no such certificate" }] };
  const kept = certs.filter((_, i) => i !== row);
  const secondary = kept.find((c) => c.secondaryVerificationCert === true);
  if (removed.primaryVerificationCert === true && secondary) {
    secondary.primaryVerificationCert = true;
    secondary.secondaryVerificationCert = false;
  }
  copy.credentials.certs = kept;
  // Errors under credentials and Browser SSO: signed AuthnRequests may need a certificate left.
  return { document: copy, errors: errorsUnder(copy, ["credentials", "spBrowserSso"]) };
};
