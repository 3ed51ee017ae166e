import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { DOMParser } from "@xmldom/xmldom";
import xmlenc from "xml-encryption";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  readPostForm,
  submitSignInForm,
} from "../support/sso.ts";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/metadata/${name}`, import.meta.url));

describe("encrypted assertions for an SP with an encryption certificate", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    const converted = await server.request("POST", "/connectionMetadata/convert", {
      connectionType: "SP",
      samlMetadata: fixture("salesforce-with-encryption.xml").toString("base64"),
    });
    const connection = converted.json().connection as SpConnection;
    assert.ok(
      connection.credentials?.certs?.some((c) => c.encryptionCert),
      "the encryption certificate came from metadata",
    );
    connection.id = "encrypted";
    connection.active = true;
    if (connection.spBrowserSso)
      connection.spBrowserSso.encryptionPolicy = { encryptAssertion: true, encryptedAttributes: [] };
    const created = await server.request("POST", "/idp/spConnections", connection);
    assert.equal(created.statusCode, 201, created.body);
  });
  after(() => server.dispose());

  it("sends an EncryptedAssertion (AES-256-GCM, RSA-OAEP) that only the SP's key opens", async () => {
    const jar = cookieJar();
    const login = await browserInject(server.runtimeApp, jar, {
      method: "GET",
      url: `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent("https://acme.my.salesforce.com")}`,
    });
    const posted = await submitSignInForm(server.runtimeApp, jar, login.body, "ada", "ada-password-1");
    const xml = Buffer.from(readPostForm(posted.body).samlResponse ?? "", "base64").toString("utf8");
    assert.match(xml, /<saml:EncryptedAssertion/);
    assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2009\/xmlenc11#aes256-gcm"/);
    assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#rsa-oaep-mgf1p"/);
    assert.doesNotMatch(xml, /ada@acme\.example\.com/, "the NameID is not readable in transit");
    const doc = new DOMParser().parseFromString(xml, "text/xml");
    const encrypted = doc.getElementsByTagNameNS("http://www.w3.org/2001/04/xmlenc#", "EncryptedData")[0];
    assert.ok(encrypted);
    const assertion = await new Promise<string>((resolve, reject) =>
      xmlenc.decrypt(
        encrypted.toString(),
        { key: fixture("salesforce-sp-encryption.key.pem").toString() },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
    assert.match(assertion, /<saml:NameID[^>]*>ada@acme\.example\.com<\/saml:NameID>/);
  });
});
