import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { type ParsedSpMetadata, parseSpMetadata } from "./parse-sp-metadata.ts";

const read = (name: string): Buffer =>
  readFileSync(new URL(`../../../test/fixtures/metadata/${name}`, import.meta.url));

const pemBody = (name: string): string =>
  read(name)
    .toString("utf8")
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "");

const signingCert = pemBody("salesforce-sp-signing.crt.pem");
const encryptionCert = pemBody("salesforce-sp-encryption.crt.pem");

const salesforce: ParsedSpMetadata = {
  entityId: "https://acme.my.salesforce.com",
  validUntil: "2035-06-10T21:20:24.551Z",
  authnRequestsSigned: true,
  wantAssertionsSigned: true,
  assertionConsumerServices: [
    { binding: "POST", url: "https://acme.my.salesforce.com?so=00D5g000004AbCd", index: 0, isDefault: true },
    {
      binding: "POST",
      url: "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm",
      index: 1,
      isDefault: false,
    },
  ],
  singleLogoutServices: [
    { binding: "REDIRECT", url: "https://acme.my.salesforce.com/services/auth/sp/saml2/logout" },
  ],
  signingCertificates: [signingCert],
  encryptionCertificates: [],
  nameIdFormats: ["urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"],
  contacts: [],
  isSigned: false,
};

const rejectsWith = (input: string | Buffer, code: ErrorCode, message?: RegExp) =>
  throwsCode(() => parseSpMetadata(input), code, message);

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/** A minimal SP entity around the given SPSSODescriptor content. */
const sp = (inner: string, entityExtra = "", spAttributes = ""): string =>
  `<md:EntityDescriptor xmlns:md="${MD}" entityID="https://sp.example.com">
     <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol" ${spAttributes}>${inner}</md:SPSSODescriptor>${entityExtra}
   </md:EntityDescriptor>`;
const acs = (index: number, extra = "", binding = POST) =>
  `<md:AssertionConsumerService Binding="${binding}" Location="https://sp.example.com/acs/${index}" index="${index}" ${extra}/>`;
const defaults = (metadata: ParsedSpMetadata) =>
  metadata.assertionConsumerServices.filter((service) => service.isDefault).map((service) => service.index);

describe("parseSpMetadata: Salesforce", () => {
  it("reads SAMLSP-0LE5g000000CaJx.xml to exactly the expected object", () => {
    assert.deepEqual(parseSpMetadata(read("SAMLSP-0LE5g000000CaJx.xml")), salesforce);
  });

  it("reads the same file given as a string", () => {
    assert.deepEqual(parseSpMetadata(read("SAMLSP-0LE5g000000CaJx.xml").toString("utf8")), salesforce);
  });

  it("reads the encryption certificate, with the line breaks removed", () => {
    assert.deepEqual(parseSpMetadata(read("salesforce-with-encryption.xml")), {
      ...salesforce,
      encryptionCertificates: [encryptionCert],
    });
  });

  it("picks the one SP entity out of an EntitiesDescriptor", () => {
    assert.deepEqual(parseSpMetadata(read("entities-wrapper.xml")), salesforce);
  });
});

