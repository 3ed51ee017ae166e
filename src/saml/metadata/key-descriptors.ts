import { X509Certificate } from "node:crypto";
import { attr, childElements, textOf } from "../../xml/select.ts";
import { ns } from "../urn.ts";
import { metadataError, quote } from "./metadata-error.ts";

/** Certificates of a role descriptor, as base64 DER without whitespace, in metadata order. */
export type RoleCertificates = {
  readonly signing: string[];
  readonly encryption: string[];
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads every `md:KeyDescriptor/ds:KeyInfo/ds:X509Data/ds:X509Certificate`. A KeyDescriptor
 * without `use` holds a key for both purposes (saml-metadata §2.4.1.1). KeyDescriptors that carry
 * no X.509 certificate (only a KeyName or KeyValue) are skipped: Portico pins certificates.
 * Each certificate must parse as X.509 (SAML_METADATA_BAD_CERT); duplicates are kept once.
 */
export const readCertificates = (descriptor: Element): RoleCertificates => {
  const signing: string[] = [];
  const encryption: string[] = [];
  let position = 0;
  for (const keyDescriptor of childElements(descriptor, ns.metadata, "KeyDescriptor")) {
    const use = attr(keyDescriptor, "use")?.trim();
    if (use !== undefined && use !== "signing" && use !== "encryption") {
      throw metadataError(
        "SAML_METADATA_INVALID",
        `KeyDescriptor use must be "signing" or "encryption", not ${quote(use)}`,
      );
    }
    for (const keyInfo of childElements(keyDescriptor, ns.xmldsig, "KeyInfo")) {
      for (const x509Data of childElements(keyInfo, ns.xmldsig, "X509Data")) {
        for (const element of childElements(x509Data, ns.xmldsig, "X509Certificate")) {
          position++;
          const der = checkCertificate(
            textOf(element),
            `${use ?? "signing and encryption"} certificate`,
            position,
          );
          if (use !== "encryption" && !signing.includes(der)) signing.push(der);
          if (use !== "signing" && !encryption.includes(der)) encryption.push(der);
        }
      }
    }
  }
  return { signing, encryption };
};

const checkCertificate = (text: string, what: string, position: number): string => {
  const base64 = text.replace(/[ \t\r\n]+/g, "");
  const where = `the ${what} (X509Certificate #${position})`;
  if (base64 === "" || !BASE64.test(base64)) {
    throw metadataError("SAML_METADATA_BAD_CERT", `${where} is not base64`);
  }
  try {
    new X509Certificate(Buffer.from(base64, "base64"));
  } catch {
    throw metadataError("SAML_METADATA_BAD_CERT", `${where} is not a valid X.509 certificate`);
  }
  return base64;
};
