import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { removeGroupMember } from "../../src/services/directory/groups.ts";
import { disableUser, enableUser, updateUser } from "../../src/services/directory/users.ts";
import { retryChannel } from "../../src/services/provisioning/channels.ts";
import { createPostgresDatabase, type TestDatabase } from "../support/databases.ts";
import {
  assertStaffInOrg,
  channelStatus,
  connectionId,
  cycle,
  orgUsers,
  saveProvisioning,
  staff,
} from "../support/provisioning-faults.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

/**
 * The engine with PostgreSQL as its state store (the scale-out setup): create, update,
 * deactivate and reactivate, a refused record retried on request, and a fault ridden out, with
 * the channel's rows, events and watermark kept in PostgreSQL.
 */
describe("provisioning with PostgreSQL as the state store", () => {
  let sf: SalesforceEmulator;
  let database: TestDatabase;
  let server: TestServer;
  const user = async (username: string) => (await orgUsers(sf)).find((u) => u.Username === username);
  const title = async (username: string) =>
    (
      await sf.asAdmin<{ records: { Title: string | null }[] }>(
        "GET",
        `query?q=${encodeURIComponent(`SELECT Title FROM User WHERE Username = '${username}'`)}`,
      )
    ).records[0]?.Title;
  const row = async (uid: string) =>
    (await server.context.store.provisioning.getObjects(connectionId, "user", [uid]))[0];

  before(async () => {
    sf = await startSalesforceEmulator();
    database = await createPostgresDatabase();
    server = await startTestServer({ databaseUrl: database.url });
    assert.equal(server.context.store.dialect, "postgres");
    await staff(server, "p", 5);
    await saveProvisioning(server, sf);
  });
  after(async () => {
    await server?.dispose();
    await database?.drop();
    await sf?.close();
  });

  it("creates every user in scope and records them", async () => {
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.CREATE, 5);
    await assertStaffInOrg(sf, "p", 5);
    const status = await channelStatus(server);
    assert.equal(status.users.ACTIVE, 5);
    assert.ok(status.watermark, "the watermark is kept");
    assert.equal((await row("p1"))?.targetId, (await user("p1@acme.example.com"))?.Id);
  });

  it("updates only the changed user, from the change log after the watermark", async () => {
    await updateUser(server.context, testActor, "p2", { attributes: { title: "Engineer" } });
    const report = await cycle(server);
    assert.equal(report.summary.kind, "incremental");
    assert.deepEqual(report.summary.counts, { UPDATE: 1 });
    assert.equal(await title("p2@acme.example.com"), "Engineer");
  });

  it("deactivates a disabled user and one who left the group, and reactivates the returning one", async () => {
    await disableUser(server.context, testActor, "p3");
    await removeGroupMember(server.context, testActor, "salesforce-users", "p4");
    const report = await cycle(server);
    assert.equal(report.summary.counts.DEACTIVATE, 2);
    assert.equal((await user("p3@acme.example.com"))?.IsActive, false);
    assert.equal((await user("p4@acme.example.com"))?.IsActive, false);
    assert.equal((await row("p4"))?.status, "INACTIVE");
    await enableUser(server.context, testActor, "p3");
    const back = await cycle(server);
    assert.equal(back.summary.counts.REACTIVATE, 1);
    assert.equal((await user("p3@acme.example.com"))?.IsActive, true);
  });

  it("keeps a refused record's message, and retries it on request once Salesforce would take it", async () => {
    const licences = await sf.control<{ licenses: Record<string, { used: number }> }>("GET", "/org");
    const used = licences.licenses.Salesforce?.used ?? 0;
    await sf.control("PUT", "/licenses", { Salesforce: used });
    await staff(server, "q", 1);
    const refused = await cycle(server);
    assert.equal(refused.summary.failures, 1);
    assert.equal((await row("q1"))?.status, "FAILED");
    assert.match((await row("q1"))?.lastError?.message ?? "", /LICENSE_LIMIT_EXCEEDED/);
    const [event] = await server.context.store.provisioning.listEvents({
      filter: { success: false, sourceId: "q1" },
      limit: 1,
    });
    assert.equal(event?.type, "CREATE");
    assert.equal((await cycle(server)).summary.failures, 0, "not retried while nothing changed");

    // An admin buys licences and asks for a retry; Salesforce is briefly unavailable meanwhile.
    await sf.control("PUT", "/licenses", { Salesforce: used + 10 });
    await sf.control("POST", "/faults", {
      kind: "503",
      count: 1,
      method: "POST",
      path: "/composite/sobjects",
    });
    const retried = await retryChannel(server.context, connectionId, "staff");
    assert.equal(retried.state.status, "IDLE", retried.state.statusReason ?? "");
    assert.equal(retried.summary.counts.CREATE, 1);
    assert.equal((await row("q1"))?.status, "ACTIVE");
    assert.equal((await row("q1"))?.lastError, null);
    await assertStaffInOrg(sf, "q", 1);
  });
});