describe("parseSpMetadata: hostile and unusable metadata", () => {
  const table: readonly [fixture: string, code: ErrorCode, message: RegExp][] = [
    ["no-acs.xml", "SAML_METADATA_NO_ACS", /no AssertionConsumerService/],
    ["no-sp.xml", "SAML_METADATA_NO_SP", /no SPSSODescriptor/],
    ["saml11-only-sp.xml", "SAML_METADATA_NO_SP", /SAML:2\.0:protocol/],
    ["bad-cert.xml", "SAML_METADATA_BAD_CERT", /not a valid X\.509 certificate/],
    ["not-base64-cert.xml", "SAML_METADATA_BAD_CERT", /not base64/],
    ["comment-in-certificate.xml", "XML_MALFORMED", /X509Certificate> must contain only text/],
    ["missing-entity-id.xml", "SAML_METADATA_INVALID", /no entityID/],
    [
      "duplicate-acs-index.xml",
      "SAML_METADATA_INVALID",
      /^metadata: AssertionConsumerService index 0 is used twice$/,
    ],
    ["non-integer-acs-index.xml", "SAML_METADATA_INVALID", /index "one" is not an integer/],
    ["relative-acs-url.xml", "SAML_METADATA_INVALID", /index 1 Location .* is not an absolute http\(s\) URL/],
    ["javascript-acs-url.xml", "SAML_METADATA_INVALID", /not an absolute http\(s\) URL/],
    ["entities-two-sps.xml", "SAML_METADATA_INVALID", /holds 2 service providers .*acme.*globex/],
    ["xxe-external-entity.xml", "XML_DOCTYPE_FORBIDDEN", /DOCTYPE/],
    ["billion-laughs.xml", "XML_DOCTYPE_FORBIDDEN", /DOCTYPE/],
    ["two-roots.xml", "XML_MULTIPLE_ROOTS", /more than one root/],
  ];
  for (const [fixture, code, message] of table) {
    it(`${fixture} → ${code}`, () => rejectsWith(read(fixture), code, message));
  }

  it("refuses a 1.1 MB file before parsing it", () => {
    const padding = `<!-- ${"x".repeat(1.1 * 1024 * 1024)} -->`;
    const big = read("SAMLSP-0LE5g000000CaJx.xml")
      .toString("utf8")
      .replace("</md:EntityDescriptor>", `${padding}</md:EntityDescriptor>`);
    rejectsWith(big, "XML_TOO_LARGE");
  });

  it("refuses a root that is not metadata", () => {
    rejectsWith(
      `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`,
      "SAML_METADATA_INVALID",
      /root element/,
    );
    rejectsWith(`<EntityDescriptor entityID="x"/>`, "SAML_METADATA_INVALID", /root element/);
  });

  it("refuses an index out of the unsignedShort range, a missing index and a missing Location", () => {
    rejectsWith(sp(acs(65536)), "SAML_METADATA_INVALID", /index "65536"/);
    rejectsWith(
      sp(`<md:AssertionConsumerService Binding="${POST}" Location="https://sp.example.com/acs"/>`),
      "SAML_METADATA_INVALID",
      /no index/,
    );
    rejectsWith(
      sp(`<md:AssertionConsumerService Binding="${POST}" index="0"/>`),
      "SAML_METADATA_INVALID",
      /index 0 has no Location/,
    );
  });

  it("refuses bad booleans, a bad KeyDescriptor use, a bad validUntil and two SP roles", () => {
    rejectsWith(sp(acs(0, 'isDefault="yes"')), "SAML_METADATA_INVALID", /isDefault must be true or false/);
    rejectsWith(sp(acs(0), "", 'AuthnRequestsSigned="TRUE"'), "SAML_METADATA_INVALID", /AuthnRequestsSigned/);
    rejectsWith(sp(`<md:KeyDescriptor use="both"/>${acs(0)}`), "SAML_METADATA_INVALID", /KeyDescriptor use/);
    rejectsWith(
      sp(acs(0)).replace(
        'entityID="https://sp.example.com"',
        'entityID="https://sp.example.com" validUntil="tomorrow"',
      ),
      "SAML_METADATA_INVALID",
      /validUntil "tomorrow"/,
    );
    const twice = sp(acs(0)).replace(
      "</md:EntityDescriptor>",
      `${sp(acs(0)).match(/<md:SPSSODescriptor[\s\S]*<\/md:SPSSODescriptor>/)?.[0]}</md:EntityDescriptor>`,
    );
    rejectsWith(twice, "SAML_METADATA_INVALID", /2 SPSSODescriptor/);
  });

  it("says so when every ACS uses a binding Portico does not support", () => {
    rejectsWith(
      sp(acs(0, "", "urn:oasis:names:tc:SAML:1.0:profiles:browser-post")),
      "SAML_METADATA_NO_ACS",
      /supported binding/,
    );
  });
});

