import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { xmlCryptoVerify } from "../../../test/support/peers.ts";
import { parseCertificate } from "../../crypto/certificate.ts";
import { generateSigningKeyPair, type KeyPairPem } from "../../crypto/keys.ts";
import { AppError } from "../../lib/errors.ts";
import { parseXml } from "../../xml/parse.ts";
import {
  attr,
  attrNS,
  childElements,
  elementChildren,
  onlyChild,
  rootElement,
  textOf,
} from "../../xml/select.ts";
import { binding, nameIdFormat, ns } from "../urn.ts";
import { buildIdpMetadata, type IdpMetadataInput } from "./build-idp-metadata.ts";

const now = new Date("2026-07-01T12:00:00.000Z");
let current: KeyPairPem;
let next: KeyPairPem;
before(async () => {
  current = await generateSigningKeyPair({
    keyAlgorithm: "RSA",
    subjectDn: "CN=current",
    validDays: 30,
    now,
  });
  next = await generateSigningKeyPair({ keyAlgorithm: "RSA", subjectDn: "CN=next", validDays: 30, now });
});

const base = (): IdpMetadataInput => ({
  entityId: "https://portico.example.com",
  ssoUrl: "https://portico.example.com/idp/SSO.saml2",
  sloUrl: "https://portico.example.com/idp/SLO.saml2",
  signingCertificatesPem: [current.certificatePem],
  nameIdFormats: [nameIdFormat.unspecified, nameIdFormat.emailAddress],
});

const certificatesOf = (descriptor: Element): string[] =>
  childElements(descriptor, ns.metadata, "KeyDescriptor").map((keyDescriptor) => {
    assert.equal(attr(keyDescriptor, "use"), "signing");
    const x509Data = onlyChild(onlyChild(keyDescriptor, ns.xmldsig, "KeyInfo"), ns.xmldsig, "X509Data");
    return textOf(onlyChild(x509Data, ns.xmldsig, "X509Certificate"));
  });

const der = (pem: string): string => parseCertificate(pem).raw.toString("base64");

describe("buildIdpMetadata", () => {
  it("describes the IdP: entity ID, signing certificate, SLO, NameID formats and SSO, in schema order", () => {
    const entity = rootElement(parseXml(buildIdpMetadata(base())));
    assert.equal(entity.namespaceURI, ns.metadata);
    assert.equal(attr(entity, "entityID"), "https://portico.example.com");
    assert.equal(attr(entity, "ID"), undefined);
    const idp = onlyChild(entity, ns.metadata, "IDPSSODescriptor");
    assert.equal(attr(idp, "protocolSupportEnumeration"), ns.protocol);
    assert.equal(attr(idp, "WantAuthnRequestsSigned"), undefined);
    assert.deepEqual(
      elementChildren(idp).map((e) => e.localName),
      [
        "KeyDescriptor",
        "SingleLogoutService",
        "SingleLogoutService",
        "NameIDFormat",
        "NameIDFormat",
        "SingleSignOnService",
        "SingleSignOnService",
      ],
    );
    assert.deepEqual(certificatesOf(idp), [der(current.certificatePem)]);
    const services = (name: string) =>
      childElements(idp, ns.metadata, name).map((e) => [attr(e, "Binding"), attr(e, "Location")]);
    assert.deepEqual(services("SingleSignOnService"), [
      [binding.httpRedirect, "https://portico.example.com/idp/SSO.saml2"],
      [binding.httpPost, "https://portico.example.com/idp/SSO.saml2"],
    ]);
    assert.deepEqual(services("SingleLogoutService"), [
      [binding.httpRedirect, "https://portico.example.com/idp/SLO.saml2"],
      [binding.httpPost, "https://portico.example.com/idp/SLO.saml2"],
    ]);
    assert.deepEqual(childElements(idp, ns.metadata, "NameIDFormat").map(textOf), [
      nameIdFormat.unspecified,
      nameIdFormat.emailAddress,
    ]);
  });

  it("publishes both certificates during a rollover, and a repeated one once", () => {
    const xml = buildIdpMetadata({
      ...base(),
      signingCertificatesPem: [current.certificatePem, next.certificatePem, `${current.certificatePem}\n`],
    });
    const idp = onlyChild(rootElement(parseXml(xml)), ns.metadata, "IDPSSODescriptor");
    assert.deepEqual(certificatesOf(idp), [der(current.certificatePem), der(next.certificatePem)]);
  });

  it("writes the optional parts: validity, caching, signed requests, organization and contact", () => {
    const xml = buildIdpMetadata({
      ...base(),
      wantAuthnRequestsSigned: true,
      validUntil: new Date("2026-07-08T12:00:00Z"),
      cacheDurationSeconds: 86400,
      organization: { name: "Acme", displayName: "Acme & Co", url: "https://acme.example.com" },
      contact: {
        type: "technical",
        givenName: "Ada",
        surName: "Lovelace",
        emailAddresses: ["ada@acme.example.com"],
      },
    });
    const entity = rootElement(parseXml(xml));
    assert.equal(attr(entity, "validUntil"), "2026-07-08T12:00:00.000Z");
    assert.equal(attr(entity, "cacheDuration"), "PT86400S");
    assert.equal(attr(onlyChild(entity, ns.metadata, "IDPSSODescriptor"), "WantAuthnRequestsSigned"), "true");
    assert.deepEqual(
      elementChildren(entity).map((e) => e.localName),
      ["IDPSSODescriptor", "Organization", "ContactPerson"],
    );
    const organization = onlyChild(entity, ns.metadata, "Organization");
    const displayName = onlyChild(organization, ns.metadata, "OrganizationDisplayName");
    assert.equal(textOf(displayName), "Acme & Co");
    assert.equal(attrNS(displayName, ns.xml, "lang"), "en");
    const contact = onlyChild(entity, ns.metadata, "ContactPerson");
    assert.equal(attr(contact, "contactType"), "technical");
    assert.equal(textOf(onlyChild(contact, ns.metadata, "EmailAddress")), "mailto:ada@acme.example.com");
  });

  it("signs the whole document when asked, with the signature first", () => {
    const xml = buildIdpMetadata({
      ...base(),
      signing: {
        ...current,
        algorithm: "SHA256withRSA",
        includeCertInSignature: true,
        includeRawKeyInSignature: false,
        id: "_metadata1",
      },
    });
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    const entity = rootElement(parseXml(xml));
    assert.equal(attr(entity, "ID"), "_metadata1");
    assert.equal(elementChildren(entity)[0]?.localName, "Signature");
    xmlCryptoVerify(xml, current.certificatePem, "_metadata1");
  });

  it("refuses metadata without a signing certificate, or with one that does not parse", () => {
    assert.throws(() => buildIdpMetadata({ ...base(), signingCertificatesPem: [] }), AppError);
    throwsCode(() => buildIdpMetadata({ ...base(), signingCertificatesPem: ["garbage"] }), "CERT_INVALID");
  });
});
