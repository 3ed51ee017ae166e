import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import jsforce, { type Connection } from "jsforce";
import { createEmulator, type Emulator } from "../../emulator/salesforce/app.ts";
import { newUser, type OrgInfo } from "./support.ts";

/**
 * jsforce, a Salesforce client nobody here wrote, drives the emulator over a real socket as it
 * drives a real org (issue 8, item 9): OAuth, identity, queries, describe, CRUD, upsert, composite,
 * Bulk API 2.0, and a session that expires under it.
 */

const version = "66.0";

type Fixture = { emulator: Emulator; base: string; info: OrgInfo };

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}/_emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  return res.json();
}

async function start(): Promise<Fixture> {
  const emulator = createEmulator();
  const base = await emulator.listen(0);
  const info = (await control(base, "GET", "/org")) as OrgInfo;
  return { emulator, base, info };
}

/** Client credentials, re-requested when the session ends: there is no refresh token in this flow. */
async function clientCredentials(f: Fixture): Promise<Connection> {
  const oauth2 = new jsforce.OAuth2({
    loginUrl: f.base,
    clientId: f.info.clientId,
    clientSecret: f.info.clientSecret,
  });
  const conn = new jsforce.Connection({
    oauth2,
    version,
    refreshFn: (c, callback) => {
      c.oauth2
        .requestToken({ grant_type: "client_credentials" })
        .then((res) => callback(null, res.access_token, res))
        .catch((err: Error) => callback(err));
    },
  });
  await conn.authorize({ grant_type: "client_credentials" });
  return conn;
}

