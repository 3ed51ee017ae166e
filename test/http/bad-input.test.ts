import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

const valid = (): SpConnection => {
  const c = JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  ) as SpConnection;
  c.id = "fresh";
  c.entityId = "https://fresh.my.salesforce.com";
  return c;
};

const mutate = (change: (c: Record<string, any>) => void): SpConnection => {
  const c = valid() as unknown as Record<string, any>;
  change(c);
  return c as unknown as SpConnection;
};

type Case = {
  name: string;
  method: "POST" | "PUT";
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
};

/**
 * Bad input, one row per mistake: each gets a 4xx with a stable code that names the field,
 * and the stored configuration is exactly what it was before.
 */
const cases: Case[] = [
  {
    name: "malformed JSON",
    method: "POST",
    path: "/idp/spConnections",
    raw: '{"entityId": ',
    status: 400,
    code: "REQ_MALFORMED_JSON",
  },
  {
    name: "empty JSON body",
    method: "POST",
    path: "/idp/spConnections",
    raw: "",
    status: 400,
    code: "REQ_MALFORMED_JSON",
  },
  {
    name: "wrong media type",
    method: "POST",
    path: "/idp/spConnections",
    raw: "entityId=x",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    code: "REQ_UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "text/plain body",
    method: "POST",
    path: "/idp/spConnections",
    raw: JSON.stringify(valid()),
    headers: { "content-type": "text/plain" },
    status: 415,
    code: "REQ_UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "__proto__ key",
    method: "POST",
    path: "/idp/spConnections",
    raw: JSON.stringify(valid()).replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
    status: 400,
    code: "REQ_VALIDATION",
    field: "__proto__",
  },
  {
    name: "nested __proto__ key",
    method: "PUT",
    path: "/idp/spConnections/sfprod",
    raw: JSON.stringify(mutate((c) => (c.id = "sfprod"))).replace(
      '"spBrowserSso":{',
      '"spBrowserSso":{"__proto__":{"signAssertions":false},',
    ),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.__proto__",
  },
  {
    name: "constructor.prototype key",
    method: "POST",
    path: "/adminAccounts",
    raw: '{"username":"eve","password":"a-long-password-1","constructor":{"prototype":{"role":"ADMIN"}}}',
    status: 400,
    code: "REQ_VALIDATION",
    field: "constructor.prototype",
  },
  {
    name: "oversize body",
    method: "POST",
    path: "/idp/spConnections",
    raw: JSON.stringify({ ...valid(), name: "x".repeat(3 * 1024 * 1024) }),
    status: 413,
    code: "REQ_TOO_LARGE",
  },
  {
    name: "missing entityId",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => delete c.entityId),
    status: 400,
    code: "REQ_VALIDATION",
    field: "entityId",
  },
  {
    name: "wrong type",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.active = "yes")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "active",
  },
  {
    name: "unknown field",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.colour = "blue")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "colour",
  },
  {
    name: "unknown nested field",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].weight = 3)),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.ssoServiceEndpoints[0].weight",
  },
  {
    name: "binding not in the list",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].binding = "PIGEON")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.ssoServiceEndpoints[0].binding",
  },
  {
    name: "two default ACS",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].isDefault = true)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints",
  },
  {
    name: "no default ACS among several",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[1].isDefault = false)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints",
  },
  {
    name: "ACS index used twice",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[1].index = 0)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints[1].index",
  },
  {
    name: "ACS URL not absolute",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].url = "javascript:alert(1)")),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints[0].url",
  },
  {
    name: "no ACS at all",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints = [])),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.ssoServiceEndpoints",
  },
  {
    name: "default virtual entity ID not among them",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.defaultVirtualEntityId = "urn:other")),
    status: 422,
    code: "CONN_INVALID",
    field: "defaultVirtualEntityId",
  },
  {
    name: "signing key that does not exist",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.credentials.signingSettings.signingKeyPairRef.id = "no-such-key")),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.signingSettings.signingKeyPairRef.id",
  },
  {
    name: "ECDSA algorithm with an RSA key",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.credentials.signingSettings.algorithm = "SHA256withECDSA")),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.signingSettings.algorithm",
  },
  {
    name: "nothing signed",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.signResponseAsRequired = false)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.signResponseAsRequired",
  },
  {
    name: "signed requests required without a verification certificate",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.requireSignedAuthnRequests = true)),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.certs",
  },
  {
    name: "unparseable verification certificate",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate(
      (c) =>
        (c.credentials.certs = [
          { x509File: { fileData: "bm90IGEgY2VydA==" }, primaryVerificationCert: true },
        ]),
    ),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.certs[0].x509File.fileData",
  },
  {
    name: "SAML_SUBJECT not fulfilled",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.adapterMappings[0].attributeContractFulfillment = {})),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.adapterMappings[0].attributeContractFulfillment.SAML_SUBJECT",
  },
  {
    name: "entity ID already used",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.entityId = "https://acme.my.salesforce.com")),
    status: 409,
    code: "CONN_ENTITY_ID_TAKEN",
    field: "entityId",
  },
  {
    name: "id already used",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.id = "sfprod")),
    status: 409,
    code: "CONN_ID_TAKEN",
    field: "id",
  },
  {
    name: "id with a slash",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.id = "a/b")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "id",
  },
  {
    name: "secret given as value and encryptedValue",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.outboundProvision.targetSettings[1].encryptedValue = "v1.x.y.z")),
    status: 422,
    code: "CONN_INVALID",
    field: "outboundProvision.targetSettings[1]",
  },
  {
    name: "PUT to a connection that does not exist",
    method: "PUT",
    path: "/idp/spConnections/nope",
    body: mutate((c) => (c.id = "nope")),
    status: 404,
    code: "CONN_NOT_FOUND",
  },
  {
    name: "PUT whose body id differs",
    method: "PUT",
    path: "/idp/spConnections/sfprod",
    body: valid(),
    status: 422,
    code: "CONN_INVALID",
    field: "id",
  },
  {
    name: "key generation with a bad size",
    method: "POST",
    path: "/keyPairs/signing/generate",
    body: { keySize: 1024 },
    status: 400,
    code: "REQ_VALIDATION",
    field: "keySize",
  },
  {
    name: "EC key with an RSA size",
    method: "POST",
    path: "/keyPairs/signing/generate",
    body: { keyAlgorithm: "EC", keySize: 2048 },
    status: 422,
    code: "KEY_UNSUPPORTED",
    field: "keySize",
  },
  {
    name: "key import of garbage PEM",
    method: "POST",
    path: "/keyPairs/signing/import",
    body: { format: "PEM", fileData: "hello" },
    status: 422,
    code: "KEY_INVALID_PEM",
    field: "fileData",
  },
  {
    name: "PKCS#12 without a password",
    method: "POST",
    path: "/keyPairs/signing/import",
    body: { format: "PKCS12", fileData: "AAAA" },
    status: 400,
    code: "REQ_VALIDATION",
    field: "password",
  },
  {
    name: "PKCS#12 that is not one",
    method: "POST",
    path: "/keyPairs/signing/import",
    body: { format: "PKCS12", fileData: "AAAA", password: "x" },
    status: 422,
    code: "KEY_PKCS12_INVALID",
  },
  {
    name: "convert without metadata",
    method: "POST",
    path: "/connectionMetadata/convert",
    body: { connectionType: "SP" },
    status: 400,
    code: "REQ_VALIDATION",
    field: "samlMetadata",
  },
  {
    name: "convert with non-base64 metadata",
    method: "POST",
    path: "/connectionMetadata/convert",
    body: { connectionType: "SP", samlMetadata: "<xml/>" },
    status: 400,
    code: "SAML_METADATA_BASE64",
  },
  {
    name: "convert with an unknown template",
    method: "POST",
    path: "/connectionMetadata/convert",
    body: {
      connectionType: "SP",
      samlMetadata: Buffer.from("<x/>").toString("base64"),
      templateId: "workday",
    },
    status: 400,
    code: "REQ_VALIDATION",
    field: "templateId",
  },
  {
    name: "admin password too short",
    method: "POST",
    path: "/adminAccounts",
    body: { username: "bob", password: "short" },
    status: 400,
    code: "REQ_VALIDATION",
    field: "password",
  },
  {
    name: "import of a document that is not a bundle",
    method: "POST",
    path: "/portico/config/import",
    body: { hello: "world" },
    status: 400,
    code: "REQ_VALIDATION",
    field: "formatVersion",
  },
  {
    name: "import of a bundle with a broken connection",
    method: "POST",
    path: "/portico/config/import",
    body: {
      formatVersion: 1,
      keyPairs: [],
      spConnections: [mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].isDefault = true))],
    },
    status: 422,
    code: "CONFIG_BUNDLE_INVALID",
    field: "spConnections[0].spBrowserSso.ssoServiceEndpoints",
  },
];

