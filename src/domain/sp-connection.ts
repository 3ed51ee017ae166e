import { type Static, Type } from "@sinclair/typebox";
import { type SigningAlgorithm, signingAlgorithmNames } from "../saml/signing/algorithms.ts";
import { Channel } from "./channel.ts";
import { closed, optional, union } from "./typebox.ts";

/**
 * The SP connection document: the subset of PingFederate's `/idp/spConnections` resource that a
 * Salesforce connection uses (pingfederate-salesforce-spec.md §2 and §8). Field names are
 * PingFederate's, so a connection exported from PingFederate imports unchanged. Objects are closed
 * (`additionalProperties: false`): an unknown field is an error naming it, never silently dropped.
 */

export const ResourceLink = closed({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  location: optional(Type.String({ description: "read-only, ignored on input" })),
});

const nonEmpty = (description?: string) =>
  Type.String({ minLength: 1, maxLength: 2048, ...(description ? { description } : {}) });

export const ContactInfo = closed({
  company: optional(Type.String({ maxLength: 256 })),
  email: optional(Type.String({ maxLength: 256 })),
  firstName: optional(Type.String({ maxLength: 256 })),
  lastName: optional(Type.String({ maxLength: 256 })),
  phone: optional(Type.String({ maxLength: 64 })),
});

export const ssoProfiles = [
  "IDP_INITIATED_SSO",
  "SP_INITIATED_SSO",
  "IDP_INITIATED_SLO",
  "SP_INITIATED_SLO",
] as const;
export type SsoProfile = (typeof ssoProfiles)[number];

/** What each profile lets happen, in the words an error page gives a user (never the enum name). */
export const ssoProfileInWords: Readonly<Record<SsoProfile, string>> = {
  IDP_INITIATED_SSO: "sign-in started at the identity provider",
  SP_INITIATED_SSO: "sign-in started by the application",
  IDP_INITIATED_SLO: "single logout started at the identity provider",
  SP_INITIATED_SLO: "single logout started by the application",
};
export const bindings = ["ARTIFACT", "POST", "REDIRECT", "SOAP"] as const;

export const SsoServiceEndpoint = closed({
  binding: union(["POST", "ARTIFACT", "REDIRECT"] as const),
  url: nonEmpty("Assertion Consumer Service URL"),
  index: Type.Integer({ minimum: 0, maximum: 65535 }),
  isDefault: optional(Type.Boolean({ default: false })),
});

export const SloServiceEndpoint = closed({
  binding: union(["POST", "REDIRECT", "ARTIFACT", "SOAP"] as const),
  url: nonEmpty(),
  responseUrl: optional(Type.String({ maxLength: 2048 })),
});

export const nameFormats = [
  "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
  "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
  "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
  "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
  "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
] as const;

export const ContractAttribute = closed({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  nameFormat: optional(Type.String({ minLength: 1, maxLength: 256 })),
});

export const sourceTypes = [
  "ADAPTER",
  "AUTHENTICATION_POLICY_CONTRACT",
  "LDAP_DATA_STORE",
  "JDBC_DATA_STORE",
  "CUSTOM_DATA_STORE",
  "CONTEXT",
  "TEXT",
  "EXPRESSION",
  "NO_MAPPING",
  "MAPPED_ATTRIBUTES",
] as const;

export const AttributeFulfillmentValue = closed({
  source: closed({ type: union(sourceTypes), id: optional(Type.String({ maxLength: 64 })) }),
  value: Type.String({ maxLength: 2048 }),
});

/** PingFederate's open-ended pieces we keep verbatim so its exports round-trip. */
const passthrough = (description: string) =>
  Type.Array(Type.Record(Type.String(), Type.Unknown()), { description });

export const ConfigField = closed({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  value: optional(Type.String({ maxLength: 16384 })),
  encryptedValue: optional(Type.String({ maxLength: 32768 })),
  inherited: optional(Type.Boolean()),
});

/**
 * PingFederate's plug-in configuration (an adapter override's `configuration`): its name/value
 * fields, loose and in tables, are typed so that secrets among them are sealed like target
 * settings; anything else in it is kept as sent.
 */
