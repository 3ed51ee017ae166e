import { X509Certificate } from "node:crypto";
import { Value } from "@sinclair/typebox/value";
import type { ErrorDetail } from "../lib/errors.ts";
import { attributeMappings, SpConnection, ssoProfiles } from "./sp-connection.ts";

/** JSON-pointer path → the dotted field name admins read: `/spBrowserSso/ssoServiceEndpoints/0/url` → `spBrowserSso.ssoServiceEndpoints[0].url`. */
export const fieldName = (pointer: string): string =>
  pointer
    .split("/")
    .filter((p) => p !== "")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), "");

/** Shape errors (types, missing and unknown fields) against the schema, naming each field. */
export const shapeErrors = (input: unknown): ErrorDetail[] => {
  const details: ErrorDetail[] = [];
  for (const error of Value.Errors(SpConnection, input)) {
    const field = fieldName(error.path) || "(document)";
    details.push({ field, message: error.message });
    if (details.length >= 20) break;
  }
  return details;
};

const isAbsoluteHttpUrl = (text: string): boolean => {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
};

/** Parses a certificate given as PEM or base64 DER; undefined when it is neither. */
export const parseCertificate = (fileData: string): X509Certificate | undefined => {
  try {
    const text = fileData.trim();
    return new X509Certificate(
      text.startsWith("-----BEGIN") ? text : Buffer.from(text.replace(/\s+/g, ""), "base64"),
    );
  } catch {
    return undefined;
  }
};

/**
 * The invariants of a connection that need nothing but the document: defaults, endpoints,
 * identifiers, signature policy and attribute fulfillment (pingfederate-salesforce-spec.md §3.10).
 */
