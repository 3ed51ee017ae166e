import {
  type ConnectionCert,
  type SpConnection,
  salesforceProvisionerType,
} from "../domain/sp-connection.ts";
import type { ParsedSpMetadata } from "../saml/metadata/parse-sp-metadata.ts";

/** The templates `POST /connectionMetadata/convert` knows. */
export const templateIds = ["salesforce-provisioner"] as const;
export type TemplateId = (typeof templateIds)[number];

const pem = (base64Der: string): string =>
  `-----BEGIN CERTIFICATE-----\n${base64Der.match(/.{1,64}/g)?.join("\n") ?? ""}\n-----END CERTIFICATE-----\n`;

const displayName = (entityId: string): string => {
  try {
    return `Salesforce (${new URL(entityId).host})`;
  } catch {
    return `Salesforce (${entityId})`;
  }
};

/**
 * PingFederate's default provisioning options for the Salesforce connector
 * (pingfederate-salesforce-spec.md §5.1): create, update and disable on; disabled users
 * provisioned as inactive; deactivate rather than freeze; permission sets merged.
 * The client ID and tokens are filled in on the Outbound Provisioning step.
 */
export const salesforceDefaultTargetSettings = [
  { name: "CLIENT_ID", value: "" },
  { name: "ENABLE_COMMUNITIES", value: "false" },
  { name: "CREATE_USERS", value: "true" },
  { name: "UPDATE_USERS", value: "true" },
  { name: "DISABLE_USERS", value: "true" },
  { name: "PROVISION_DISABLED_USERS", value: "true" },
  { name: "FREEZE_USER_FLAG", value: "false" },
  { name: "PERMISSION_SET_MANAGEMENT", value: "Merge with permission sets in Salesforce" },
] as const;

/**
 * The "Salesforce Provisioner" quick-connection template applied to Salesforce's SP metadata
 * (`SAMLSP-<id>.xml`): every ACS with its index and the metadata's default, SLO endpoints,
 * Salesforce's request-signing certificate, IdP- and SP-initiated SSO over POST and Redirect,
 * SAML_SUBJECT from the directory's `mail`, a signed response with the certificate in KeyInfo,
 * 5/5 minutes of assertion lifetime, and Salesforce provisioning with the default options.
 */
export const applySalesforceTemplate = (
  metadata: ParsedSpMetadata,
  signing: { keyPairId: string; keyAlgorithm: "RSA" | "EC" },
): SpConnection => {
  const certs: ConnectionCert[] = [
    ...metadata.signingCertificates.map((der, i) => ({
      x509File: { fileData: pem(der) },
      activeVerificationCert: true,
      primaryVerificationCert: i === 0,
      secondaryVerificationCert: i === 1,
      encryptionCert: false,
    })),
    ...metadata.encryptionCertificates
      .filter((der) => !metadata.signingCertificates.includes(der))
      .slice(0, 1)
      .map((der) => ({
        x509File: { fileData: pem(der) },
        activeVerificationCert: false,
        primaryVerificationCert: false,
        secondaryVerificationCert: false,
        encryptionCert: true,
      })),
  ];
  const slo = metadata.singleLogoutServices.filter((s) => s.binding === "POST" || s.binding === "REDIRECT");
  return {
    type: "SP",
    entityId: metadata.entityId,
    name: displayName(metadata.entityId),
    active: false,
    loggingMode: "STANDARD",
    connectionTargetType: "SALESFORCE",
    virtualEntityIds: [],
    credentials: {
      signingSettings: {
        signingKeyPairRef: { id: signing.keyPairId },
        algorithm: signing.keyAlgorithm === "EC" ? "SHA256withECDSA" : "SHA256withRSA",
        includeCertInSignature: true,
        includeRawKeyInSignature: false,
      },
      certs,
    },
    spBrowserSso: {
      protocol: "SAML20",
      enabledProfiles: [
        "IDP_INITIATED_SSO",
        "SP_INITIATED_SSO",
        ...(slo.length > 0 ? (["IDP_INITIATED_SLO", "SP_INITIATED_SLO"] as const) : []),
      ],
      incomingBindings: ["POST", "REDIRECT"],
      ssoServiceEndpoints: metadata.assertionConsumerServices
        .filter((acs) => acs.binding === "POST" || acs.binding === "ARTIFACT")
        .map((acs) => ({
          binding: acs.binding === "ARTIFACT" ? ("ARTIFACT" as const) : ("POST" as const),
          url: acs.url,
          index: acs.index,
          isDefault: acs.isDefault,
        })),
      sloServiceEndpoints: slo.map((s) => ({
        binding: s.binding === "POST" ? ("POST" as const) : ("REDIRECT" as const),
        url: s.url,
        ...(s.responseUrl === undefined ? {} : { responseUrl: s.responseUrl }),
      })),
      assertionLifetime: { minutesBefore: 5, minutesAfter: 5 },
      spSamlIdentityMapping: "STANDARD",
      attributeContract: {
        coreAttributes: [
          { name: "SAML_SUBJECT", nameFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" },
        ],
        extendedAttributes: [],
      },
      adapterMappings: [
        {
          idpAdapterRef: { id: "htmlform" },
          attributeContractFulfillment: { SAML_SUBJECT: { source: { type: "ADAPTER" }, value: "mail" } },
          attributeSources: [],
          issuanceCriteria: { conditionalCriteria: [] },
        },
      ],
      signAssertions: false,
      signResponseAsRequired: true,
      requireSignedAuthnRequests: metadata.authnRequestsSigned && metadata.signingCertificates.length > 0,
      encryptionPolicy: { encryptAssertion: false, encryptedAttributes: [] },
    },
    outboundProvision: {
      type: salesforceProvisionerType,
      targetSettings: salesforceDefaultTargetSettings.map((s) => ({ ...s })),
      channels: [],
    },
  };
};
