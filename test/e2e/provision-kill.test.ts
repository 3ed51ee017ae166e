import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { putOutboundProvisioningSettings } from "../../src/services/provisioning/server-settings.ts";
import { directoryChurn } from "../support/directory-churn.ts";
import { killLeftovers, startServe, stopProcess } from "../support/processes.ts";
import { addStaff } from "../support/provisioning.ts";
import { connectionId, saveProvisioning } from "../support/provisioning-faults.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { adminPassword, basicAuth, startTestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

/**
 * `portico serve` provisions in the background; here it is killed with SIGKILL at random points
 * of its cycles — between a lookup and a create, between Salesforce's answer and the record of
 * it — while the directory keeps changing between runs. A last clean cycle must leave exactly
 * one Salesforce user per directory user, with the directory's values: no duplicate, nothing lost.
 */
describe("a provisioning process killed at random points of its cycles", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-kill-"));
  const databaseUrl = `sqlite:${join(dir, "portico.db")}`;
  let sf: SalesforceEmulator;
  let masterKey: string;
  const kills = 20;
  // A seeded generator: a failure can be replayed with the seed it prints.
  const seed = Number(process.env.PORTICO_KILL_SEED ?? Date.now() % 100_000);
  const churn = directoryChurn(databaseUrl, seed);
  const random = churn.random;

  const serve = () =>
    startServe(dir, {
      PORTICO_DATABASE_URL: databaseUrl,
      PORTICO_MASTER_KEY: masterKey,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_BASE_URL: "https://idp.example.com",
    });

  /** Requests the emulator has answered so far. */
  const answered = async () => (await sf.control<{ total: number }>("GET", "/stats")).total;

  before(async () => {
    sf = await startSalesforceEmulator();
    // Every call takes a little while, as over a network: kills land inside cycles, not after.
    await sf.control("POST", "/faults", { latencyMs: 15 });
    const setup = await startTestServer({ databaseUrl });
    masterKey = setup.masterKeyText;
    await addStaff(setup.context, "k", 300);
    churn.seedStaff("k", 300);
    await putOutboundProvisioningSettings(setup.context, testActor, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      // The test deactivates a few users each round; the safety hold has its own tests.
      deprovisionHold: { minimum: 10_000, percent: 100 },
    });
    await saveProvisioning(setup, sf, { channel: { maxThreads: 2 } });
    await setup.dispose();
  });
  after(async () => {
    killLeftovers();
    await sf?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${kills} SIGKILLs mid-cycle without a duplicate or a lost change`, async () => {
    const points: number[] = [];
    for (let round = 1; round <= kills; round++) {
      // Directory changes made while no Portico runs.
      if (round > 1) await churn.change(round);
      const before = await answered();
      const portico = await serve();
      // Killed once the emulator has answered a random number of this run's calls (or at once).
      const calls = Math.floor(random() * 5);
      const deadline = Date.now() + 2000;
      while ((await answered()) - before < calls && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 3));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 40)));
      points.push((await answered()) - before);
      await stopProcess(portico.child, "SIGKILL");
    }
    assert.ok(
      points.filter((n) => n > 0).length >= kills / 2,
      `most kills came after the cycle had begun to call Salesforce (seed ${seed}): ${points.join(",")}`,
    );

    // The last, clean cycle: a full pass through the admin API, waited for.
    const portico = await serve();
    try {
      const run = await fetch(
        `${portico.adminUrl}/pf-admin-api/v1/provisioning/connections/${connectionId}/channels/staff/run`,
        {
          method: "POST",
          headers: {
            authorization: basicAuth("admin", adminPassword),
            "content-type": "application/json",
            "x-xsrf-header": "portico",
          },
          body: JSON.stringify({ wait: true, full: true }),
        },
      );
      const body = (await run.json()) as { state: { status: string; statusReason: string | null } };
      assert.equal(run.status, 200, JSON.stringify(body));
      assert.equal(body.state.status, "IDLE", `${body.state.statusReason} (seed ${seed})`);
      const events = await fetch(`${portico.adminUrl}/pf-admin-api/v1/provisioning/events?success=false`, {
        headers: { authorization: basicAuth("admin", adminPassword) },
      });
      const failed = (await events.json()) as { items: unknown[] };
      assert.deepEqual(failed.items, [], `no operation failed (seed ${seed})`);
    } finally {
      assert.equal(await stopProcess(portico.child, "SIGTERM"), 0, portico.output());
    }

    await churn.assertOrgMatches(sf);
  });
});