describe("parseSpMetadata: saml-metadata §2.2.3 default endpoint", () => {
  const cases: readonly [name: string, inner: string, defaultIndex: number][] = [
    ["the first isDefault=true wins", acs(0) + acs(1, 'isDefault="true"') + acs(2, 'isDefault="1"'), 1],
    ["else the first without isDefault=false", acs(0, 'isDefault="false"') + acs(1) + acs(2), 1],
    ["else the first", acs(5, 'isDefault="0"') + acs(3, 'isDefault="false"'), 5],
    [
      "unsupported bindings do not count",
      acs(0, 'isDefault="true"', "urn:example:binding") + acs(1, 'isDefault="false"') + acs(2),
      2,
    ],
  ];
  for (const [name, inner, expected] of cases) {
    it(name, () => assert.deepEqual(defaults(parseSpMetadata(sp(inner))), [expected]));
  }

  it("keeps metadata order and maps every binding", () => {
    const parsed = parseSpMetadata(
      sp(
        acs(2, "", "urn:oasis:names:tc:SAML:2.0:bindings:PAOS") +
          acs(0, "", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact") +
          acs(1, "", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"),
      ),
    );
    assert.deepEqual(
      parsed.assertionConsumerServices.map(({ binding, index }) => [binding, index]),
      [
        ["PAOS", 2],
        ["ARTIFACT", 0],
        ["REDIRECT", 1],
      ],
    );
  });
});

describe("parseSpMetadata: other content", () => {
  it("puts a certificate without use in both lists, once", () => {
    const kd = (use: string) =>
      `<md:KeyDescriptor ${use}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${signingCert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    const keyNameOnly = `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyName>k</ds:KeyName></ds:KeyInfo></md:KeyDescriptor>`;
    const parsed = parseSpMetadata(sp(kd("") + kd('use="signing"') + keyNameOnly + acs(0)));
    assert.deepEqual(parsed.signingCertificates, [signingCert]);
    assert.deepEqual(parsed.encryptionCertificates, [signingCert]);
  });

  it("reads SLO response locations, organization, contacts and whether it is signed", () => {
    const slo = `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://sp.example.com/slo" ResponseLocation="https://sp.example.com/slo/response"/>
      <md:SingleLogoutService Binding="urn:example:unknown" Location="https://sp.example.com/other"/>`;
    const entityExtra = `
      <md:Organization>
        <md:OrganizationName xml:lang="fr">Acmé SA</md:OrganizationName>
        <md:OrganizationName xml:lang="en">Acme Inc.</md:OrganizationName>
        <md:OrganizationDisplayName xml:lang="en">Acme</md:OrganizationDisplayName>
        <md:OrganizationURL xml:lang="en">https://acme.example.com</md:OrganizationURL>
      </md:Organization>
      <md:ContactPerson contactType="technical">
        <md:Company>Acme</md:Company><md:GivenName>Ada</md:GivenName><md:SurName>Lovelace</md:SurName>
        <md:EmailAddress>mailto:ada@acme.example.com</md:EmailAddress><md:TelephoneNumber>+1 555 0100</md:TelephoneNumber>
      </md:ContactPerson>`;
    const signature = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>`;
    const xml = sp(slo + acs(0), entityExtra).replace(/(<md:EntityDescriptor[^>]*>)/, `$1${signature}`);
    const parsed = parseSpMetadata(xml);
    assert.deepEqual(parsed.singleLogoutServices, [
      {
        binding: "SOAP",
        url: "https://sp.example.com/slo",
        responseUrl: "https://sp.example.com/slo/response",
      },
    ]);
    assert.equal(parsed.organizationName, "Acme Inc.");
    assert.deepEqual(parsed.contacts, [
      {
        type: "technical",
        company: "Acme",
        givenName: "Ada",
        surName: "Lovelace",
        emailAddresses: ["ada@acme.example.com"],
        telephoneNumbers: ["+1 555 0100"],
      },
    ]);
    assert.equal(parsed.isSigned, true);
    assert.equal(parsed.authnRequestsSigned, false);
    assert.equal(parsed.wantAssertionsSigned, false);
    assert.equal("validUntil" in parsed, false);
  });
});
