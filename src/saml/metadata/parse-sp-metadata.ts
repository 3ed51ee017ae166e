import { parseXml } from "../../xml/parse.ts";
import { attr, attrNS, childElements, displayName, isNamed, rootElement, textOf } from "../../xml/select.ts";
import { ns } from "../urn.ts";
import {
  type AssertionConsumerService,
  hasAnyAssertionConsumerService,
  parseBoolean,
  readAssertionConsumerServices,
  readSingleLogoutServices,
  type SingleLogoutService,
} from "./endpoints.ts";
import { readCertificates } from "./key-descriptors.ts";
import { metadataError, quote } from "./metadata-error.ts";

export type { AcsBinding, AssertionConsumerService, SingleLogoutService, SloBinding } from "./endpoints.ts";

/** `md:ContactPerson` (saml-metadata §2.3.2.2). */
export type ContactPerson = {
  readonly type: "technical" | "support" | "administrative" | "billing" | "other";
  readonly company?: string;
  readonly givenName?: string;
  readonly surName?: string;
  readonly emailAddresses: readonly string[];
  readonly telephoneNumbers: readonly string[];
};

/** What Portico takes from a service provider's SAML 2.0 metadata (e.g. Salesforce's `SAMLSP-<id>.xml`). */
export type ParsedSpMetadata = {
  /** `entityID`: the SP's Issuer in its AuthnRequests and the Audience of our assertions. */
  readonly entityId: string;
  /** `validUntil` as written (xs:dateTime). Not compared with the clock here. */
  readonly validUntil?: string;
  readonly authnRequestsSigned: boolean;
  readonly wantAssertionsSigned: boolean;
  /** In metadata order; exactly one has `isDefault`. Never empty. */
  readonly assertionConsumerServices: readonly AssertionConsumerService[];
  readonly singleLogoutServices: readonly SingleLogoutService[];
  /** Base64 DER, whitespace removed: KeyDescriptors with use="signing" or without `use`. */
  readonly signingCertificates: readonly string[];
  /** Base64 DER, whitespace removed: KeyDescriptors with use="encryption" or without `use`. */
  readonly encryptionCertificates: readonly string[];
  readonly nameIdFormats: readonly string[];
  readonly organizationName?: string;
  readonly contacts: readonly ContactPerson[];
  /**
   * Whether the EntityDescriptor (or an enclosing EntitiesDescriptor) carries a `ds:Signature`.
   * The signature is NOT verified here.
   */
  readonly isSigned: boolean;
};

// saml-metadata §2.3.2: entityID is a URI of at most 1024 characters.
const MAX_ENTITY_ID = 1024;
const XS_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/;
const CONTACT_TYPES: ReadonlySet<string> = new Set([
  "technical",
  "support",
  "administrative",
  "billing",
  "other",
]);

/**
 * Reads SP metadata: an `md:EntityDescriptor`, or an `md:EntitiesDescriptor` holding exactly one
 * EntityDescriptor with an SP role. Parses through `parseXml`, so XML errors keep their XML_* codes.
 *
 * Throws SAML_METADATA_NO_SP (no SPSSODescriptor for SAML 2.0), SAML_METADATA_NO_ACS (no usable
 * AssertionConsumerService), SAML_METADATA_BAD_CERT (a certificate that is not X.509) and
 * SAML_METADATA_INVALID (anything else), each with a message naming the element or attribute.
 */
export const parseSpMetadata = (xml: string | Uint8Array): ParsedSpMetadata => {
  const root = rootElement(parseXml(xml));
  const { entity, enclosingSigned } = selectEntity(root);

  const entityId = attr(entity, "entityID")?.trim() ?? "";
  if (entityId === "") throw metadataError("SAML_METADATA_INVALID", "EntityDescriptor has no entityID");
  if (entityId.length > MAX_ENTITY_ID) {
    throw metadataError("SAML_METADATA_INVALID", `entityID is longer than ${MAX_ENTITY_ID} characters`);
  }
  const validUntil = attr(entity, "validUntil")?.trim();
  if (validUntil !== undefined && !(XS_DATE_TIME.test(validUntil) && !Number.isNaN(Date.parse(validUntil)))) {
    throw metadataError("SAML_METADATA_INVALID", `validUntil ${quote(validUntil)} is not an xs:dateTime`);
  }

  const descriptor = spDescriptor(entity);
  if (descriptor === undefined) {
    throw metadataError(
      "SAML_METADATA_NO_SP",
      `EntityDescriptor ${quote(entityId)} has no SPSSODescriptor supporting ${ns.protocol}`,
    );
  }

  const assertionConsumerServices = readAssertionConsumerServices(descriptor);
  if (assertionConsumerServices.length === 0) {
    throw metadataError(
      "SAML_METADATA_NO_ACS",
      hasAnyAssertionConsumerService(descriptor)
        ? "no AssertionConsumerService uses a supported binding (HTTP-POST, HTTP-Redirect, HTTP-Artifact or PAOS)"
        : "SPSSODescriptor has no AssertionConsumerService",
    );
  }
  const certificates = readCertificates(descriptor);
  const organizationName = readOrganizationName(entity);

  return {
    entityId,
    ...(validUntil === undefined ? {} : { validUntil }),
    authnRequestsSigned:
      parseBoolean(attr(descriptor, "AuthnRequestsSigned"), "SPSSODescriptor AuthnRequestsSigned") ?? false,
    wantAssertionsSigned:
      parseBoolean(attr(descriptor, "WantAssertionsSigned"), "SPSSODescriptor WantAssertionsSigned") ?? false,
    assertionConsumerServices,
    singleLogoutServices: readSingleLogoutServices(descriptor),
    signingCertificates: certificates.signing,
    encryptionCertificates: certificates.encryption,
    nameIdFormats: unique(
      childElements(descriptor, ns.metadata, "NameIDFormat")
        .map((element) => textOf(element).trim())
        .filter((format) => format !== ""),
    ),
    ...(organizationName === undefined ? {} : { organizationName }),
    contacts: [...readContacts(entity), ...readContacts(descriptor)],
    isSigned: enclosingSigned || hasSignature(entity),
  };
};

