import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disableUser, enableUser, updateUser } from "../../src/services/directory/users.ts";
import { startProvisioning } from "../../src/services/provisioning/background.ts";
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
 * Salesforce failing as it does under load or maintenance, injected in the emulator, while a
 * channel provisions: each fault is ridden out without a lost change or a duplicate user.
 */
describe("provisioning through Salesforce's faults", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  const collectionCalls = async (method: string) =>
    (await sf.requests("/services/data")).filter(
      (r) => r.method === method && r.path.includes("/composite/sobjects"),
    );

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    await staff(server, "a", 3);
    await saveProvisioning(server, sf);
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("retries a 503 with back-off, and the cycle then succeeds", async () => {
    await sf.control("POST", "/faults", {
      kind: "503",
      count: 2,
      method: "POST",
      path: "/composite/sobjects",
    });
    await sf.clearRequests();
    const started = Date.now();
    const report = await cycle(server);
    const took = Date.now() - started;
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.CREATE, 3);
    assert.equal(report.summary.failures, 0);
    assert.deepEqual(
      (await collectionCalls("POST")).map((r) => r.status),
      [503, 503, 200],
      "the same collection sent again after each 503",
    );
    // Back-off of 0.5 s, then 1 s: a lower bound, which load cannot break.
    assert.ok(took >= 1400, `the retries waited (${took} ms)`);
    await assertStaffInOrg(sf, "a", 3);
  });

  it("retries UNABLE_TO_LOCK_ROW, and the update lands once", async () => {
    await updateUser(server.context, testActor, "a1", { attributes: { title: "Locksmith" } });
    await sf.control("POST", "/faults", {
      kind: "UNABLE_TO_LOCK_ROW",
      method: "PATCH",
      path: "/composite/sobjects",
    });
    await sf.clearRequests();
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.UPDATE, 1);
    assert.deepEqual(
      (await collectionCalls("PATCH")).map((r) => r.status),
      [400, 200],
    );
    const a1 = await sf.asAdmin<{ records: { Title: string }[] }>(
      "GET",
      `query?q=${encodeURIComponent("SELECT Title FROM User WHERE Username = 'a1@acme.example.com'")}`,
    );
    assert.equal(a1.records[0]?.Title, "Locksmith");
  });

  it("retries only the records Salesforce found locked inside a collection", async () => {
    for (const uid of ["a2", "a3"])
      await updateUser(server.context, testActor, uid, { attributes: { title: "Unlocked" } });
    await sf.control("POST", "/faults", {
      kind: "locked-record",
      count: 1,
      method: "PATCH",
      path: "/composite/sobjects",
    });
    await sf.clearRequests();
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.UPDATE, 2);
    assert.equal(report.summary.failures, 0);
    const calls = await collectionCalls("PATCH");
    assert.equal(calls.length, 2, "the collection, then the locked record alone");
    const titles = await sf.asAdmin<{ records: { Title: string }[] }>(
      "GET",
      `query?q=${encodeURIComponent("SELECT Title FROM User WHERE Username IN ('a2@acme.example.com', 'a3@acme.example.com')")}`,
    );
    assert.deepEqual(
      titles.records.map((r) => r.Title),
      ["Unlocked", "Unlocked"],
    );
  });

  it("waits long on REQUEST_LIMIT_EXCEEDED, says so in the channel's status, and loses nothing", async () => {
    const org = await sf.control<{ apiUsage: { max: number } }>("GET", "/org");
    await sf.control("PUT", "/limits", { apiRequestsUsed: org.apiUsage.max });
    await staff(server, "b", 2);
    const limited = await cycle(server);
    assert.equal(limited.state.status, "ERROR");
    const status = await channelStatus(server);
    assert.equal(status.state, "ERROR");
    assert.match(status.stateReason ?? "", /REQUEST_LIMIT_EXCEEDED/);
    assert.ok(status.nextCycleAt, "the next cycle waits");
    assert.ok(
      new Date(status.nextCycleAt).getTime() - Date.now() >= 10 * 60_000,
      `a long wait, not a retry in seconds: ${status.nextCycleAt}`,
    );

    // The background scheduler honours the wait, even when the directory changes meanwhile.
    await sf.clearRequests();
    const scheduler = startProvisioning(server.context, { tickMs: 50 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await staff(server, "c", 1);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      await scheduler.stop();
    }
    assert.deepEqual(await sf.requests("/services/"), [], "no call while the limit is spent");

    await sf.control("PUT", "/limits", { apiRequestsUsed: 0 });
    const after = await cycle(server);
    assert.equal(after.state.status, "IDLE", after.state.statusReason ?? "");
    assert.equal(after.state.nextCycleAt, null);
    assert.equal(after.summary.counts.CREATE, 3, "b1, b2 and c1: nothing lost");
    await assertStaffInOrg(sf, "b", 2);
    await assertStaffInOrg(sf, "c", 1);
  });

  it("times out a call Salesforce is too slow to answer, and the next cycle finishes the record without a duplicate", async () => {
    await saveProvisioning(server, sf, { channel: { timeout: 1 } });
    await staff(server, "d", 1);
    // Every try is held past the 1 s timeout, and then carried out (or refused as a duplicate).
    await sf.control("POST", "/faults", {
      kind: "slow",
      count: 4,
      hangMs: 1200,
      method: "POST",
      path: "/composite/sobjects",
    });
    const slow = await cycle(server);
    assert.equal(slow.state.status, "ERROR");
    assert.match(slow.state.statusReason ?? "", /did not answer within 1 s/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const next = await cycle(server);
    assert.equal(next.state.status, "IDLE", next.state.statusReason ?? "");
    assert.equal(next.summary.counts.ADOPT, 1, "the create that timed out did happen: adopted");
    assert.equal(next.summary.counts.CREATE ?? 0, 0);
    await assertStaffInOrg(sf, "d", 1);
    const [row] = await server.context.store.provisioning.getObjects(connectionId, "user", ["d1"]);
    assert.equal(row?.status, "ACTIVE");
    assert.equal(row?.targetId, (await orgUsers(sf)).find((u) => u.Username === "d1@acme.example.com")?.Id);
  });

  it("a retry after a timeout that meets its own first attempt links the user instead of failing it", async () => {
    await staff(server, "e", 1);
    // The first try is held past the timeout and then carried out; the retry finds the user made.
    await sf.control("POST", "/faults", {
      kind: "slow",
      count: 1,
      hangMs: 1100,
      method: "POST",
      path: "/composite/sobjects",
    });
    const report = await cycle(server);
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.failures, 0, JSON.stringify(report.summary));
    await assertStaffInOrg(sf, "e", 1);
    const [row] = await server.context.store.provisioning.getObjects(connectionId, "user", ["e1"]);
    assert.equal(row?.status, "ACTIVE", JSON.stringify(row?.lastError));
    assert.equal(row?.targetId, (await orgUsers(sf)).find((u) => u.Username === "e1@acme.example.com")?.Id);
    await saveProvisioning(server, sf);
  });

  it("a deactivation that timed out but was carried out is undone when the user is re-enabled before the next cycle", async () => {
    await staff(server, "f", 1);
    assert.equal((await cycle(server)).state.status, "IDLE");
    await saveProvisioning(server, sf, { channel: { timeout: 1 } });
    await disableUser(server.context, testActor, "f1");
    // The deactivation, and each retry, held past the timeout and then carried out: the engine
    // cannot know it was.
    await sf.control("POST", "/faults", {
      kind: "slow",
      count: 4,
      hangMs: 1200,
      method: "PATCH",
      path: "/composite/sobjects",
    });
    const slow = await cycle(server);
    assert.equal(slow.state.status, "ERROR");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const inactive = (await orgUsers(sf)).find((u) => u.Username === "f1@acme.example.com");
    assert.equal(inactive?.IsActive, false, "Salesforce did deactivate f1");
    const [row] = await server.context.store.provisioning.getObjects(connectionId, "user", ["f1"]);
    assert.equal(row?.status, "PENDING", "the row says the outcome is not known");
    await saveProvisioning(server, sf);
    // Re-enabled before the next cycle: the directory and the row agree, Salesforce does not.
    await enableUser(server.context, testActor, "f1");
    const next = await cycle(server);
    assert.equal(next.state.status, "IDLE", next.state.statusReason ?? "");
    assert.equal(next.summary.counts.REACTIVATE, 1, JSON.stringify(next.summary.counts));
    await assertStaffInOrg(sf, "f", 1);
    const [after] = await server.context.store.provisioning.getObjects(connectionId, "user", ["f1"]);
    assert.equal(after?.status, "ACTIVE");
  });
});