describe("admin API bad input", () => {
  let server: TestServer;
  const snapshot = async () =>
    JSON.stringify({
      connections: await server.context.store.connections.list(),
      keys: await server.context.store.signingKeys.list(),
      admins: (await server.context.store.adminAccounts.list()).map((a) => a.username),
    });

  before(async () => {
    server = await startTestServer();
    await server.request("POST", "/keyPairs/signing/generate", { id: "sig1" });
    const created = await server.request(
      "POST",
      "/idp/spConnections",
      mutate((c) => {
        c.id = "sfprod";
        c.entityId = "https://acme.my.salesforce.com";
      }),
    );
    assert.equal(created.statusCode, 201, created.body);
  });
  after(() => server.dispose());

  it("accepts a DELETE that says application/json and sends no body", async () => {
    const created = await server.request(
      "POST",
      "/idp/spConnections",
      mutate((c) => {
        c.id = "to-delete";
        c.entityId = "https://to-delete.my.salesforce.com";
        c.active = false;
      }),
    );
    assert.equal(created.statusCode, 201, created.body);
    const deleted = await server.request("DELETE", "/idp/spConnections/to-delete", undefined, { raw: "" });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await server.context.store.connections.get("to-delete")) === undefined, true);
  });

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = await snapshot();
      const response = await server.request(c.method, c.path, c.body, {
        ...(c.raw === undefined ? {} : { raw: c.raw }),
        ...(c.headers ? { headers: c.headers } : {}),
      });
      assert.equal(response.statusCode, c.status, response.body.slice(0, 500));
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      const problem = response.json();
      assert.equal(problem.code, c.code, response.body.slice(0, 500));
      assert.equal(problem.status, c.status);
      assert.ok(problem.correlationId);
      // PingFederate's error fields ride alongside, carrying the same findings.
      assert.equal(problem.message, problem.detail);
      assert.equal(typeof problem.resultId, "string");
      assert.deepEqual(
        (problem.validationErrors ?? []).map((e: { fieldPath?: string; message: string }) => [
          e.fieldPath,
          e.message,
        ]),
        (problem.errors ?? []).map((e: { field?: string; message: string }) => [e.field, e.message]),
      );
      if (c.field !== undefined) {
        const fields: string[] = (problem.errors ?? []).map((e: { field?: string }) => e.field ?? "");
        assert.ok(
          fields.includes(c.field) || String(problem.detail).includes(c.field),
          `the error names ${c.field}: ${response.body.slice(0, 500)}`,
        );
      }
      assert.equal(await snapshot(), before, "the stored configuration is unchanged");
    });
  }
});
