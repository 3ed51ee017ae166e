import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { nameIdFormat } from "../../src/saml/urn.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { browserInject, cookieJar, createDirectoryUser, readPostForm } from "../support/sso.ts";

/** The standard SAML SP template: a connection for an application that is not Salesforce. */

const shibboleth = () => readFileSync(new URL("../fixtures/metadata/shibboleth-sp.xml", import.meta.url));
const convert = (server: TestServer, xml: Buffer | string, templateId = "standard-saml-sp") =>
  server.request("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: Buffer.from(xml).toString("base64"),
    templateId,
  });

describe("standard SAML SP template from a non-Salesforce SP's metadata", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const key = await server.request("POST", "/keyPairs/signing/generate", { id: "sig", commonName: "idp" });
    assert.equal(key.statusCode, 201, key.body);
  });
  after(() => server.dispose());

  it("maps uid, mail, givenName and sn and honours the metadata's signing and NameID wishes", async () => {
    const response = await convert(server, shibboleth());
    assert.equal(response.statusCode, 200, response.body);
    const { connection: c, warnings } = response.json() as { connection: SpConnection; warnings: string[] };
    assert.equal(c.connectionTargetType, "STANDARD");
    assert.equal(c.name, "wiki.example.org");
    assert.equal(c.outboundProvision, undefined, "no Salesforce provisioning");
    const sso = c.spBrowserSso;
    assert.ok(sso);
    assert.equal(sso.signAssertions, true, "WantAssertionsSigned");
    assert.equal(sso.requireSignedAuthnRequests, true, "AuthnRequestsSigned");
    assert.equal(c.credentials?.certs?.[0]?.primaryVerificationCert, true);
    assert.deepEqual(sso.attributeContract.coreAttributes, [
      { name: "SAML_SUBJECT", nameFormat: nameIdFormat.emailAddress },
    ]);
    assert.deepEqual(
      sso.attributeContract.extendedAttributes?.map((a) => a.name),
      ["uid", "mail", "givenName", "sn"],
    );
    const fulfillment = sso.adapterMappings[0]?.attributeContractFulfillment ?? {};
    assert.deepEqual(fulfillment.SAML_SUBJECT, { source: { type: "ADAPTER" }, value: "mail" });
    assert.deepEqual(fulfillment.givenName, { source: { type: "ADAPTER" }, value: "givenName" });
    assert.deepEqual(
      sso.ssoServiceEndpoints.map((e) => e.url),
      ["https://wiki.example.org/Shibboleth.sso/SAML2/POST"],
    );
    assert.ok(
      warnings.some((w) => w.includes("HTTP-Artifact")),
      warnings.join("\n"),
    );

    const salesforce = (await convert(server, shibboleth(), "salesforce-provisioner")).json();
    assert.equal(
      salesforce.connection.connectionTargetType,
      "SALESFORCE",
      "the default template is unchanged",
    );
  });

  it("takes an unspecified NameID from the uid, and a transient one as asked", async () => {
    const unspecified = shibboleth()
      .toString("utf8")
      .replace("nameid-format:emailAddress", "nameid-format:unspecified");
    const u = (await convert(server, unspecified)).json().connection as SpConnection;
    assert.deepEqual(u.spBrowserSso?.adapterMappings[0]?.attributeContractFulfillment.SAML_SUBJECT, {
      source: { type: "ADAPTER" },
      value: "uid",
    });
    const transient = shibboleth()
      .toString("utf8")
      .replace("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", nameIdFormat.transient);
    const t = (await convert(server, transient)).json().connection as SpConnection;
    assert.equal(t.spBrowserSso?.spSamlIdentityMapping, "TRANSIENT");
  });

  it("creates as converted and signs a user in with the four attributes", async () => {
    await createDirectoryUser(server);
    const converted = (await convert(server, shibboleth())).json().connection as SpConnection;
    converted.active = true;
    if (converted.spBrowserSso) converted.spBrowserSso.requireSignedAuthnRequests = false;
    const created = await server.request("POST", "/idp/spConnections", converted);
    assert.equal(created.statusCode, 201, created.body);

    const jar = cookieJar();
    const runtime = (method: "GET" | "POST", url: string, form?: Record<string, string>) =>
      browserInject(server.runtimeApp, jar, { method, url, form });
    const login = await runtime(
      "GET",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent("https://wiki.example.org/shibboleth")}`,
    );
    const posted = await runtime("POST", "/idp/login", {
      resume: readPostForm(login.body).resume ?? "",
      username: "ada",
      password: "ada-password-1",
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const xml = Buffer.from(readPostForm(posted.body).samlResponse ?? "", "base64").toString("utf8");
    assert.match(xml, /<saml:NameID[^>]*emailAddress[^>]*>ada@acme\.example\.com</);
    for (const [name, value] of [
      ["uid", "ada"],
      ["mail", "ada@acme.example.com"],
      ["givenName", "Ada"],
      ["sn", "Lovelace"],
    ]) {
      assert.match(
        xml,
        new RegExp(`<saml:Attribute Name="${name}"[^>]*>\\s*<saml:AttributeValue[^>]*>${value}<`),
      );
    }
  });
});