const PluginConfiguration = Type.Object({
  fields: optional(Type.Array(ConfigField)),
  tables: optional(
    Type.Array(
      Type.Object({
        name: Type.String(),
        rows: optional(Type.Array(Type.Object({ fields: Type.Array(ConfigField) }))),
      }),
    ),
  ),
});

/** What an adapter mapping and a policy-contract mapping share (PingFederate's `IdpAdapterAssertionMapping` and `SpAdapterAssertionMapping`). */
const mappingFields = {
  restrictVirtualEntityIds: optional(Type.Boolean()),
  restrictedVirtualEntityIds: optional(Type.Array(Type.String())),
  abortSsoTransactionAsFailSafe: optional(Type.Boolean()),
  attributeSources: optional(passthrough("additional attribute lookups (kept, not evaluated)")),
  attributeContractFulfillment: Type.Record(Type.String({ minLength: 1 }), AttributeFulfillmentValue),
  issuanceCriteria: optional(
    closed({
      conditionalCriteria: optional(passthrough("conditions (kept, not evaluated yet)")),
      expressionCriteria: optional(passthrough("expressions (kept, not evaluated)")),
    }),
  ),
};

export const AdapterMapping = closed({
  idpAdapterRef: optional(ResourceLink),
  adapterOverrideSettings: optional(
    Type.Object(
      { configuration: optional(PluginConfiguration) },
      { description: "an adapter instance overriding the default one (kept; secret fields sealed)" },
    ),
  ),
  ...mappingFields,
});

/**
 * A mapping from an authentication policy contract (the usual setup since PingFederate 9, with
 * `adapterMappings: []`). Portico has no policy contracts: the contract's attributes are read from
 * the signed-in user's directory entry, `subject` being the user's uid (docs/pingfederate-import.md).
 */
export const PolicyContractMapping = closed({
  authenticationPolicyContractRef: ResourceLink,
  ...mappingFields,
});
export type AttributeMapping = Static<typeof AdapterMapping> | Static<typeof PolicyContractMapping>;

/** A PingFederate section Portico stores as sent without serving it (reported as a warning). */
const kept = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { description: `${description} (stored as sent, not served)` });

export const EncryptionPolicy = closed({
  encryptAssertion: optional(Type.Boolean({ default: false })),
  encryptedAttributes: optional(Type.Array(Type.String())),
  encryptSloSubjectNameId: optional(Type.Boolean()),
  sloSubjectNameIDEncrypted: optional(Type.Boolean()),
});

export const SpBrowserSso = closed({
  protocol: union(
    ["SAML20", "SAML11", "SAML10", "WSFED"] as const,
    "Portico speaks SAML 2.0 only; the others are refused naming the protocol",
  ),
  wsFedTokenType: optional(Type.String({ description: "WS-Federation (stored as sent, not served)" })),
  wsTrustVersion: optional(Type.String({ description: "WS-Federation (stored as sent, not served)" })),
  spWsFedIdentityMapping: optional(
    Type.String({ description: "WS-Federation (stored as sent, not served)" }),
  ),
  artifact: optional(kept("SAML artifact resolution")),
  alwaysSignArtifactResponse: optional(Type.Boolean({ description: "SAML artifact resolution" })),
  urlWhitelistEntries: optional(passthrough("allowed redirect targets (kept, not evaluated)")),
  enabledProfiles: Type.Array(union(ssoProfiles), { uniqueItems: true }),
  incomingBindings: optional(Type.Array(union(bindings), { uniqueItems: true })),
  ssoServiceEndpoints: Type.Array(SsoServiceEndpoint, { minItems: 1, maxItems: 100 }),
  sloServiceEndpoints: optional(Type.Array(SloServiceEndpoint, { maxItems: 100 })),
  assertionLifetime: closed({
    minutesBefore: Type.Integer({ minimum: 0, maximum: 1440 }),
    minutesAfter: Type.Integer({ minimum: 1, maximum: 1440 }),
  }),
  spSamlIdentityMapping: optional(union(["STANDARD", "PSEUDONYM", "TRANSIENT"] as const)),
  attributeContract: closed({
    coreAttributes: optional(Type.Array(ContractAttribute)),
    extendedAttributes: optional(Type.Array(ContractAttribute)),
  }),
  adapterMappings: Type.Array(AdapterMapping),
  authenticationPolicyContractAssertionMappings: optional(Type.Array(PolicyContractMapping)),
  signAssertions: optional(Type.Boolean({ default: false })),
  signResponseAsRequired: optional(Type.Boolean({ default: true })),
  requireSignedAuthnRequests: optional(Type.Boolean({ default: false })),
  encryptionPolicy: optional(EncryptionPolicy),
  messageCustomizations: optional(passthrough("kept, not evaluated")),
  defaultTargetUrl: optional(Type.String({ maxLength: 2048 })),
  ssoApplicationEndpoint: optional(Type.String({ description: "read-only; computed by the server" })),
});