const hasSignature = (element: Element): boolean =>
  childElements(element, ns.xmldsig, "Signature").length > 0;

const supportsSaml2 = (descriptor: Element): boolean =>
  (attr(descriptor, "protocolSupportEnumeration") ?? "").split(/[ \t\r\n]+/).includes(ns.protocol);

/** The SPSSODescriptor for SAML 2.0, undefined when there is none, an error when there are several. */
const spDescriptor = (entity: Element): Element | undefined => {
  const found = childElements(entity, ns.metadata, "SPSSODescriptor").filter(supportsSaml2);
  if (found.length > 1) {
    throw metadataError(
      "SAML_METADATA_INVALID",
      `EntityDescriptor has ${found.length} SPSSODescriptor elements for SAML 2.0; expected one`,
    );
  }
  return found[0];
};

/**
 * The EntityDescriptor to read. An EntitiesDescriptor (saml-metadata §2.3.1, possibly nested) is
 * accepted when exactly one of the entities in it is a SAML 2.0 service provider.
 */
const selectEntity = (root: Element): { entity: Element; enclosingSigned: boolean } => {
  if (isNamed(root, ns.metadata, "EntityDescriptor")) return { entity: root, enclosingSigned: false };
  if (!isNamed(root, ns.metadata, "EntitiesDescriptor")) {
    throw metadataError(
      "SAML_METADATA_INVALID",
      `the root element must be md:EntityDescriptor or md:EntitiesDescriptor (${ns.metadata}), not ${quote(displayName(root))}${root.namespaceURI ? ` in ${quote(root.namespaceURI)}` : ""}`,
    );
  }
  const entities: { entity: Element; enclosingSigned: boolean }[] = [];
  const visit = (group: Element, signed: boolean): void => {
    const groupSigned = signed || hasSignature(group);
    for (const entity of childElements(group, ns.metadata, "EntityDescriptor")) {
      entities.push({ entity, enclosingSigned: groupSigned });
    }
    for (const nested of childElements(group, ns.metadata, "EntitiesDescriptor")) visit(nested, groupSigned);
  };
  visit(root, false);

  const providers = entities.filter(({ entity }) =>
    childElements(entity, ns.metadata, "SPSSODescriptor").some(supportsSaml2),
  );
  const [only, ...others] = providers;
  if (only === undefined) {
    throw metadataError(
      "SAML_METADATA_NO_SP",
      `none of the ${entities.length} EntityDescriptor elements in the EntitiesDescriptor has an SPSSODescriptor supporting ${ns.protocol}`,
    );
  }
  if (others.length > 0) {
    const names = providers
      .slice(0, 3)
      .map(({ entity }) => quote(attr(entity, "entityID") ?? "(no entityID)"))
      .join(", ");
    throw metadataError(
      "SAML_METADATA_INVALID",
      `the EntitiesDescriptor holds ${providers.length} service providers (${names}${providers.length > 3 ? ", …" : ""}); upload the metadata of one`,
    );
  }
  return only;
};

/** OrganizationName, preferring xml:lang="en", from the EntityDescriptor's md:Organization. */
const readOrganizationName = (entity: Element): string | undefined => {
  const [organization] = childElements(entity, ns.metadata, "Organization");
  if (organization === undefined) return undefined;
  const names = childElements(organization, ns.metadata, "OrganizationName");
  const chosen =
    names.find((name) => attrNS(name, ns.xml, "lang")?.toLowerCase().startsWith("en")) ?? names[0];
  const text = chosen === undefined ? "" : textOf(chosen).trim();
  return text === "" ? undefined : text;
};

const readContacts = (parent: Element): ContactPerson[] =>
  childElements(parent, ns.metadata, "ContactPerson").map((contact) => {
    const rawType = attr(contact, "contactType")?.trim() ?? "other";
    const type = (CONTACT_TYPES.has(rawType) ? rawType : "other") as ContactPerson["type"];
    const first = (localName: string): string | undefined => {
      const [element] = childElements(contact, ns.metadata, localName);
      const text = element === undefined ? "" : textOf(element).trim();
      return text === "" ? undefined : text;
    };
    const all = (localName: string): string[] =>
      childElements(contact, ns.metadata, localName)
        .map((element) => textOf(element).trim())
        .filter((text) => text !== "");
    const company = first("Company");
    const givenName = first("GivenName");
    const surName = first("SurName");
    return {
      type,
      ...(company === undefined ? {} : { company }),
      ...(givenName === undefined ? {} : { givenName }),
      ...(surName === undefined ? {} : { surName }),
      // saml-metadata §2.3.2.2: EmailAddress is an anyURI, usually written as mailto:.
      emailAddresses: all("EmailAddress").map((email) => email.replace(/^mailto:/i, "")),
      telephoneNumbers: all("TelephoneNumber"),
    };
  });

const unique = (values: readonly string[]): string[] => [...new Set(values)];