export const invariantErrors = (connection: SpConnection): ErrorDetail[] => {
  const errors: ErrorDetail[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });

  const virtualIds = connection.virtualEntityIds ?? [];
  if (
    connection.defaultVirtualEntityId !== undefined &&
    !virtualIds.includes(connection.defaultVirtualEntityId)
  ) {
    add("defaultVirtualEntityId", "must be one of virtualEntityIds");
  }
  if (virtualIds.length > 0 && connection.defaultVirtualEntityId === undefined) {
    add("defaultVirtualEntityId", "is required when virtualEntityIds is not empty");
  }
  if (
    connection.baseUrl !== undefined &&
    connection.baseUrl !== "" &&
    !isAbsoluteHttpUrl(connection.baseUrl)
  ) {
    add("baseUrl", "must be an absolute http(s) URL");
  }

  const sso = connection.spBrowserSso;
  if (sso) {
    const profiles = new Set(sso.enabledProfiles);
    if (!profiles.has("IDP_INITIATED_SSO") && !profiles.has("SP_INITIATED_SSO")) {
      add(
        "spBrowserSso.enabledProfiles",
        `must include at least one SSO profile (${ssoProfiles.slice(0, 2).join(" or ")})`,
      );
    }
    const needsBindings =
      profiles.has("SP_INITIATED_SSO") ||
      profiles.has("SP_INITIATED_SLO") ||
      profiles.has("IDP_INITIATED_SLO");
    if (needsBindings && (sso.incomingBindings ?? []).length === 0) {
      add("spBrowserSso.incomingBindings", "must not be empty when SP-initiated SSO or SLO is enabled");
    }
    const endpoints = sso.ssoServiceEndpoints;
    const defaults = endpoints.filter((e) => e.isDefault === true);
    if (defaults.length > 1)
      add("spBrowserSso.ssoServiceEndpoints", "exactly one endpoint may be the default; several are");
    if (defaults.length === 0 && endpoints.length > 1) {
      add(
        "spBrowserSso.ssoServiceEndpoints",
        "exactly one endpoint must be the default (isDefault: true); none is",
      );
    }
    const indexes = new Set<number>();
    endpoints.forEach((endpoint, i) => {
      if (indexes.has(endpoint.index)) {
        add(`spBrowserSso.ssoServiceEndpoints[${i}].index`, `index ${endpoint.index} is used twice`);
      }
      indexes.add(endpoint.index);
      const relativeAllowed =
        connection.baseUrl !== undefined && connection.baseUrl !== "" && endpoint.url.startsWith("/");
      if (!relativeAllowed && !isAbsoluteHttpUrl(endpoint.url)) {
        add(
          `spBrowserSso.ssoServiceEndpoints[${i}].url`,
          "must be an absolute http(s) URL (or a path when baseUrl is set)",
        );
      }
    });
    (sso.sloServiceEndpoints ?? []).forEach((endpoint, i) => {
      if (!isAbsoluteHttpUrl(endpoint.url) && !(connection.baseUrl && endpoint.url.startsWith("/"))) {
        add(`spBrowserSso.sloServiceEndpoints[${i}].url`, "must be an absolute http(s) URL");
      }
    });
    if (sso.signResponseAsRequired === false && sso.signAssertions !== true) {
      add(
        "spBrowserSso.signResponseAsRequired",
        "may be false only when signAssertions is true: something must be signed",
      );
    }
    if (sso.requireSignedAuthnRequests === true) {
      const verification = (connection.credentials?.certs ?? []).some((c) => c.encryptionCert !== true);
      if (!verification) {
        add(
          "credentials.certs",
          "a verification certificate is required when requireSignedAuthnRequests is true",
        );
      }
    }
    if (sso.encryptionPolicy?.encryptAssertion === true) {
      if (!(connection.credentials?.certs ?? []).some((c) => c.encryptionCert === true)) {
        add("credentials.certs", "an encryption certificate is required when encryptAssertion is true");
      }
    }
    const contract = [
      ...(sso.attributeContract.coreAttributes ?? []),
      ...(sso.attributeContract.extendedAttributes ?? []),
    ].map((a) => a.name);
    if (!contract.includes("SAML_SUBJECT") && (sso.spSamlIdentityMapping ?? "STANDARD") === "STANDARD") {
      add(
        "spBrowserSso.attributeContract.coreAttributes",
        "must contain SAML_SUBJECT for standard identity mapping",
      );
    }
    const mappings = attributeMappings(sso);
    if (mappings.length === 0) {
      add(
        "spBrowserSso.adapterMappings",
        "needs at least one authentication source mapping (adapterMappings or authenticationPolicyContractAssertionMappings)",
      );
    }
    for (const { mapping, path } of mappings) {
      for (const name of contract) {
        if (!(name in mapping.attributeContractFulfillment)) {
          add(`${path}.attributeContractFulfillment.${name}`, "is not fulfilled");
        }
      }
    }
    if (!connection.credentials?.signingSettings) {
      add(
        "credentials.signingSettings.signingKeyPairRef.id",
        "a signing key pair is required for browser SSO",
      );
    }
  }

  const certs = connection.credentials?.certs ?? [];
  certs.forEach((cert, i) => {
    if (!parseCertificate(cert.x509File.fileData)) {
      add(
        `credentials.certs[${i}].x509File.fileData`,
        "is not a parseable X.509 certificate (PEM or base64 DER)",
      );
    }
  });
  if (certs.filter((c) => c.primaryVerificationCert === true).length > 1) {
    add("credentials.certs", "at most one certificate may be the primary verification certificate");
  }
  if (certs.filter((c) => c.encryptionCert === true).length > 1) {
    add("credentials.certs", "at most one certificate may be the encryption certificate");
  }

  const provision = connection.outboundProvision;
  if (provision) {
    const names = new Set<string>();
    provision.targetSettings.forEach((setting, i) => {
      if (names.has(setting.name))
        add(`outboundProvision.targetSettings[${i}].name`, `"${setting.name}" appears twice`);
      names.add(setting.name);
      if (setting.value !== undefined && setting.encryptedValue !== undefined) {
        add(`outboundProvision.targetSettings[${i}]`, "give value or encryptedValue, not both");
      }
    });
    const channels = new Set<string>();
    provision.channels.forEach((channel, i) => {
      if (channels.has(channel.name))
        add(`outboundProvision.channels[${i}].name`, `"${channel.name}" is used twice`);
      channels.add(channel.name);
    });
  }
  return errors;
};
