import {
  type ConnectionCert,
  type SpConnection,
  salesforceProvisionerType,
  signInAdapterId,
} from "../domain/sp-connection.ts";
import { metadataError } from "../saml/metadata/metadata-error.ts";
import type { ParsedSpMetadata } from "../saml/metadata/parse-sp-metadata.ts";
import { nameIdFormat } from "../saml/urn.ts";
import { porticoNameIdFormats } from "./sso/name-id.ts";

/** The templates `POST /connectionMetadata/convert` knows. */
export const templateIds = ["salesforce-provisioner", "standard-saml-sp"] as const;
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

const bindingLabels: Readonly<Record<string, string>> = {
  ARTIFACT: "HTTP-Artifact",
  REDIRECT: "HTTP-Redirect",
  PAOS: "PAOS",
  SOAP: "SOAP",
  POST: "HTTP-POST",
};

/**
 * The SP's Assertion Consumer Services Portico can answer at: HTTP-POST only (Portico has no
 * artifact resolution service, and Web Browser SSO never answers by Redirect). The others are
 * left out with a warning; when the default was one of them, the first HTTP-POST one becomes it.
 */
const postEndpoints = (metadata: ParsedSpMetadata, warnings: string[]) => {
  const posts = metadata.assertionConsumerServices.filter((acs) => acs.binding === "POST");
  for (const acs of metadata.assertionConsumerServices.filter((a) => a.binding !== "POST")) {
    warnings.push(
      `AssertionConsumerService ${acs.url} (index ${acs.index}) uses ${bindingLabels[acs.binding] ?? acs.binding}; Portico answers only over HTTP-POST, so it was left out.`,
    );
  }
  if (posts.length === 0) {
    throw metadataError(
      "SAML_METADATA_NO_ACS",
      "no AssertionConsumerService uses HTTP-POST, the only binding Portico answers with",
    );
  }
  const hasDefault = posts.some((acs) => acs.isDefault);
  return posts.map((acs, i) => ({
    binding: "POST" as const,
    url: acs.url,
    index: acs.index,
    isDefault: hasDefault ? acs.isDefault : i === 0,
  }));
};

const sloEndpoints = (metadata: ParsedSpMetadata, warnings: string[]) => {
  const usable = metadata.singleLogoutServices.filter(
    (s) => s.binding === "POST" || s.binding === "REDIRECT",
  );
  for (const slo of metadata.singleLogoutServices.filter((s) => !usable.includes(s))) {
    warnings.push(
      `SingleLogoutService ${slo.url} uses ${bindingLabels[slo.binding] ?? slo.binding}; Portico logs out over HTTP-Redirect and HTTP-POST only, so it was left out.`,
    );
  }
  return usable.map((s) => ({
    binding: s.binding === "POST" ? ("POST" as const) : ("REDIRECT" as const),
    url: s.url,
    ...(s.responseUrl === undefined ? {} : { responseUrl: s.responseUrl }),
  }));
};

/**
 * The subject the SP's metadata asks for: the first of its NameIDFormats Portico can issue
 * (saml-metadata §2.4.1 gives them no order, but SPs list the one they prefer first). transient becomes the
 * TRANSIENT identity mapping, persistent the PSEUDONYM one (a pairwise identifier, never the
 * directory's own), emailAddress and unspecified the directory's `mail` in that format.
 */
const subjectFor = (metadata: ParsedSpMetadata, warnings: string[], unspecifiedFrom = "mail") => {
  const issuable = metadata.nameIdFormats.filter((f) => porticoNameIdFormats.includes(f));
  const chosen = issuable[0] ?? nameIdFormat.unspecified;
  if (metadata.nameIdFormats.length > 0 && issuable.length === 0) {
    warnings.push(
      `Portico cannot issue any of the metadata's NameIDFormats (${metadata.nameIdFormats.join(", ")}); the subject is the directory's ${unspecifiedFrom}, format unspecified.`,
    );
  }
  const mapping =
    chosen === nameIdFormat.transient
      ? ("TRANSIENT" as const)
      : chosen === nameIdFormat.persistent
        ? ("PSEUDONYM" as const)
        : ("STANDARD" as const);
  if (mapping !== "STANDARD") {
    return { mapping, coreAttributes: [], fulfillment: {} };
  }
  return {
    mapping,
    coreAttributes: [{ name: "SAML_SUBJECT", nameFormat: chosen }],
    fulfillment: {
      SAML_SUBJECT: {
        source: { type: "ADAPTER" as const },
        value: chosen === nameIdFormat.emailAddress ? "mail" : unspecifiedFrom,
      },
    },
  };
};

