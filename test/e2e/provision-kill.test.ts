import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { deleteUser, disableUser, enableUser, updateUser } from "../../src/services/directory/users.ts";
import { putOutboundProvisioningSettings } from "../../src/services/provisioning/server-settings.ts";
import { killLeftovers, startServe, stopProcess } from "../support/processes.ts";
import { addStaff } from "../support/provisioning.ts";
import { connectionId, duplicated, orgUsers, saveProvisioning } from "../support/provisioning-faults.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { openServiceContext, testActor } from "../support/service-context.ts";

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
  /**
   * What the directory says each user should be in Salesforce: uid → LastName, active. A user
   * deleted from the directory keeps the last name Salesforce had (or was never created).
   */
  const expected = new Map<string, { sn: string; active: boolean; deleted?: boolean }>();
  const kills = 20;
  // A seeded generator: a failure can be replayed with the seed it prints.
  const seed = Number(process.env.PORTICO_KILL_SEED ?? Date.now() % 100_000);
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const serve = () =>
    startServe(dir, {
      PORTICO_DATABASE_URL: databaseUrl,
      PORTICO_MASTER_KEY: masterKey,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_BASE_URL: "https://idp.example.com",
    });

  /** Directory changes made while no Portico runs: new users, new names, leavers and returners. */
  const changeDirectory = async (round: number) => {
    const { context, dispose } = await openServiceContext({ databaseUrl });
    try {
      const fresh = Array.from({ length: 8 }, (_, i) => `n${round}x${i + 1}`);
      const rows = fresh.map((uid) => `${uid},${uid}@acme.example.com,n,Fresh${round},salesforce-users`);
      await addStaffRows(context, rows);
      for (const uid of fresh) expected.set(uid, { sn: `Fresh${round}`, active: true });
      const known = [...expected.keys()].filter((uid) => expected.get(uid)?.active);
      for (let i = 0; i < 12; i++) {
        const uid = pick(known);
        const sn = `Renamed${round}x${i}`;
        await updateUser(context, testActor, uid, { attributes: { sn } });
        expected.set(uid, { sn, active: true });
      }
      const leaver = pick(known);
      if (round % 4 === 0) {
        await deleteUser(context, testActor, leaver);
        expected.set(leaver, { sn: "", active: false, deleted: true });
      } else {
        await disableUser(context, testActor, leaver);
        expected.set(leaver, { sn: expected.get(leaver)?.sn ?? "", active: false });
        disabled.push(leaver);
      }
      const returner = round % 3 === 0 ? disabled.shift() : undefined;
      if (returner !== undefined) {
        await enableUser(context, testActor, returner);
        expected.set(returner, { sn: expected.get(returner)?.sn ?? "", active: true });
      }
    } finally {
      await dispose();
    }
  };
  const disabled: string[] = [];
  const addStaffRows = async (context: Parameters<typeof addStaff>[0], rows: string[]) => {
    const { importCsv } = await import("../../src/services/directory/import.ts");
    const result = await importCsv(context, testActor, ["uid,mail,givenName,sn,groups", ...rows].join("\n"));
    assert.equal(result.imported, rows.length);
  };

  /** Requests the emulator has answered so far. */
  const answered = async () => (await sf.control<{ total: number }>("GET", "/stats")).total;

  before(async () => {
    sf = await startSalesforceEmulator();
    // Every call takes a little while, as over a network: kills land inside cycles, not after.
    await sf.control("POST", "/faults", { latencyMs: 15 });
    const setup = await startTestServer({ databaseUrl });
    masterKey = setup.masterKeyText;
    await addStaff(setup.context, "k", 300);
    for (let i = 1; i <= 300; i++) expected.set(`k${i}`, { sn: `Number${i}`, active: true });
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
      if (round > 1) await changeDirectory(round);
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

    const users = await orgUsers(sf);
    assert.deepEqual(duplicated(users, "Username"), [], `no Username twice (seed ${seed})`);
    assert.deepEqual(duplicated(users, "FederationIdentifier"), [], `no Federation ID twice (seed ${seed})`);
    const byUsername = new Map(users.map((u) => [u.Username, u]));
    const wrong: string[] = [];
    for (const [uid, want] of expected) {
      const user = byUsername.get(`${uid}@acme.example.com`);
      if (want.deleted) {
        if (user?.IsActive) wrong.push(`${uid}: deleted, yet active`);
        continue;
      }
      if (!user) wrong.push(`${uid}: missing`);
      else if (user.IsActive !== want.active) wrong.push(`${uid}: IsActive ${user.IsActive}`);
      else if (user.LastName !== want.sn) wrong.push(`${uid}: LastName ${user.LastName}, not ${want.sn}`);
      else if (user.FederationIdentifier !== `${uid}@acme.example.com`) wrong.push(`${uid}: Federation ID`);
    }
    assert.deepEqual(wrong, [], `every directory user, with the directory's values (seed ${seed})`);
    const unknown = users.filter((u) => !expected.has(u.Username.replace(/@acme\.example\.com$/, "")));
    assert.deepEqual(unknown, [], "no Salesforce user the directory does not account for");
  });
});
