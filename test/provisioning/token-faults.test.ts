import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { updateUser } from "../../src/services/directory/users.ts";
import { readSalesforceTarget, tokenPersistence } from "../../src/services/provisioning/target.ts";
import { createSqliteDatabase, type TestDatabase } from "../support/databases.ts";
import { connectionId, cycle, saveProvisioning, staff } from "../support/provisioning-faults.ts";
import {
  refreshTokenFor,
  refreshTokenSettings,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

type RefreshToken = { token: string; chain: string; rotated: boolean; revoked: boolean };

/**
 * The REFRESH_TOKEN method against an org that rotates refresh tokens (salesforce-api.md §1.2c):
 * a session that expires mid-cycle is renewed once, however many threads see it die, and the
 * rotated refresh token outlives a restart of Portico, which goes on with it and never with the
 * dead one (whose reuse would make Salesforce revoke the whole chain).
 */
describe("provisioning with an expiring session and rotating refresh tokens", () => {
  let sf: SalesforceEmulator;
  let database: TestDatabase;
  let server: TestServer;
  let configured: string;
  const users = 401; // three collections of at most 200, sent at once with maxThreads 3

  const stored = async (on: TestServer) => {
    const record = await on.context.store.connections.get(connectionId);
    assert.ok(record);
    const tokens = await tokenPersistence(
      on.context,
      connectionId,
      readSalesforceTarget(on.context, record),
    ).load();
    assert.ok(tokens, "Portico stored the connection's tokens");
    return tokens;
  };
  const refreshTokens = async () =>
    (await sf.control<{ tokens: { refresh: RefreshToken[] } }>("GET", "/state")).tokens.refresh;
  const tokenCalls = async () => sf.requests("/services/oauth2/token");
  const expireStoredSession = async (on: TestServer) => {
    const { expired } = await sf.control<{ expired: number }>("POST", "/expire-tokens", {
      token: (await stored(on)).accessToken,
    });
    assert.equal(expired, 1);
  };

  before(async () => {
    sf = await startSalesforceEmulator({ rotateRefreshTokens: true });
    database = createSqliteDatabase();
    server = await startTestServer({ databaseUrl: database.url });
    await staff(server, "t", users);
    configured = await refreshTokenFor(sf);
    await saveProvisioning(server, sf, {
      settings: refreshTokenSettings(sf, configured),
      channel: { maxThreads: 3 },
    });
  });
  after(async () => {
    await server?.dispose();
    await database?.drop();
    await sf?.close();
  });

  it("stores the rotated refresh token, and the configured one is spent", async () => {
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.CREATE, users);
    const tokens = await stored(server);
    assert.notEqual(tokens.refreshToken, configured);
    const byToken = new Map((await refreshTokens()).map((r) => [r.token, r]));
    assert.equal(byToken.get(configured)?.rotated, true, "Salesforce rotated the configured token");
    const live = byToken.get(tokens.refreshToken ?? "");
    assert.equal(live?.rotated, false, "the stored token is the live one");
    assert.equal(live?.revoked, false);
  });

  it("renews a session that expired mid-cycle once, though three calls saw it die at once", async () => {
    for (let i = 1; i <= users; i++)
      await updateUser(server.context, testActor, `t${i}`, { attributes: { title: "Renewed" } });
    await expireStoredSession(server);
    await sf.clearRequests();
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.UPDATE, users);
    const updates = (await sf.requests("/services/data")).filter(
      (r) => r.method === "PATCH" && r.path.includes("/composite/sobjects"),
    );
    assert.deepEqual(
      updates.map((r) => r.status).sort(),
      [200, 200, 200, 401, 401, 401],
      "three collections in flight on the dead session, each sent again once",
    );
    const grants = await tokenCalls();
    assert.equal(grants.length, 1, "one refresh for all three");
    assert.equal(grants[0]?.status, 200);
  });

  it("goes on with the rotated refresh token after a restart; the old one is dead", async () => {
    const before = await stored(server);
    await server.dispose();
    server = await startTestServer({ databaseUrl: database.url, masterKey: server.masterKeyText });
    await updateUser(server.context, testActor, "t1", { attributes: { title: "Restarted" } });
    await expireStoredSession(server);
    await sf.clearRequests();
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.UPDATE, 1);
    const grants = await tokenCalls();
    assert.deepEqual(
      grants.map((g) => g.status),
      [200],
      "the new process refreshed once, with a token Salesforce took",
    );
    const byToken = new Map((await refreshTokens()).map((r) => [r.token, r]));
    assert.equal(byToken.get(before.refreshToken ?? "")?.rotated, true, "it used the stored token");
    assert.ok(
      [...byToken.values()].every((r) => !r.revoked),
      "no reuse of a spent token: the chain is alive",
    );
    const now = await stored(server);
    assert.equal(byToken.get(now.refreshToken ?? "")?.rotated, false, "and stored its successor");

    // The configured token is dead: Salesforce refuses it (and, as it must, revokes the chain).
    const old = await fetch(`${sf.url}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: configured,
        client_id: sf.org.clientId,
        client_secret: sf.org.clientSecret,
      }),
    });
    assert.equal(old.status, 400);
    assert.equal(((await old.json()) as { error: string }).error, "invalid_grant");
  });
});