/** The signing algorithms a connection may choose, as the signing code knows them. */
export const signingAlgorithms = signingAlgorithmNames;
export type { SigningAlgorithm };

export const ConnectionCert = closed({
  x509File: closed({
    id: optional(Type.String({ maxLength: 64 })),
    fileData: Type.String({ minLength: 1, maxLength: 65536, description: "PEM or base64 DER" }),
    cryptoProvider: optional(Type.String()),
  }),
  activeVerificationCert: optional(Type.Boolean()),
  primaryVerificationCert: optional(Type.Boolean()),
  secondaryVerificationCert: optional(Type.Boolean()),
  encryptionCert: optional(Type.Boolean()),
  certView: optional(Type.Record(Type.String(), Type.Unknown(), { description: "read-only" })),
});

export const Credentials = closed({
  signingSettings: optional(
    closed({
      signingKeyPairRef: ResourceLink,
      algorithm: optional(union(signingAlgorithms)),
      includeCertInSignature: optional(Type.Boolean({ default: false })),
      includeRawKeyInSignature: optional(Type.Boolean({ default: false })),
      alternativeSigningKeyPairRefs: optional(Type.Array(ResourceLink)),
    }),
  ),
  certs: optional(Type.Array(ConnectionCert, { maxItems: 10 })),
  verificationSubjectDN: optional(Type.String()),
  verificationIssuerDN: optional(Type.String()),
  blockEncryptionAlgorithm: optional(
    union(["AES_128", "AES_256", "AES_128_GCM", "AES_192_GCM", "AES_256_GCM"] as const),
  ),
  keyTransportAlgorithm: optional(union(["RSA_OAEP", "RSA_OAEP_256", "RSA_v15"] as const)),
  decryptionKeyPairRef: optional(ResourceLink),
  secondaryDecryptionKeyPairRef: optional(ResourceLink),
  outboundBackChannelAuth: optional(kept("back-channel authentication")),
  inboundBackChannelAuth: optional(kept("back-channel authentication")),
});

export const OutboundProvision = closed({
  type: Type.String({ minLength: 1, maxLength: 128 }),
  targetSettings: Type.Array(ConfigField),
  customSchema: optional(Type.Record(Type.String(), Type.Unknown())),
  channels: Type.Array(Channel),
});

export const SpConnection = closed({
  type: optional(Type.Literal("SP")),
  id: optional(Type.String({ pattern: "^[a-zA-Z0-9._-]{1,64}$" })),
  entityId: Type.String({ minLength: 1, maxLength: 1024 }),
  name: Type.String({ minLength: 1, maxLength: 256 }),
  active: optional(Type.Boolean({ default: false })),
  baseUrl: optional(Type.String({ maxLength: 2048 })),
  virtualEntityIds: optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { uniqueItems: true }),
  ),
  defaultVirtualEntityId: optional(Type.String({ maxLength: 1024 })),
  contactInfo: optional(ContactInfo),
  applicationName: optional(Type.String({ maxLength: 256 })),
  applicationIconUrl: optional(Type.String({ maxLength: 2048 })),
  loggingMode: optional(union(["NONE", "STANDARD", "ENHANCED", "FULL"] as const)),
  licenseConnectionGroup: optional(Type.String()),
  connectionTargetType: optional(
    union(["STANDARD", "SALESFORCE", "SALESFORCE_CP", "SALESFORCE_PP"] as const),
  ),
  extendedProperties: optional(Type.Record(Type.String(), closed({ values: Type.Array(Type.String()) }))),
  metadataReloadSettings: optional(Type.Record(Type.String(), Type.Unknown())),
  credentials: optional(Credentials),
  spBrowserSso: optional(SpBrowserSso),
  outboundProvision: optional(OutboundProvision),
  wsTrust: optional(kept("WS-Trust STS")),
  attributeQuery: optional(kept("SAML attribute query")),
  additionalAllowedEntitiesConfiguration: optional(kept("additional allowed entities")),
  creationDate: optional(Type.String({ description: "read-only" })),
  modificationDate: optional(Type.String({ description: "read-only" })),
  replicationStatus: optional(Type.String({ description: "read-only" })),
});

