import { parseCertificate } from "../../crypto/certificate.ts";
import { AppError } from "../../lib/errors.ts";
import { buildDocument, el, serialize, type XmlElement } from "../../xml/build.ts";
import { rootElement } from "../../xml/select.ts";
import { samlInstant } from "../response/saml-time.ts";
import type { SigningAlgorithm } from "../signing/algorithms.ts";
import { signElement } from "../signing/sign-xml.ts";
import { signingCredentials } from "../signing/signing-key.ts";
import { binding, ns } from "../urn.ts";

/** An `<md:ContactPerson>` (saml-metadata §2.3.2.2). */
export type MetadataContact = {
  readonly type: "technical" | "support" | "administrative" | "billing" | "other";
  readonly company?: string;
  readonly givenName?: string;
  readonly surName?: string;
  /** Plain addresses; `mailto:` is added (the schema wants a URI). */
  readonly emailAddresses?: readonly string[];
  readonly telephoneNumbers?: readonly string[];
};

/** An `<md:Organization>` (saml-metadata §2.3.2.1), in one language. */
export type MetadataOrganization = {
  readonly name: string;
  readonly displayName: string;
  readonly url: string;
  /** `en` unless told. */
  readonly lang?: string;
};

/** Signs the metadata document when given (saml-metadata §3.1). */
export type MetadataSigningInput = {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly algorithm: SigningAlgorithm;
  readonly includeCertInSignature: boolean;
  readonly includeRawKeyInSignature: boolean;
  /** The EntityDescriptor's `ID`, which the signature's Reference names. */
  readonly id: string;
};

/** What Portico publishes about itself as an identity provider. */
export type IdpMetadataInput = {
  readonly entityId: string;
  /** `/idp/SSO.saml2` under the base URL; published for HTTP-Redirect and HTTP-POST. */
  readonly ssoUrl: string;
  /** `/idp/SLO.saml2` under the base URL; published for HTTP-Redirect and HTTP-POST. */
  readonly sloUrl: string;
  /** One KeyDescriptor use="signing" each: the key in use, and during a rollover the next one too. */
  readonly signingCertificatesPem: readonly string[];
  readonly nameIdFormats: readonly string[];
  readonly wantAuthnRequestsSigned?: boolean;
  readonly validUntil?: Date;
  /** How long an SP may cache the document, in whole seconds (written as an xs:duration). */
  readonly cacheDurationSeconds?: number;
  readonly organization?: MetadataOrganization;
  readonly contact?: MetadataContact;
  readonly signing?: MetadataSigningInput;
};

const keyDescriptor = (certificatePem: string): XmlElement =>
  el(ns.metadata, "md:KeyDescriptor", { use: "signing" }, [
    el(ns.xmldsig, "ds:KeyInfo", {}, [
      el(ns.xmldsig, "ds:X509Data", {}, [
        el(ns.xmldsig, "ds:X509Certificate", {}, [parseCertificate(certificatePem).raw.toString("base64")]),
      ]),
    ]),
  ]);

const endpoints = (
  name: "md:SingleSignOnService" | "md:SingleLogoutService",
  location: string,
): XmlElement[] =>
  [binding.httpRedirect, binding.httpPost].map((uri) =>
    el(ns.metadata, name, { Binding: uri, Location: location }),
  );

const organizationElement = (organization: MetadataOrganization): XmlElement => {
  const lang = organization.lang ?? "en";
  return el(ns.metadata, "md:Organization", {}, [
    el(ns.metadata, "md:OrganizationName", { "xml:lang": lang }, [organization.name]),
    el(ns.metadata, "md:OrganizationDisplayName", { "xml:lang": lang }, [organization.displayName]),
    el(ns.metadata, "md:OrganizationURL", { "xml:lang": lang }, [organization.url]),
  ]);
};

const contactElement = (contact: MetadataContact): XmlElement =>
  el(ns.metadata, "md:ContactPerson", { contactType: contact.type }, [
    contact.company !== undefined && el(ns.metadata, "md:Company", {}, [contact.company]),
    contact.givenName !== undefined && el(ns.metadata, "md:GivenName", {}, [contact.givenName]),
    contact.surName !== undefined && el(ns.metadata, "md:SurName", {}, [contact.surName]),
    (contact.emailAddresses ?? []).map((address) =>
      el(ns.metadata, "md:EmailAddress", {}, [address.startsWith("mailto:") ? address : `mailto:${address}`]),
    ),
    (contact.telephoneNumbers ?? []).map((number) => el(ns.metadata, "md:TelephoneNumber", {}, [number])),
  ]);

const cacheDuration = (seconds: number | undefined): string | undefined => {
  if (seconds === undefined) return undefined;
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new AppError("INTERNAL", {
      message: "The metadata cache duration must be a whole number of seconds.",
    });
  }
  return `PT${seconds}S`;
};

/**
 * The IdP's SAML 2.0 metadata (saml-metadata §2.3.2, §2.4.3): an EntityDescriptor with one
 * IDPSSODescriptor, its signing certificates, the SSO and SLO endpoints (HTTP-Redirect and
 * HTTP-POST) and the NameID formats it can issue; optionally signed as a whole.
 *
 * Throws CERT_INVALID for a certificate that does not parse, SAML_SIGNING_FAILED when signing fails.
 */
export const buildIdpMetadata = (input: IdpMetadataInput): string => {
  if (input.signingCertificatesPem.length === 0) {
    throw new AppError("INTERNAL", { message: "IdP metadata needs at least one signing certificate." });
  }
  // The same certificate twice (a rollover to itself) is published once.
  const certificates = [...new Set(input.signingCertificatesPem.map((pem) => pem.trim()))];
  const document = buildDocument(
    el(
      ns.metadata,
      "md:EntityDescriptor",
      {
        "xmlns:md": ns.metadata,
        "xmlns:ds": ns.xmldsig,
        ID: input.signing?.id,
        entityID: input.entityId,
        validUntil: input.validUntil === undefined ? undefined : samlInstant(input.validUntil),
        cacheDuration: cacheDuration(input.cacheDurationSeconds),
      },
      [
        el(
          ns.metadata,
          "md:IDPSSODescriptor",
          {
            protocolSupportEnumeration: ns.protocol,
            WantAuthnRequestsSigned:
              input.wantAuthnRequestsSigned === undefined ? undefined : String(input.wantAuthnRequestsSigned),
          },
          [
            certificates.map(keyDescriptor),
            endpoints("md:SingleLogoutService", input.sloUrl),
            input.nameIdFormats.map((format) => el(ns.metadata, "md:NameIDFormat", {}, [format])),
            endpoints("md:SingleSignOnService", input.ssoUrl),
          ],
        ),
        input.organization !== undefined && organizationElement(input.organization),
        input.contact !== undefined && contactElement(input.contact),
      ],
    ),
  );
  const signing = input.signing;
  if (signing !== undefined) {
    signElement(
      rootElement(document),
      signingCredentials(signing.privateKeyPem, signing.certificatePem),
      signing,
    );
  }
  return serialize(document, { xmlDeclaration: true });
};
