import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertProblem } from "../support/errors.ts";
import { adminPassword, basicAuth, startTestServer, type TestServer } from "../support/server.ts";

describe("admin API authentication and XSRF", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it("requires credentials, and says how to give them", async () => {
    const response = await server.request("GET", "/idp/spConnections", undefined, { auth: null });
    assertProblem(response, "AUTH_REQUIRED");
    assert.match(String(response.headers["www-authenticate"]), /Basic/);
  });

  it("accepts the bootstrap admin and refuses a wrong password", async () => {
    assert.equal((await server.request("GET", "/version")).statusCode, 200);
    const wrong = await server.request("GET", "/version", undefined, { auth: basicAuth("admin", "nope") });
    assertProblem(wrong, "AUTH_INVALID_CREDENTIALS");
    const unknown = await server.request("GET", "/version", undefined, {
      auth: basicAuth("mallory", "nope"),
    });
    // An unknown account looks like a wrong password.
    assertProblem(unknown, "AUTH_INVALID_CREDENTIALS");
  });

  it("refuses a state-changing call without X-XSRF-Header and changes nothing", async () => {
    const response = await server.adminApp.inject({
      method: "POST",
      url: "/pf-admin-api/v1/keyPairs/signing/generate",
      headers: { authorization: basicAuth("admin", adminPassword), "content-type": "application/json" },
      payload: "{}",
    });
    assertProblem(response, "REQ_XSRF_HEADER_MISSING");
    assert.equal((await server.context.store.signingKeys.list()).length, 1, "only the bootstrap key");
    const del = await server.adminApp.inject({
      method: "DELETE",
      url: "/pf-admin-api/v1/keyPairs/signing/default-signing",
      headers: { authorization: basicAuth("admin", adminPassword) },
    });
    assertProblem(del, "REQ_XSRF_HEADER_MISSING");
  });

  it("issues API tokens shown once, stores only their hash, and honours revocation", async () => {
    const created = await server.request("POST", "/apiTokens", { name: "ci" });
    assert.equal(created.statusCode, 201);
    const { token, id } = created.json() as { token: string; id: string };
    assert.match(token, /^ptk_/);
    const stored = await server.context.store.apiTokens.list();
    assert.ok(stored.every((t) => t.tokenHash !== token && !JSON.stringify(t).includes(token)));
    const listed = await server.request("GET", "/apiTokens");
    assert.ok(!listed.body.includes(token), "the token is never listed");
    const withToken = await server.request("GET", "/keyPairs/signing", undefined, {
      auth: `Bearer ${token}`,
    });
    assert.equal(withToken.statusCode, 200);
    const audit = await server.request("GET", "/auditLog");
    assert.ok(!audit.body.includes(token));
    assert.equal((await server.request("DELETE", `/apiTokens/${id}`)).statusCode, 204);
    const revoked = await server.request("GET", "/keyPairs/signing", undefined, { auth: `Bearer ${token}` });
    assert.equal(revoked.statusCode, 401);
  });

  it("makes auditor accounts read-only", async () => {
    const made = await server.request("POST", "/adminAccounts", {
      username: "auditor",
      password: "an-auditor-password",
      role: "AUDITOR",
    });
    assert.equal(made.statusCode, 201, made.body);
    const auth = basicAuth("auditor", "an-auditor-password");
    assert.equal((await server.request("GET", "/idp/spConnections", undefined, { auth })).statusCode, 200);
    const write = await server.request("POST", "/keyPairs/signing/generate", {}, { auth });
    assertProblem(write, "AUTH_FORBIDDEN");
  });

  it("throttles password guessing per account, even for the right password", async () => {
    await server.request("POST", "/adminAccounts", { username: "victim", password: "the-victims-password" });
    for (let i = 0; i < 5; i++) {
      const r = await server.request("GET", "/version", undefined, {
        auth: basicAuth("victim", `guess-${i}`),
      });
      assert.equal(r.statusCode, 401);
    }
    const locked = await server.request("GET", "/version", undefined, {
      auth: basicAuth("victim", "the-victims-password"),
    });
    assertProblem(locked, "AUTH_THROTTLED");
    assert.ok(Number(locked.headers["retry-after"]) > 0);
    assert.match(locked.json().detail, /try again in \d+ minute/);
    const other = await server.request("GET", "/version");
    assert.equal(other.statusCode, 200, "other accounts are not locked out");
  });

  it("publishes an OpenAPI document generated from the route schemas", async () => {
    const response = await server.adminApp.inject({ method: "GET", url: "/pf-admin-api/v1/openapi.json" });
    assert.equal(response.statusCode, 200);
    const doc = response.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      "/idp/spConnections",
      "/idp/spConnections/{id}",
      "/keyPairs/signing",
      "/keyPairs/signing/generate",
      "/keyPairs/signing/import",
      "/keyPairs/signing/{id}/certificate",
      "/connectionMetadata/convert",
      "/portico/config/export",
      "/apiTokens",
    ]) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    const post = doc.paths["/idp/spConnections"]?.post as {
      requestBody?: { content?: Record<string, { schema?: { properties?: object } }> };
    };
    assert.ok(
      post.requestBody?.content?.["application/json"]?.schema?.properties,
      "the connection schema is in the document",
    );
  });

  it("filters the audit log by actor, action, resource type, outcome and time", async () => {
    const all = (await server.request("GET", "/auditLog?limit=1000")).json().items as {
      actor: string;
      action: string;
      resourceType: string;
      at: string;
    }[];
    assert.ok(
      all.some((e) => e.action === "apiToken.delete"),
      "the changes above are logged",
    );
    const deleted = (await server.request("GET", "/auditLog?action=apiToken.delete&actor=admin")).json()
      .items;
    assert.deepEqual(
      deleted.map((e: { action: string }) => e.action),
      all.filter((e) => e.action === "apiToken.delete" && e.actor === "admin").map((e) => e.action),
    );
    const accounts = (
      await server.request("GET", "/auditLog?resourceType=adminAccount&outcome=SUCCESS")
    ).json().items as { resourceType: string }[];
    assert.ok(accounts.length > 0 && accounts.every((e) => e.resourceType === "adminAccount"));
    const future = await server.request("GET", "/auditLog?from=2999-01-01T00:00:00Z");
    assert.deepEqual(future.json().items, [], "nothing from the future");
    assertProblem(await server.request("GET", "/auditLog?from=yesterday"), "REQ_VALIDATION");
  });

  it("answers unknown routes with a problem document", async () => {
    const response = await server.request("GET", "/no/such/thing");
    assertProblem(response, "REQ_NOT_FOUND");
  });
});
