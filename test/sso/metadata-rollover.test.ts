import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
  submitSignInForm,
} from "../support/sso.ts";

const certificatesIn = (xml: string) =>
  [...xml.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map(
    (m) => new X509Certificate(Buffer.from(m[1] ?? "", "base64")).fingerprint256,
  );

describe("IdP metadata and signing-key rollover", () => {
  let server: TestServer;
  let original: string;
  let next: string;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
    original = new X509Certificate(
      (await server.request("GET", "/keyPairs/signing/default-signing/certificate")).body,
    ).fingerprint256;
    await server.request("POST", "/keyPairs/signing/generate", {
      id: "next-signing",
      commonName: "idp.example.com",
    });
    next = new X509Certificate(
      (await server.request("GET", "/keyPairs/signing/next-signing/certificate")).body,
    ).fingerprint256;
  });
  after(() => server.dispose());

  const metadata = async () => {
    const response = await server.runtimeApp.inject({ method: "GET", url: "/pf/federation_metadata.ping" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /application\/samlmetadata\+xml/);
    return response.body;
  };

  it("publishes the entity ID, SSO and SLO endpoints under the base URL, and the signing certificate", async () => {
    const xml = await metadata();
    assert.match(xml, /entityID="https:\/\/idp\.example\.com"/);
    for (const binding of ["HTTP-Redirect", "HTTP-POST"]) {
      assert.match(
        xml,
        new RegExp(
          `SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="https://idp.example.com/idp/SSO.saml2"`,
        ),
      );
      assert.match(
        xml,
        new RegExp(
          `SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="https://idp.example.com/idp/SLO.saml2"`,
        ),
      );
    }
    assert.match(
      xml,
      /<md:NameIDFormat>urn:oasis:names:tc:SAML:1\.1:nameid-format:unspecified<\/md:NameIDFormat>/,
    );
    assert.deepEqual(certificatesIn(xml), [original]);
  });

  it("switches a connection to a new key while metadata still publishes the old one", async () => {
    const connection = (await server.request("GET", "/idp/spConnections/salesforce")).json() as SpConnection;
    const settings = connection.credentials?.signingSettings;
    assert.ok(settings);
    settings.signingKeyPairRef = { id: "next-signing" };
    settings.alternativeSigningKeyPairRefs = [{ id: "default-signing" }];
    assert.equal((await server.request("PUT", "/idp/spConnections/salesforce", connection)).statusCode, 200);

    assert.deepEqual(
      new Set(certificatesIn(await metadata())),
      new Set([original, next]),
      "two KeyDescriptors during the rollover",
    );

    const jar = cookieJar();
    const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;
    const login = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    const posted = await submitSignInForm(server.runtimeApp, jar, login.body, "ada", "ada-password-1");
    const xml = Buffer.from(readPostForm(posted.body).samlResponse ?? "", "base64").toString();
    // Salesforce's metadata wants the assertion signed as well as the Response: both by the new key.
    assert.deepEqual(certificatesIn(xml), [next, next], "responses are signed with the new key");

    const keys = (await server.request("GET", "/keyPairs/signing")).json() as {
      items: { id: string; usedBy: { id: string }[]; expires: string }[];
    };
    for (const id of ["default-signing", "next-signing"]) {
      const key = keys.items.find((k) => k.id === id);
      assert.deepEqual(
        key?.usedBy.map((u) => u.id),
        ["salesforce"],
        `${id} is listed as used`,
      );
      assert.ok(key?.expires);
    }
    const refused = await server.request("DELETE", "/keyPairs/signing/default-signing");
    assertProblem(refused, "KEY_IN_USE");
  });

  it("exports one connection's metadata under its virtual entity ID with its certificates", async () => {
    const connection = (await server.request("GET", "/idp/spConnections/salesforce")).json() as SpConnection;
    connection.virtualEntityIds = ["urn:acme:portico"];
    connection.defaultVirtualEntityId = "urn:acme:portico";
    assert.equal((await server.request("PUT", "/idp/spConnections/salesforce", connection)).statusCode, 200);
    const exported = await server.request("POST", "/connectionMetadata/export", {
      connectionId: "salesforce",
    });
    assert.equal(exported.statusCode, 200, exported.body);
    assert.match(exported.body, /entityID="urn:acme:portico"/);
    assert.match(exported.body, /WantAuthnRequestsSigned="true"/);
    assert.deepEqual(new Set(certificatesIn(exported.body)), new Set([original, next]));
    const signed = await server.request("POST", "/connectionMetadata/export", {
      connectionId: "salesforce",
      signingSettings: { signingKeyPairRef: { id: "next-signing" } },
    });
    assert.equal(signed.statusCode, 200, signed.body);
    assert.match(signed.body, /<ds:Signature/);
    const reference = /<ds:Reference URI="#([^"]+)"/.exec(signed.body)?.[1];
    assert.ok(
      reference && signed.body.includes(`ID="${reference}"`),
      "the signature covers the EntityDescriptor",
    );
    const unknown = await server.request("POST", "/connectionMetadata/export", { connectionId: "nope" });
    assertProblem(unknown, "CONN_NOT_FOUND");
    const foreign = await server.request("POST", "/connectionMetadata/export", {
      connectionId: "salesforce",
      virtualServerId: "urn:other",
    });
    assertProblem(foreign, "REQ_VALIDATION");
  });
});