/** The web server flow: the user allows access on the consent page, the app trades the code. */
async function webServerFlow(f: Fixture, redirectUri: string): Promise<Connection> {
  const oauth2 = new jsforce.OAuth2({
    loginUrl: f.base,
    clientId: f.info.clientId,
    clientSecret: f.info.clientSecret,
    redirectUri,
  });
  const authorize = new URL(oauth2.getAuthorizationUrl({ scope: "api refresh_token" }));
  const form = new URLSearchParams({
    ...Object.fromEntries(authorize.searchParams),
    username: f.info.adminUsername,
    decision: "allow",
  });
  const allowed = await fetch(`${f.base}/services/oauth2/authorize`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  const code = new URL(String(allowed.headers.get("location"))).searchParams.get("code") ?? "";
  const conn = new jsforce.Connection({ oauth2, version });
  await conn.authorize(code);
  return conn;
}

describe("jsforce against the emulator", () => {
  let f: Fixture;
  let conn: Connection;
  before(async () => {
    f = await start();
    conn = await clientCredentials(f);
  });
  after(async () => {
    await f.emulator.close();
  });

  it("signs in with client credentials and reads its identity", async () => {
    assert.equal(conn.instanceUrl, f.info.instanceUrl);
    assert.equal(conn.userInfo?.id, f.info.adminUserId);
    const identity = await conn.identity();
    assert.equal(identity.user_id, f.info.adminUserId);
    assert.equal(identity.organization_id, f.info.orgId);
    assert.equal(identity.username, f.info.adminUsername);
  });

  it("queries, and pages with queryMore", async () => {
    const org = await conn.query<{ Id: string; OrganizationType: string }>(
      "SELECT Id, OrganizationType FROM Organization",
    );
    assert.deepEqual(
      org.records.map((r) => [r.Id, r.OrganizationType]),
      [[f.info.orgId, "Developer Edition"]],
    );
    // jsforce reads the quota from Sforce-Limit-Info; the emulator counts as it reports.
    const stats = (await control(f.base, "GET", "/stats")) as { apiUsage: { used: number; max: number } };
    assert.deepEqual(conn.limitInfo.apiUsage, { used: stats.apiUsage.used, limit: 100_000 });
    const contacts = Array.from({ length: 250 }, (_, i) => ({ LastName: `Paged${i}` }));
    const saved = await conn.sobject("Contact").create(contacts, { allowRecursive: true });
    assert.ok(saved.every((r) => r.success));
    const first = await conn.query("SELECT Id FROM Contact WHERE LastName LIKE 'Paged%'", {
      autoFetch: false,
      headers: { "Sforce-Query-Options": "batchSize=200" },
    });
    assert.deepEqual([first.totalSize, first.records.length, first.done], [250, 200, false]);
    const next = await conn.queryMore(String(first.nextRecordsUrl));
    assert.deepEqual([next.records.length, next.done], [50, true]);
  });

  it("describes objects", async () => {
    const global = await conn.describeGlobal();
    assert.ok(global.sobjects.some((s) => s.name === "Organization"));
    const user = await conn.describe("User");
    const username = user.fields.find((x) => x.name === "Username");
    assert.deepEqual([username?.idLookup, username?.length], [true, 80]);
  });

  it("creates, reads, updates a User; refuses to delete one", async () => {
    const users = conn.sobject("User");
    const created = await users.create(newUser(f.info, "js1"));
    assert.equal(created.success, true);
    const id = String(created.id);
    await users.update({ Id: id, Title: "Analyst" });
    const read = await users.retrieve(id);
    assert.equal(read.Title, "Analyst");
    await assert.rejects(users.destroy(id), (err: Error & { errorCode?: string }) => {
      assert.equal(err.errorCode, "METHOD_NOT_ALLOWED");
      return true;
    });
    await assert.rejects(users.create(newUser(f.info, "js1")), (err: Error & { errorCode?: string }) => {
      assert.equal(err.errorCode, "DUPLICATE_USERNAME");
      return true;
    });
  });

  it("creates, reads, updates and deletes a Contact", async () => {
    const contacts = conn.sobject("Contact");
    const created = await contacts.create({ LastName: "Js", AccountId: f.info.accounts["Acme Customers"] });
    const id = String(created.id);
    await contacts.update({ Id: id, FirstName: "Jay" });
    assert.equal((await contacts.retrieve(id)).FirstName, "Jay");
    assert.equal((await contacts.destroy(id)).success, true);
    await assert.rejects(async () => contacts.retrieve(id));
  });

  it("upserts one row and a collection by Username", async () => {
    const users = conn.sobject("User");
    const one = await users.upsert(newUser(f.info, "js2"), "Username");
    assert.deepEqual([one.success, one.created], [true, true]);
    const again = await users.upsert({ Username: "userjs2@test.example.com", Title: "Upserted" }, "Username");
    assert.deepEqual([again.success, again.created, again.id], [true, false, one.id]);
    const many = await users.upsert(
      [
        newUser(f.info, "js2", { Title: "Twice" }),
        newUser(f.info, "js3"),
        newUser(f.info, "js4", { Alias: "too-long-alias" }),
      ],
      "Username",
    );
    assert.deepEqual(
      many.map((r) => [r.success, r.created]),
      [
        [true, false],
        [true, true],
        [false, undefined],
      ],
    );
  });

  it("sends composite batch and tree requests through conn.request", async () => {
    const batch = await conn.request<{ hasErrors: boolean; results: { statusCode: number }[] }>({
      method: "POST",
      url: `/services/data/v${version}/composite/batch`,
      body: JSON.stringify({
        batchRequests: [
          { method: "GET", url: `v${version}/limits` },
          { method: "GET", url: `v${version}/sobjects/Contact/003000000000000AAA` },
        ],
      }),
      headers: { "content-type": "application/json" },
    });
    assert.deepEqual([batch.hasErrors, batch.results.map((r) => r.statusCode)], [true, [200, 404]]);
    const tree = await conn.request<{ hasErrors: boolean; results: { referenceId: string; id: string }[] }>({
      method: "POST",
      url: `/services/data/v${version}/composite/tree/Account`,
      body: JSON.stringify({
        records: [
          {
            attributes: { type: "Account", referenceId: "acct" },
            Name: "Js Tree",
            Contacts: { records: [{ attributes: { type: "Contact", referenceId: "kid" }, LastName: "Kid" }] },
          },
        ],
      }),
      headers: { "content-type": "application/json" },
    });
    assert.deepEqual(
      tree.results.map((r) => r.referenceId),
      ["acct", "kid"],
    );
  });

  it("loads records with Bulk API 2.0 and reads the results", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      LastName: `Bulk${i}`,
      Email: i === 7 ? "broken" : null,
    }));
    const results = await conn.bulk2.loadAndWaitForResults({
      object: "Contact",
      operation: "insert",
      input: rows,
      pollInterval: 10,
      pollTimeout: 10_000,
    });
    assert.equal(results.successfulResults.length, 29);
    assert.equal(results.failedResults.length, 1);
    assert.match(String(results.failedResults[0]?.sf__Error), /^INVALID_EMAIL_ADDRESS:/);
    assert.ok(results.successfulResults.every((r) => /^003/.test(r.sf__Id) && r.sf__Created === "true"));

    const upserted = await conn.bulk2.loadAndWaitForResults({
      object: "User",
      operation: "upsert",
      externalIdFieldName: "Username",
      input: [newUser(f.info, "bulk1"), { ...newUser(f.info, "js3"), Title: "Bulk" }],
      pollInterval: 10,
      pollTimeout: 10_000,
    });
    assert.deepEqual(
      upserted.successfulResults.map((r) => r.sf__Created),
      ["true", "false"],
    );
  });

  it("refreshes through a 401 after the session expires (client credentials)", async () => {
    const before = conn.accessToken;
    await control(f.base, "POST", "/expire-tokens", {});
    const res = await conn.query<{ Id: string }>("SELECT Id FROM Profile LIMIT 1");
    assert.equal(res.records.length, 1);
    assert.notEqual(conn.accessToken, before);
  });

  it("refreshes with rotated refresh tokens; reusing an old one loses the session", async () => {
    await control(f.base, "PUT", "/connected-app", { rotateRefreshTokens: true });
    const careful = await webServerFlow(f, "http://localhost:9999/callback");
    // With rotation each refresh returns a new refresh token, which the application must keep.
    careful.on("refresh", (_token: string, res: { refresh_token?: string }) => {
      if (res.refresh_token !== undefined) careful.refreshToken = res.refresh_token;
    });
    const careless = await webServerFlow(f, "http://localhost:9999/callback");
    for (let round = 0; round < 2; round++) {
      await control(f.base, "POST", "/expire-tokens", {});
      const res = await careful.query("SELECT Id FROM Profile LIMIT 1");
      assert.equal(res.records.length, 1, `round ${round}`);
    }
    await control(f.base, "POST", "/expire-tokens", {});
    await careless.query("SELECT Id FROM Profile LIMIT 1");
    await control(f.base, "POST", "/expire-tokens", {});
    await assert.rejects(
      async () => careless.query("SELECT Id FROM Profile LIMIT 1"),
      /expired access\/refresh token/,
    );
  });
});
