import { AppError } from "../lib/errors.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { importSigningKey, type SigningKeyView } from "./keys.ts";

/** The parts of a generated certificate's subject, as the admin API and the console take them. */
export type SubjectParts = {
  commonName?: string | undefined;
  organization?: string | undefined;
  organizationUnit?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  country?: string | undefined;
};

/** RFC 4514 escaping of one attribute value. */
const escapeDn = (value: string) =>
  value
    .replace(/([,+"\\<>;=])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ");

/** The subject DN for these parts; none without a common name (the server's host name then). */
export const subjectDnOf = (parts: SubjectParts): string | undefined => {
  if (parts.commonName === undefined) return undefined;
  const pairs: [string, string | undefined][] = [
    ["CN", parts.commonName],
    ["OU", parts.organizationUnit],
    ["O", parts.organization],
    ["L", parts.city],
    ["ST", parts.state],
    ["C", parts.country],
  ];
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeDn(v)}`)
    .join(", ");
};

const pemBlocks = (text: string, label: RegExp) =>
  [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)]
    .filter((m) => label.test(m[1] ?? ""))
    .map((m) => m[0]);

/**
 * Imports a key pair from one file: PKCS#12 (base64 here, a password required) or PEM (the
 * private key and the certificate chain, concatenated, in any order).
 */
export const importSigningKeyFile = async (
  context: ServiceContext,
  actor: Actor,
  input: {
    id?: string | undefined;
    format: "PKCS12" | "PEM";
    fileData: string;
    password?: string | undefined;
  },
): Promise<SigningKeyView> => {
  if (input.format === "PKCS12") {
    if (input.password === undefined) {
      throw new AppError("REQ_VALIDATION", {
        message: "password: required for PKCS12",
        details: [{ field: "password", message: "required for PKCS12" }],
      });
    }
    return importSigningKey(context, actor, {
      id: input.id,
      format: "PKCS12",
      fileData: input.fileData,
      password: input.password,
    });
  }
  const [privateKey] = pemBlocks(input.fileData, /PRIVATE KEY$/);
  const certificates = pemBlocks(input.fileData, /^CERTIFICATE$/);
  if (privateKey === undefined || certificates.length === 0) {
    throw new AppError("KEY_INVALID_PEM", {
      message: "fileData: needs one PRIVATE KEY block and at least one CERTIFICATE block.",
      details: [{ field: "fileData", message: "missing private key or certificate" }],
    });
  }
  return importSigningKey(context, actor, {
    id: input.id,
    format: "PEM",
    privateKey,
    certificate: certificates.join("\n"),
    password: input.password,
  });
};
