import type { ErrorDetail } from "../lib/errors.ts";
import type { SpConnection } from "./sp-connection.ts";

/**
 * The parts of a PingFederate SP connection Portico stores as sent but does not serve. A document
 * carrying them is accepted (a PingFederate export imports unchanged) and each is reported as a
 * warning; the few that cannot be stored honestly are refused, the error naming the feature
 * (docs/pingfederate-import.md).
 */

const present = (value: unknown): boolean =>
  value !== undefined &&
  value !== null &&
  value !== false &&
  value !== "" &&
  !(Array.isArray(value) && value.length === 0) &&
  !(typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);

const protocolNames: Readonly<Record<string, string>> = {
  SAML11: "SAML 1.1 browser SSO",
  SAML10: "SAML 1.0 browser SSO",
  WSFED: "WS-Federation browser SSO",
};

/** What Portico keeps but does not do, one sentence each, naming the field. */
export const unsupportedWarnings = (connection: SpConnection): string[] => {
  const warnings: string[] = [];
  const warn = (field: string, feature: string) =>
    warnings.push(`${field}: ${feature} is not supported by Portico; stored as sent, not served`);
  if (present(connection.wsTrust)) warn("wsTrust", "WS-Trust (security token service)");
  if (present(connection.attributeQuery)) warn("attributeQuery", "SAML attribute query");
  if (present(connection.additionalAllowedEntitiesConfiguration)) {
    warn("additionalAllowedEntitiesConfiguration", "additional allowed entities");
  }
  const credentials = connection.credentials;
  if (present(credentials?.decryptionKeyPairRef)) {
    warn("credentials.decryptionKeyPairRef", "decrypting what the SP sends (a decryption key)");
  }
  if (present(credentials?.secondaryDecryptionKeyPairRef)) {
    warn("credentials.secondaryDecryptionKeyPairRef", "decrypting what the SP sends (a decryption key)");
  }
  if (present(credentials?.outboundBackChannelAuth)) {
    warn("credentials.outboundBackChannelAuth", "back-channel (SOAP) authentication");
  }
  if (present(credentials?.inboundBackChannelAuth)) {
    warn("credentials.inboundBackChannelAuth", "back-channel (SOAP) authentication");
  }
  const sso = connection.spBrowserSso;
  if (sso) {
    if (present(sso.artifact)) warn("spBrowserSso.artifact", "SAML artifact resolution");
    if (sso.alwaysSignArtifactResponse === true) {
      warn("spBrowserSso.alwaysSignArtifactResponse", "SAML artifact resolution");
    }
    for (const field of ["wsFedTokenType", "wsTrustVersion", "spWsFedIdentityMapping"] as const) {
      if (present(sso[field])) warn(`spBrowserSso.${field}`, "WS-Federation");
    }
    (sso.authenticationPolicyContractAssertionMappings ?? []).forEach((mapping, i) => {
      warnings.push(
        `spBrowserSso.authenticationPolicyContractAssertionMappings[${i}].authenticationPolicyContractRef: Portico has no authentication policy contracts; contract "${mapping.authenticationPolicyContractRef.id}" attributes are read from the signed-in user's directory entry ("subject" is the uid)`,
      );
    });
  }
  if (connection.active === true && !sso && !connection.outboundProvision) {
    warnings.push(
      "active: the connection has neither spBrowserSso nor outboundProvision; Portico serves nothing for it",
    );
  }
  return warnings;
};

/** What Portico refuses to store, each error naming the feature. */
export const unsupportedErrors = (connection: SpConnection): ErrorDetail[] => {
  const errors: ErrorDetail[] = [];
  const protocol = connection.spBrowserSso?.protocol;
  if (protocol !== undefined && protocol !== "SAML20") {
    errors.push({
      field: "spBrowserSso.protocol",
      message: `${protocolNames[protocol] ?? protocol} is not supported by Portico, which speaks SAML 2.0 (SAML20) only`,
    });
  }
  for (const side of ["inboundBackChannelAuth", "outboundBackChannelAuth"] as const) {
    const basic = connection.credentials?.[side]?.httpBasicCredentials as { password?: unknown } | undefined;
    if (basic?.password !== undefined) {
      errors.push({
        field: `credentials.${side}.httpBasicCredentials.password`,
        message:
          "back-channel (SOAP) authentication is not supported by Portico, which will not store its password; leave the password out",
      });
    }
  }
  return errors;
};
