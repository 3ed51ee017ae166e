import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";
import { salesforceFailureOf } from "../../src/provisioning/salesforce/errors.ts";
import { salesforceTargetFor } from "../../src/services/provisioning/target.ts";
import { assertCode, rejectedAppError, rejectsWithCode } from "../support/errors.ts";
import {
  clientCredentialsSettings,
  connectionWithTarget,
  jwtSettings,
  refreshTokenFor,
  refreshTokenSettings,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * The Salesforce client and its token manager, driven through Portico's service layer against the
 * emulator over a real socket: grants, the 401 rule, rotation across a restart, error translation,
 * collections and paging.
 */

describe("the Salesforce client against the emulator", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;

  const save = async (server: TestServer, id: string, settings: Record<string, string>) => {
    const created = await server.request("POST", "/idp/spConnections", connectionWithTarget(id, settings));
    assert.equal(created.statusCode, 201, created.body);
  };
  const clientCredentials = () => clientCredentialsSettings(sf);
  const adminQuery = () => `SELECT Id, Username FROM User WHERE Username = '${sf.org.adminUsername}'`;

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
    await sf.close();
  });

  it("gets a token by each AUTH_METHOD and calls the API with it", async () => {
    const certificate = (await server.request("GET", "/keyPairs/signing/default-signing/certificate")).body;
    await sf.control("PUT", "/connected-app", { jwtCertificate: certificate });
    await save(server, "by-cc", clientCredentials());
    await save(server, "by-refresh", refreshTokenSettings(sf, await refreshTokenFor(sf)));
    await save(server, "by-jwt", jwtSettings(sf));
    for (const [id, grant] of [
      ["by-cc", "client_credentials"],
      ["by-refresh", "refresh_token"],
      ["by-jwt", "jwt-bearer"],
    ] as const) {
      await sf.clearRequests();
      const { client } = await salesforceTargetFor(server.context, id);
      const users = await client.query<{ Username: string }>(adminQuery());
      assert.deepEqual(
        users.map((u) => u.Username),
        [sf.org.adminUsername],
        id,
      );
      const kinds = (await sf.requests()).map((r) => r.kind);
      assert.deepEqual(kinds, [`oauth.token.${grant}`, "rest.query"], id);
    }
  });

  it("renews an expired session once for ten parallel calls, then retries each of them", async () => {
    await save(server, "parallel", refreshTokenSettings(sf, await refreshTokenFor(sf)));
    const { client } = await salesforceTargetFor(server.context, "parallel");
    await client.query(adminQuery());
    await sf.control("POST", "/expire-tokens", {});
    await sf.clearRequests();
    const results = await Promise.all(Array.from({ length: 10 }, () => client.query(adminQuery())));
    assert.ok(results.every((r) => r.length === 1));
    const calls = await sf.requests();
    assert.equal(calls.filter((r) => r.path.startsWith("/services/oauth2/token")).length, 1, "one refresh");
    const rest = calls.filter((r) => r.path.startsWith("/services/data"));
    assert.equal(rest.filter((r) => r.status === 401).length, 10, "each call saw the expired session once");
    assert.equal(rest.filter((r) => r.status === 200).length, 10, "and succeeded once renewed");
  });

  it("gives up after one renewal when the new session is refused too: no loop", async () => {
    // Every token this org issues has expired by the time it is used.
    let now = Date.parse("2026-07-01T12:00:00Z");
    const stale = await startSalesforceEmulator({
      clock: () => new Date((now += 5_000)),
      tokenLifetimeSeconds: 1,
    });
    try {
      await save(server, "stale", clientCredentialsSettings(stale));
      const { client } = await salesforceTargetFor(server.context, "stale");
      await rejectsWithCode(
        client.query("SELECT Id FROM User"),
        "PROV_TARGET_AUTH_FAILED",
        /INVALID_SESSION_ID/,
      );
      const calls = await stale.requests();
      assert.deepEqual(
        calls.map((r) => r.kind),
        ["oauth.token.client_credentials", "rest.query", "oauth.token.client_credentials", "rest.query"],
      );
    } finally {
      await stale.close();
    }
  });

  it("keeps the rotated refresh token across a restart, and never offers the dead one again", async () => {
    const rotating = await startSalesforceEmulator({ rotateRefreshTokens: true });
    const dir = mkdtempSync(join(tmpdir(), "portico-rotation-"));
    const databaseUrl = `sqlite:${join(dir, "portico.db")}`;
    const masterKey = generateMasterKey();
    try {
      const first = await startTestServer({ databaseUrl, masterKey });
      const configured = await refreshTokenFor(rotating);
      await save(first, "rotating", refreshTokenSettings(rotating, configured));
      await (await salesforceTargetFor(first.context, "rotating")).client.query("SELECT Id FROM User");
      await rotating.control("POST", "/expire-tokens", {});
      await (await salesforceTargetFor(first.context, "rotating")).client.query("SELECT Id FROM User");
      await first.dispose();

      await rotating.control("POST", "/expire-tokens", {});
      const second = await startTestServer({ databaseUrl, masterKey });
      try {
        const users = await (await salesforceTargetFor(second.context, "rotating")).client.query(
          "SELECT Id FROM User",
        );
        assert.ok(users.length > 0, "the restarted server renewed with the refresh token it had stored");
      } finally {
        await second.dispose();
      }
      // Only now, at the end: offering the configured token again revokes the whole chain (§1.2c).
      const reuse = await fetch(`${rotating.url}/services/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: configured,
          client_id: rotating.org.clientId,
          client_secret: rotating.org.clientSecret,
        }),
      });
      assert.equal(reuse.status, 400, "the configured refresh token was rotated away");
      const refreshes = (await rotating.requests("/services/oauth2/token")).filter(
        (r) => r.kind === "oauth.token.refresh_token",
      );
      assert.deepEqual(
        refreshes.map((r) => r.status),
        [200, 200, 200, 400],
        "three renewals by Portico, each with a live token; the dead one only by this test",
      );
    } finally {
      await rotating.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("turns Salesforce's transient failures into retryable PROV_TARGET_UNAVAILABLE, telling the quota apart", async () => {
    await save(server, "faults", clientCredentials());
    const { client } = await salesforceTargetFor(server.context, "faults");
    await client.query("SELECT Id FROM User LIMIT 1");
    for (const [kind, errorCode] of [
      ["503", "SERVER_UNAVAILABLE"],
      ["500", "UNKNOWN_EXCEPTION"],
      ["UNABLE_TO_LOCK_ROW", "UNABLE_TO_LOCK_ROW"],
      ["REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED"],
    ] as const) {
      await sf.control("POST", "/faults", { kind, count: 1, path: "/services/data/v66.0/query" });
      const e = await rejectedAppError(client.query("SELECT Id FROM User LIMIT 1"));
      assertCode(e, "PROV_TARGET_UNAVAILABLE");
      assert.equal(e.retryable, true, kind);
      assert.equal(salesforceFailureOf(e)?.errorCode, errorCode, kind);
    }
    await sf.control("POST", "/faults", {
      kind: "hang",
      count: 1,
      path: "/services/data/v66.0/limits",
      hangMs: 30_000,
    });
    const timedOut = await rejectedAppError(client.request("GET", "limits", { timeoutMs: 200 }));
    assertCode(timedOut, "PROV_TARGET_UNAVAILABLE");
    assert.equal(salesforceFailureOf(timedOut)?.errorCode, "TIMEOUT");
    await sf.control("DELETE", "/faults");
    assert.ok((await client.query("SELECT Id FROM User LIMIT 1")).length === 1, "and works again afterwards");
  });

  it("reports each record of a collection: created ones with their id, refused ones with Salesforce's code", async () => {
    await save(server, "records", clientCredentials());
    const { client } = await salesforceTargetFor(server.context, "records");
    const [made, refused] = await client.create("Account", [
      { Name: "Collections Ltd" },
      { Description: "no name" },
    ]);
    assert.equal(made?.success, true);
    assert.equal(refused?.success, false);
    if (refused?.success !== false || made?.success !== true) return;
    assert.equal(refused.error.code, "PROV_TARGET_REJECTED");
    assert.equal(refused.error.retryable, false);
    assert.equal(refused.errors[0]?.statusCode, "REQUIRED_FIELD_MISSING");
    assert.match(refused.error.message, /REQUIRED_FIELD_MISSING/);

    const [updated] = await client.update("Account", [{ Id: made.id, Description: "updated" }]);
    assert.equal(updated?.success, true);
    const [row] = await client.query<{ Description: string }>(
      `SELECT Description FROM Account WHERE Id = '${made.id}'`,
    );
    assert.equal(row?.Description, "updated");
    const [deleted, missing] = await client.delete([made.id, made.id]);
    assert.equal(deleted?.success, true);
    assert.equal(missing?.success, false, "a record already deleted fails on its own");

    const rejected = await rejectedAppError(
      client.request("PATCH", `sobjects/Account/${made.id}`, { body: { Nope__c: 1 } }),
    );
    assertCode(rejected, "PROV_TARGET_REJECTED");
    assert.ok(salesforceFailureOf(rejected)?.errorCode);
    const describe = await client.describe("User");
    assert.equal(describe.name, "User");
    assert.ok(describe.fields.some((f) => f.name === "FederationIdentifier"));
  });

  it("sends at most 200 records a call, follows nextRecordsUrl, and counts its calls", async () => {
    await save(server, "paging", clientCredentials());
    const { client } = await salesforceTargetFor(server.context, "paging");
    await sf.clearRequests();
    const before = client.apiCalls;
    const results = await client.create(
      "Account",
      Array.from({ length: 2001 }, (_, i) => ({ Name: `Paging ${i}` })),
    );
    assert.equal(results.length, 2001);
    assert.ok(results.every((r) => r.success));
    const writes = await sf.requests("/services/data/v66.0/composite/sobjects");
    assert.equal(writes.length, 11, "2001 records in calls of 200");
    const rows = await client.query<{ Name: string }>("SELECT Name FROM Account WHERE Name LIKE 'Paging %'");
    assert.equal(rows.length, 2001);
    assert.equal(new Set(rows.map((r) => r.Name)).size, 2001);
    const reads = await sf.requests("/services/data/v66.0/query");
    assert.equal(reads.length, 2, "the first page, then nextRecordsUrl");
    assert.equal(client.apiCalls - before, 13);
    assert.ok((client.apiUsage?.used ?? 0) > 0, "Sforce-Limit-Info is read");
  });
});