/** A converted connection, and what of the metadata it could not use. */
export type TemplateResult = { readonly connection: SpConnection; readonly warnings: readonly string[] };

/** What both templates build from SP metadata: endpoints, certificates, subject and signing wishes. */
export const samlSpConnection = (
  metadata: ParsedSpMetadata,
  signing: { keyPairId: string; keyAlgorithm: "RSA" | "EC" },
  warnings: string[],
  options: { name: string; unspecifiedSubjectFrom: string },
): SpConnection & { spBrowserSso: NonNullable<SpConnection["spBrowserSso"]> } => {
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
  const ssoServiceEndpoints = postEndpoints(metadata, warnings);
  const slo = sloEndpoints(metadata, warnings);
  const subject = subjectFor(metadata, warnings, options.unspecifiedSubjectFrom);
  return {
    type: "SP",
    entityId: metadata.entityId,
    name: options.name,
    active: false,
    loggingMode: "STANDARD",
    connectionTargetType: "STANDARD",
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
      ssoServiceEndpoints,
      sloServiceEndpoints: slo,
      assertionLifetime: { minutesBefore: 5, minutesAfter: 5 },
      spSamlIdentityMapping: subject.mapping,
      attributeContract: { coreAttributes: subject.coreAttributes, extendedAttributes: [] },
      adapterMappings: [
        {
          idpAdapterRef: { id: signInAdapterId },
          attributeContractFulfillment: subject.fulfillment,
          attributeSources: [],
          issuanceCriteria: { conditionalCriteria: [] },
        },
      ],
      // saml-metadata §2.4.4: WantAssertionsSigned asks for a signed Assertion. The Response stays
      // signed as well: Salesforce and most SPs accept both, and pysaml2 wants both by default.
      signAssertions: metadata.wantAssertionsSigned,
      signResponseAsRequired: true,
      requireSignedAuthnRequests: metadata.authnRequestsSigned && metadata.signingCertificates.length > 0,
      encryptionPolicy: { encryptAssertion: false, encryptedAttributes: [] },
    },
  };
};

/**
 * The "Salesforce Provisioner" quick-connection template applied to Salesforce's SP metadata
 * (`SAMLSP-<id>.xml`): every HTTP-POST ACS with its index and the metadata's default, SLO
 * endpoints, Salesforce's request-signing certificate, IdP- and SP-initiated SSO over POST and
 * Redirect, SAML_SUBJECT from the directory's `mail` (or the identifier the metadata's
 * NameIDFormat asks for), a signed response (and a signed assertion when WantAssertionsSigned says
 * so) with the certificate in KeyInfo, 5/5 minutes of assertion lifetime, and Salesforce
 * provisioning with the default options.
 */
export const applySalesforceTemplate = (
  metadata: ParsedSpMetadata,
  signing: { keyPairId: string; keyAlgorithm: "RSA" | "EC" },
): TemplateResult => {
  const warnings: string[] = [];
  const connection: SpConnection = {
    ...samlSpConnection(metadata, signing, warnings, {
      name: displayName(metadata.entityId),
      unspecifiedSubjectFrom: "mail",
    }),
    connectionTargetType: "SALESFORCE",
    outboundProvision: {
      type: salesforceProvisionerType,
      targetSettings: salesforceDefaultTargetSettings.map((s) => ({ ...s })),
      channels: [],
    },
  };
  return { connection, warnings };
};
