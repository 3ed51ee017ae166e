import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { nameIdFormat } from "../../src/saml/urn.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

const metadataFile = (name: string) => readFileSync(new URL(`../fixtures/metadata/${name}`, import.meta.url));
const convert = (server: TestServer, xml: Buffer | string) =>
  server.request("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: Buffer.from(xml).toString("base64"),
    templateId: "salesforce-provisioner",
  });

describe("Salesforce Provisioner template from SAMLSP metadata", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it("turns Salesforce's metadata into a complete connection", async () => {
    const response = await convert(server, metadataFile("SAMLSP-0LE5g000000CaJx.xml"));
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as {
      connection: SpConnection;
      signatureStatus: string;
      certSubjectDn: string;
      certExpiration: string;
    };
    const c = result.connection;
    const sfCert = new X509Certificate(metadataFile("salesforce-sp-signing.crt.pem"));
    assert.equal(result.signatureStatus, "UNSIGNED");
    assert.equal(result.certSubjectDn, sfCert.subject.replace(/\n/g, ", "));
    assert.equal(result.certExpiration, new Date(sfCert.validTo).toISOString());

    assert.equal(c.entityId, "https://acme.my.salesforce.com");
    assert.equal(c.connectionTargetType, "SALESFORCE");
    const sso = c.spBrowserSso;
    assert.ok(sso);
    assert.deepEqual(sso.ssoServiceEndpoints, [
      {
        binding: "POST",
        url: "https://acme.my.salesforce.com?so=00D5g000004AbCd",
        index: 0,
        isDefault: true,
      },
      {
        binding: "POST",
        url: "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm",
        index: 1,
        isDefault: false,
      },
    ]);
    assert.deepEqual(sso.sloServiceEndpoints, [
      { binding: "REDIRECT", url: "https://acme.my.salesforce.com/services/auth/sp/saml2/logout" },
    ]);
    assert.ok(
      sso.enabledProfiles.includes("IDP_INITIATED_SSO") && sso.enabledProfiles.includes("SP_INITIATED_SSO"),
    );
    assert.deepEqual(sso.incomingBindings, ["POST", "REDIRECT"]);
    assert.equal(sso.requireSignedAuthnRequests, true, "AuthnRequestsSigned=true");
    assert.equal(sso.spSamlIdentityMapping, "STANDARD");
    assert.deepEqual(sso.adapterMappings[0]?.attributeContractFulfillment.SAML_SUBJECT, {
      source: { type: "ADAPTER" },
      value: "mail",
    });
    assert.deepEqual(sso.assertionLifetime, { minutesBefore: 5, minutesAfter: 5 });
    assert.equal(sso.signResponseAsRequired, true);
    assert.equal(sso.signAssertions, true, 'Salesforce\'s metadata says WantAssertionsSigned="true"');
    assert.deepEqual(sso.attributeContract.coreAttributes, [
      { name: "SAML_SUBJECT", nameFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" },
    ]);
    assert.equal(
      sso.ssoApplicationEndpoint,
      "https://idp.example.com/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Facme.my.salesforce.com",
    );

    const signing = c.credentials?.signingSettings;
    assert.equal(signing?.signingKeyPairRef.id, "default-signing", "the server's default signing key");
    assert.equal(signing?.includeCertInSignature, true);
    assert.equal(signing?.algorithm, "SHA256withRSA");
    const verification = c.credentials?.certs?.find((x) => x.primaryVerificationCert);
    assert.ok(verification, "Salesforce's request-signing certificate is the verification certificate");
    assert.equal(new X509Certificate(verification.x509File.fileData).fingerprint256, sfCert.fingerprint256);

    const settings = Object.fromEntries(
      (c.outboundProvision?.targetSettings ?? []).map((s) => [s.name, s.value]),
    );
    assert.equal(c.outboundProvision?.type, "SalesforceProvisioner");
    assert.deepEqual(
      {
        create: settings.CREATE_USERS,
        update: settings.UPDATE_USERS,
        disable: settings.DISABLE_USERS,
        freeze: settings.FREEZE_USER_FLAG,
        permissionSets: settings.PERMISSION_SET_MANAGEMENT,
      },
      {
        create: "true",
        update: "true",
        disable: "true",
        freeze: "false",
        permissionSets: "Merge with permission sets in Salesforce",
      },
    );

    assert.deepEqual(
      (await server.request("GET", "/idp/spConnections")).json(),
      { items: [] },
      "convert stores nothing",
    );
    const created = await server.request("POST", "/idp/spConnections", c);
    assert.equal(created.statusCode, 201, "the converted document creates as it is");
  });

  it("keeps the community ACS as the default when the admin picks it", async () => {
    const c = (await convert(server, metadataFile("SAMLSP-0LE5g000000CaJx.xml"))).json()
      .connection as SpConnection;
    c.entityId = "https://acme.my.site.com/customers";
    for (const e of c.spBrowserSso?.ssoServiceEndpoints ?? []) e.isDefault = e.index === 1;
    const created = await server.request("POST", "/idp/spConnections", c);
    assert.equal(created.statusCode, 201, created.body);
    const defaults = (created.json() as SpConnection).spBrowserSso?.ssoServiceEndpoints.filter(
      (e) => e.isDefault,
    );
    assert.deepEqual(
      defaults?.map((e) => e.index),
      [1],
    );
  });

  const salesforceXml = () => metadataFile("SAMLSP-0LE5g000000CaJx.xml").toString();
  const withNameIdFormats = (...formats: string[]) =>
    salesforceXml().replace(
      /<md:NameIDFormat>[^<]*<\/md:NameIDFormat>/,
      formats.map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`).join(""),
    );
  const converted = async (xml: string) => {
    const response = await convert(server, xml);
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { connection: SpConnection; warnings: string[] };
  };
  const subjectOf = (c: SpConnection) => ({
    mapping: c.spBrowserSso?.spSamlIdentityMapping,
    format: c.spBrowserSso?.attributeContract.coreAttributes?.find((a) => a.name === "SAML_SUBJECT")
      ?.nameFormat,
  });
  it("takes the subject from the SP's NameIDFormat: the first one Portico can issue", async () => {
    const { emailAddress, transient, persistent, x509SubjectName, unspecified, kerberos } = nameIdFormat;
    const cases: [string, string[], { mapping: string; format: string | undefined }][] = [
      ["emailAddress", [emailAddress], { mapping: "STANDARD", format: emailAddress }],
      ["transient", [transient], { mapping: "TRANSIENT", format: undefined }],
      ["persistent", [persistent, transient], { mapping: "PSEUDONYM", format: undefined }],
      ["x509-then-email", [x509SubjectName, emailAddress], { mapping: "STANDARD", format: emailAddress }],
      ["none", [], { mapping: "STANDARD", format: unspecified }],
    ];
    for (const [name, formats, expected] of cases) {
      const { connection, warnings } = await converted(withNameIdFormats(...formats));
      assert.deepEqual(subjectOf(connection), expected, name);
      assert.deepEqual(warnings, [], name);
      connection.entityId = `https://${name}.example`;
      const created = await server.request("POST", "/idp/spConnections", connection);
      assert.equal(created.statusCode, 201, `${name} creates as converted: ${created.body}`);
    }
    const { connection, warnings } = await converted(withNameIdFormats(kerberos));
    assert.deepEqual(subjectOf(connection), { mapping: "STANDARD", format: unspecified });
    assert.deepEqual(warnings, [
      `Portico cannot issue any of the metadata's NameIDFormats (${kerberos}); the subject is the directory's mail, format unspecified.`,
    ]);
  });

  it("signs only the Response when the SP does not want signed assertions", async () => {
    const { connection } = await converted(
      salesforceXml().replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"'),
    );
    assert.equal(connection.spBrowserSso?.signAssertions, false);
    assert.equal(connection.spBrowserSso?.signResponseAsRequired, true);
  });

  it("leaves out an HTTP-Artifact ACS and a SOAP logout endpoint with warnings; the first HTTP-POST ACS becomes the default", async () => {
    const artifact = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact";
    const xml = salesforceXml()
      .replace(
        'Location="https://acme.my.salesforce.com?so=00D5g000004AbCd" index="0" isDefault="true"',
        'Location="https://acme.my.salesforce.com?so=00D5g000004AbCd" index="0"',
      )
      .replace(
        "</md:SPSSODescriptor>",
        `<md:AssertionConsumerService Binding="${artifact}" Location="https://acme.my.salesforce.com/artifact" index="2" isDefault="true"/></md:SPSSODescriptor>`,
      )
      .replace(
        "<md:NameIDFormat>",
        '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://acme.my.salesforce.com/soap"/><md:NameIDFormat>',
      );
    const { connection, warnings } = await converted(xml);
    assert.deepEqual(
      connection.spBrowserSso?.ssoServiceEndpoints.map((e) => [e.binding, e.index, e.isDefault]),
      [
        ["POST", 0, true],
        ["POST", 1, false],
      ],
    );
    assert.deepEqual(warnings, [
      "AssertionConsumerService https://acme.my.salesforce.com/artifact (index 2) uses HTTP-Artifact; Portico answers only over HTTP-POST, so it was left out.",
      "SingleLogoutService https://acme.my.salesforce.com/soap uses SOAP; Portico logs out over HTTP-Redirect and HTTP-POST only, so it was left out.",
    ]);
    assert.deepEqual(
      connection.spBrowserSso?.sloServiceEndpoints?.map((e) => e.binding),
      ["REDIRECT"],
    );
  });

  it("refuses metadata whose every ACS uses HTTP-Artifact (SAML_METADATA_NO_ACS), and stores nothing", async () => {
    const before = JSON.stringify(await server.context.store.connections.list());
    const xml = salesforceXml().replace(
      /urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST/g,
      "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact",
    );
    const response = await convert(server, xml);
    assertProblem(response, "SAML_METADATA_NO_ACS");
    assert.match(response.json().detail, /HTTP-POST/);
    assert.equal(JSON.stringify(await server.context.store.connections.list()), before);
  });

  const hostile: [string, () => Buffer | string, number, ErrorCode][] = [
    [
      "DOCTYPE with an external entity",
      () => metadataFile("xxe-external-entity.xml"),
      400,
      "XML_DOCTYPE_FORBIDDEN",
    ],
    ["billion laughs", () => metadataFile("billion-laughs.xml"), 400, "XML_DOCTYPE_FORBIDDEN"],
    ["two roots", () => metadataFile("two-roots.xml"), 400, "XML_MULTIPLE_ROOTS"],
    ["no SPSSODescriptor", () => metadataFile("no-sp.xml"), 422, "SAML_METADATA_NO_SP"],
    ["no AssertionConsumerService", () => metadataFile("no-acs.xml"), 422, "SAML_METADATA_NO_ACS"],
    ["an unparseable certificate", () => metadataFile("bad-cert.xml"), 422, "SAML_METADATA_BAD_CERT"],
    ["not XML at all", () => "this is not xml", 400, "XML_MALFORMED"],
    [
      "over 1 MB",
      () => {
        const xml = metadataFile("SAMLSP-0LE5g000000CaJx.xml").toString();
        return xml.replace("<md:SPSSODescriptor", `<!--${"x".repeat(1_100_000)}--><md:SPSSODescriptor`);
      },
      413,
      "XML_TOO_LARGE",
    ],
  ];
  for (const [name, input, status, code] of hostile) {
    it(`refuses metadata with ${name} (${code}) and stores nothing`, async () => {
      const before = JSON.stringify(await server.context.store.connections.list());
      const response = await convert(server, input());
      assert.ok(assertProblem(response, code, status).detail.length > 0);
      assert.equal(JSON.stringify(await server.context.store.connections.list()), before);
    });
  }
});
