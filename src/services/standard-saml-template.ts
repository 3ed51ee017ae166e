import type { SpConnection } from "../domain/sp-connection.ts";
import type { ParsedSpMetadata } from "../saml/metadata/parse-sp-metadata.ts";
import { attrnameFormat } from "../saml/urn.ts";
import { samlSpConnection, type TemplateResult } from "./salesforce-template.ts";

/** The directory attributes a standard SAML SP receives, under their own names (basic format). */
export const standardAttributes = ["uid", "mail", "givenName", "sn"] as const;

const displayName = (entityId: string): string => {
  try {
    return new URL(entityId).host || entityId;
  } catch {
    return entityId;
  }
};

/**
 * The "standard SAML SP" template (`STANDARD` connection target type), for applications that are
 * not Salesforce: the metadata's HTTP-POST ACSs, SLO endpoints and certificates, the subject its
 * NameIDFormat asks for (emailAddress → mail, unspecified → uid, persistent → pairwise,
 * transient → transient), a signed assertion when WantAssertionsSigned says so, signed
 * AuthnRequests required when AuthnRequestsSigned says so, and uid, mail, givenName and sn as
 * attributes from the directory. No provisioning.
 */
export const applyStandardSamlTemplate = (
  metadata: ParsedSpMetadata,
  signing: { keyPairId: string; keyAlgorithm: "RSA" | "EC" },
): TemplateResult => {
  const warnings: string[] = [];
  const connection = samlSpConnection(metadata, signing, warnings, {
    name: displayName(metadata.entityId),
    unspecifiedSubjectFrom: "uid",
  });
  const sso = connection.spBrowserSso;
  sso.attributeContract.extendedAttributes = standardAttributes.map((name) => ({
    name,
    nameFormat: attrnameFormat.basic,
  }));
  const mapping = sso.adapterMappings[0];
  if (mapping) {
    for (const name of standardAttributes) {
      mapping.attributeContractFulfillment[name] = { source: { type: "ADAPTER" }, value: name };
    }
  }
  return { connection: connection satisfies SpConnection, warnings };
};
