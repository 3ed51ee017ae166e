import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parseCertificate } from "../../src/crypto/certificate.ts";
import { generateSigningKeyPair, type KeyPairPem } from "../../src/crypto/keys.ts";
import { buildIdpMetadata, type IdpMetadataInput } from "../../src/saml/metadata/build-idp-metadata.ts";
import { nameIdFormat } from "../../src/saml/urn.ts";
import { oneloginReadIdpMetadata, samlsignVerify, xmlsecVerify, xsdValidate } from "../support/peers.ts";

/** Portico's IdP metadata, as tools that are not ours read it (issue 3, item 3). */

let current: KeyPairPem;
let next: KeyPairPem;
let ec: KeyPairPem;
before(async () => {
  const now = new Date();
  const make = (keyAlgorithm: "RSA" | "EC", cn: string) =>
    generateSigningKeyPair({ keyAlgorithm, subjectDn: `CN=${cn}`, validDays: 2, now });
  [current, next, ec] = await Promise.all([make("RSA", "current"), make("RSA", "next"), make("EC", "ec")]);
});

const rollover = (): IdpMetadataInput => ({
  entityId: "https://portico.example.com",
  ssoUrl: "https://portico.example.com/idp/SSO.saml2",
  sloUrl: "https://portico.example.com/idp/SLO.saml2",
  signingCertificatesPem: [current.certificatePem, next.certificatePem],
  nameIdFormats: [nameIdFormat.unspecified, nameIdFormat.emailAddress, nameIdFormat.persistent],
  wantAuthnRequestsSigned: false,
  validUntil: new Date(Date.now() + 7 * 24 * 3600_000),
  cacheDurationSeconds: 86_400,
  organization: { name: "Acme", displayName: "Acme & Sons <Ltd>", url: "https://acme.example.com" },
  contact: {
    type: "technical",
    company: "Acme",
    givenName: "Ada",
    surName: "Lovelace",
    emailAddresses: ["ada@acme.example.com"],
    telephoneNumbers: ["+1 555 0100"],
  },
});

const base64Of = (pem: string) => parseCertificate(pem).raw.toString("base64");

describe("IdP metadata", () => {
  it("validates against saml-schema-metadata-2.0.xsd, with two signing keys during a rollover", async () => {
    const result = await xsdValidate(buildIdpMetadata(rollover()), "metadata");
    assert.equal(result.ok, true, result.stderr);
  });

  it("is read by OneLogin's metadata parser: entity ID, both bindings, both certificates", async () => {
    const view = await oneloginReadIdpMetadata(buildIdpMetadata(rollover()));
    for (const [binding, parsed] of Object.entries(view)) {
      assert.equal(parsed.entityId, "https://portico.example.com", binding);
      assert.equal(parsed.sso, "https://portico.example.com/idp/SSO.saml2", binding);
      assert.equal(parsed.slo, "https://portico.example.com/idp/SLO.saml2", binding);
      assert.deepEqual(parsed.signingCertificates, [
        base64Of(current.certificatePem),
        base64Of(next.certificatePem),
      ]);
    }
    assert.equal(view.redirect.nameIdFormat, nameIdFormat.unspecified);
  });

  for (const [label, key, algorithm] of [
    ["RSA-SHA256", () => current, "SHA256withRSA"],
    ["ECDSA-SHA256", () => ec, "SHA256withECDSA"],
  ] as const) {
    describe(`signed (${label})`, () => {
      let xml: string;
      before(() => {
        xml = buildIdpMetadata({
          ...rollover(),
          signing: {
            ...key(),
            algorithm,
            includeCertInSignature: true,
            includeRawKeyInSignature: false,
            id: "_metadata-2026",
          },
        });
      });

      it("validates against the metadata schema", async () => {
        const result = await xsdValidate(xml, "metadata");
        assert.equal(result.ok, true, result.stderr);
      });

      it("verifies with xmlsec1 over the EntityDescriptor, and with samlsign", async () => {
        const result = await xmlsecVerify(xml, key().certificatePem, "EntityDescriptor");
        assert.equal(result.ok, true, result.output);
        assert.deepEqual(result.referenceUris, ["#_metadata-2026"]);
        assert.deepEqual(result.digestedIds, ["_metadata-2026"]);
        const samlsign = await samlsignVerify(xml, key().certificatePem, "_metadata-2026");
        assert.equal(samlsign.ok, true, samlsign.stdout + samlsign.stderr);
      });

      it("is rejected by both once the SSO URL is changed", async () => {
        const tampered = xml.replaceAll(
          "https://portico.example.com/idp/SSO.saml2",
          "https://evil.example.com/sso",
        );
        assert.notEqual(tampered, xml);
        assert.equal((await xmlsecVerify(tampered, key().certificatePem, "EntityDescriptor")).ok, false);
        assert.equal((await samlsignVerify(tampered, key().certificatePem, "_metadata-2026")).ok, false);
      });
    });
  }
});
