import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { putOutboundProvisioningSettings } from "../../src/services/provisioning/server-settings.ts";
import { killLeftovers, startServe, stopProcess } from "../support/processes.ts";
import { addStaff } from "../support/provisioning.ts";
import { connectionId, duplicated, orgUsers, saveProvisioning } from "../support/provisioning-faults.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { adminPassword, startTestServer } from "../support/server.ts";
import { openServiceContext, testActor } from "../support/service-context.ts";

/**
 * SIGTERM while `portico serve` provisions in the background: the page of users in progress is
 * finished and recorded (every user it created in Salesforce is known to Portico), no further
 * page starts, and the process exits 0.
 */
describe("SIGTERM in the middle of a provisioning cycle", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-drain-prov-"));
  const databaseUrl = `sqlite:${join(dir, "portico.db")}`;
  let sf: SalesforceEmulator;
  let masterKey: string;
  // More than one page (500 users) of the cycle, so that a stop between pages shows.
  const people = 700;

  before(async () => {
    sf = await startSalesforceEmulator();
    // Slow calls, as over a network: the signal lands while the first page is being applied.
    await sf.control("POST", "/faults", { latencyMs: 150 });
    const setup = await startTestServer({ databaseUrl });
    masterKey = setup.masterKeyText;
    await addStaff(setup.context, "d", people);
    await putOutboundProvisioningSettings(setup.context, testActor, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 10_000, percent: 100 },
    });
    await saveProvisioning(setup, sf, { channel: { maxThreads: 1 } });
    await setup.dispose();
  });
  after(async () => {
    killLeftovers();
    await sf?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finishes and records the batch in progress, starts no other, and exits 0", async () => {
    const serving = await startServe(dir, {
      PORTICO_DATABASE_URL: databaseUrl,
      PORTICO_MASTER_KEY: masterKey,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_BASE_URL: "https://idp.example.com",
    });
    const deadline = Date.now() + 30_000;
    while ((await orgUsers(sf)).length === 0) {
      assert.ok(Date.now() < deadline, `the background cycle never created a user:\n${serving.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const signalled = Date.now();
    assert.equal(await stopProcess(serving.child, "SIGTERM"), 0, serving.output());
    assert.ok(Date.now() - signalled < 20_000, "within a bounded time");

    const users = await orgUsers(sf);
    assert.deepEqual(duplicated(users, "Username"), []);
    assert.ok(users.length >= 200 && users.length < people, `one page's users, not all: ${users.length}`);
    const { store, dispose } = await openServiceContext({ databaseUrl });
    try {
      const counts = await store.provisioning.countObjects(connectionId, "staff");
      assert.equal(counts.ACTIVE, users.length, "every user created in Salesforce is recorded");
      assert.equal(counts.PENDING, 0, "no create left half-done");
      const state = await store.provisioning.getChannel(connectionId, "staff");
      assert.notEqual(state?.status, "RUNNING", "the cycle's end is recorded");
    } finally {
      await dispose();
    }
  });
});
