import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { type Case, connectionCases, mutate, requestCases } from "./bad-input-cases.ts";

/**
 * Bad input, one row per mistake: each gets a 4xx with a stable code that names the field,
 * and the stored configuration is exactly what it was before. The request and connection rows
 * are in bad-input-cases.ts; the other resources' rows are here.
 */
const resourceCases: Case[] = [
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
const cases: Case[] = [...requestCases, ...connectionCases, ...resourceCases];

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
      const problem = assertProblem(response, c.code, c.status);
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
        const fields: string[] = (problem.errors ?? []).map((e) => e.field ?? "");
        assert.ok(
          fields.includes(c.field) || String(problem.detail).includes(c.field),
          `the error names ${c.field}: ${response.body.slice(0, 500)}`,
        );
      }
      assert.equal(await snapshot(), before, "the stored configuration is unchanged");
    });
  }
});
