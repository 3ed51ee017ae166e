import { X509Certificate } from "node:crypto";
import type { SpConnection } from "../domain/sp-connection.ts";
import { AppError } from "../lib/errors.ts";
import { parseSpMetadata } from "../saml/metadata/parse-sp-metadata.ts";
import { presentConnection } from "./connections.ts";
import type { ServiceContext } from "./context.ts";
import { getDefaultSigningKeyId } from "./keys.ts";
import { addJitContract, type JitTemplateOptions } from "./salesforce-jit.ts";
import { applySalesforceTemplate, templateIds } from "./salesforce-template.ts";
import { applyStandardSamlTemplate } from "./standard-saml-template.ts";

export type ConvertInput = {
  connectionType: "SP";
  samlMetadata: string;
  templateId?: string | undefined;
  expectedEntityId?: string | undefined;
  expectedProtocol?: "SAML20" | undefined;
  /** Adds Salesforce's Just-in-Time provisioning contract to the template's connection. */
  jit?: JitTemplateOptions | undefined;
};

export type ConvertResult = {
  connection: SpConnection;
  signatureStatus: "SIGNED" | "UNSIGNED";
  certTrustStatus: "NOT_TRUSTED";
  certSubjectDn: string | null;
  certSerialNumber: string | null;
  certExpiration: string | null;
  /** What of the metadata the connection could not use, in sentences for the admin. */
  warnings: readonly string[];
};

const decodeBase64 = (text: string): Buffer => {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new AppError("SAML_METADATA_BASE64", {
      details: [{ field: "samlMetadata", message: "not base64" }],
    });
  }
  return Buffer.from(compact, "base64");
};

/**
 * `POST /connectionMetadata/convert`: SP metadata → a connection document, with the template's
 * defaults. Nothing is stored; the admin reviews the document and creates it.
 */
export const convertMetadata = async (
  context: ServiceContext,
  input: ConvertInput,
): Promise<ConvertResult> => {
  const templateId = input.templateId ?? "salesforce-provisioner";
  if (!(templateIds as readonly string[]).includes(templateId)) {
    throw new AppError("REQ_VALIDATION", {
      message: `templateId: unknown template "${templateId}"; known: ${templateIds.join(", ")}.`,
      details: [{ field: "templateId", message: "unknown template" }],
    });
  }
  const metadata = parseSpMetadata(decodeBase64(input.samlMetadata));
  if (input.expectedEntityId !== undefined && input.expectedEntityId !== metadata.entityId) {
    throw new AppError("SAML_METADATA_INVALID", {
      message: `The metadata's entityID ${metadata.entityId} is not the expected ${input.expectedEntityId}.`,
    });
  }
  const keyPairId = await getDefaultSigningKeyId(context);
  const key = keyPairId === undefined ? undefined : await context.store.signingKeys.get(keyPairId);
  if (!key) {
    throw new AppError("KEY_NOT_FOUND", {
      message: "The server has no default signing key pair; generate one first.",
    });
  }
  const signing = { keyPairId: key.id, keyAlgorithm: key.keyAlgorithm };
  const { connection, warnings: templateWarnings } =
    templateId === "standard-saml-sp"
      ? applyStandardSamlTemplate(metadata, signing)
      : applySalesforceTemplate(metadata, signing);
  const warnings = [...templateWarnings];
  if (input.jit !== undefined) {
    const notAdded = addJitContract(connection, input.jit);
    if (notAdded !== undefined) warnings.push(notAdded);
  }
  const first = metadata.signingCertificates[0];
  const cert = first === undefined ? undefined : new X509Certificate(Buffer.from(first, "base64"));
  const presented = presentConnection(context, {
    id: "",
    entityId: connection.entityId,
    name: connection.name,
    active: false,
    document: connection,
    createdAt: "",
    updatedAt: "",
  });
  delete presented.creationDate;
  delete presented.modificationDate;
  return {
    connection: presented,
    signatureStatus: metadata.isSigned ? "SIGNED" : "UNSIGNED",
    certTrustStatus: "NOT_TRUSTED",
    certSubjectDn: cert ? cert.subject.replace(/\n/g, ", ") : null,
    certSerialNumber: cert ? cert.serialNumber : null,
    certExpiration: cert ? new Date(cert.validTo).toISOString() : null,
    warnings,
  };
};
