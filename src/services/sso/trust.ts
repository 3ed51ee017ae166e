import type { SpConnection } from "../../domain/sp-connection.ts";
import { parseCertificate } from "../../domain/validate-sp-connection.ts";
import type { SpTrust } from "../../saml/authn-request/read-authn-request.ts";
import { verifyAlgorithms } from "../../saml/signing/verify-algorithms.ts";

/**
 * What verifies messages from this SP: only the certificates pinned in the connection (never a
 * KeyInfo), and RSA/ECDSA with SHA-256 or stronger. SHA-1 is accepted only from a connection
 * whose own signing algorithm was set to SHA-1 — an explicit, per-connection choice.
 */
export const trustFor = (connection: SpConnection, requireSignature: boolean): SpTrust => ({
  entityId: connection.entityId,
  certificatesPem: (connection.credentials?.certs ?? [])
    .filter((c) => c.encryptionCert !== true && c.activeVerificationCert !== false)
    .map((c) => parseCertificate(c.x509File.fileData)?.toString())
    .filter((pem): pem is string => pem !== undefined),
  requireSignature,
  allowed: verifyAlgorithms({
    allowSha1: connection.credentials?.signingSettings?.algorithm === "SHA1withRSA",
  }),
});