export type SpConnection = Static<typeof SpConnection>;
export type SpBrowserSso = Static<typeof SpBrowserSso>;
export type SsoServiceEndpoint = Static<typeof SsoServiceEndpoint>;
export type ConfigField = Static<typeof ConfigField>;
export type ConnectionCert = Static<typeof ConnectionCert>;
export type OutboundProvision = Static<typeof OutboundProvision>;

/**
 * Whether a configuration field (a target setting, an adapter's field) holds a secret: its name
 * contains secret, token, password or key, in any case. Such a value is stored sealed and shown
 * only as `encryptedValue`. Broad on purpose: `client_secret`, `REFRESH_TOKEN` and `API_KEY` are
 * secrets however a connector spells them, and a harmless name it catches only loses its plain
 * display, whereas a secret it missed would be stored and shown in clear.
 */
export const isSecretFieldName = (name: string): boolean => /secret|token|password|key/i.test(name);

/** The provisioning plug-in type of the Salesforce connector (PingFederate's own id is not published). */
export const salesforceProvisionerType = "SalesforceProvisioner";

/** Portico's one IdP adapter, the sign-in form, as an adapter mapping's `idpAdapterRef` names it. */
export const signInAdapterId = "htmlform";

/**
 * The mapping that applies at SSO, with the path that names it: PingFederate uses the adapter
 * mapping of the adapter that signed the user in, and Portico's users sign in on its one form, so
 * the adapter mapping whose `idpAdapterRef` is `htmlform` wins; else the first adapter mapping (an
 * import names PingFederate's adapter ids); else the first authentication-policy-contract mapping
 * (PingFederate 9+ exports carry `adapterMappings: []`). Portico runs no authentication policies,
 * so nothing chooses among several contracts: the first one applies. Attribute contract
 * fulfillment and its attribute sources are both read from this one mapping.
 */
export const appliedAttributeMapping = (
  sso: SpBrowserSso | undefined,
): { mapping: AttributeMapping; path: string } | undefined => {
  const adapters = sso?.adapterMappings ?? [];
  // findIndex's -1 (no mapping names the form) falls back to the first.
  const index = Math.max(
    adapters.findIndex((m) => m.idpAdapterRef?.id === signInAdapterId),
    0,
  );
  const adapter = adapters[index];
  if (adapter) return { mapping: adapter, path: `spBrowserSso.adapterMappings[${index}]` };
  const contract = sso?.authenticationPolicyContractAssertionMappings?.[0];
  return contract
    ? { mapping: contract, path: "spBrowserSso.authenticationPolicyContractAssertionMappings[0]" }
    : undefined;
};

/** The mapping SSO fulfils the attribute contract with (see appliedAttributeMapping). */
export const ssoAttributeMapping = (sso: SpBrowserSso | undefined): AttributeMapping | undefined =>
  appliedAttributeMapping(sso)?.mapping;

/** Every mapping of the connection with the path that names it in errors. */
export const attributeMappings = (
  sso: SpBrowserSso | undefined,
): { mapping: AttributeMapping; path: string }[] => [
  ...(sso?.adapterMappings ?? []).map((mapping, i) => ({
    mapping,
    path: `spBrowserSso.adapterMappings[${i}]`,
  })),
  ...(sso?.authenticationPolicyContractAssertionMappings ?? []).map((mapping, i) => ({
    mapping,
    path: `spBrowserSso.authenticationPolicyContractAssertionMappings[${i}]`,
  })),
];
