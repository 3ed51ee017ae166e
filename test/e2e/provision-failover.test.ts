import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { putOutboundProvisioningSettings } from "../../src/services/provisioning/server-settings.ts";
import { createPostgresDatabase, type TestDatabase } from "../support/databases.ts";
import { directoryChurn } from "../support/directory-churn.ts";
import { killLeftovers, type Started, startServe, stopProcess } from "../support/processes.ts";
import { addStaff } from "../support/provisioning.ts";
import { connectionId, saveProvisioning } from "../support/provisioning-faults.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { adminPassword, basicAuth, startTestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

type Node = Started & { adminUrl: string; index: number };
type NodesView = {
  items: { nodeIndex: number | null; status: string; role: string }[];
  leases: { channel: string; nodeIndex: number | null; epoch: number; expired: boolean }[];
};

/**
 * Three `portico serve` processes on one PostgreSQL database, provisioning in FAILOVER. The node
 * running the channel is killed with SIGKILL at random points of its cycles while the directory
 * changes; each time a standby must hold the channel's lease within twice the grace period, and
 * at the end the org must have exactly one user per directory user, with the directory's values.
 */
describe("provisioning failover across three nodes on PostgreSQL", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-failover-"));
  const graceSeconds = 2;
  const kills = 10;
  const seed = Number(process.env.PORTICO_KILL_SEED ?? Date.now() % 100_000);
  let database: TestDatabase;
  let churn: ReturnType<typeof directoryChurn>;
  let sf: SalesforceEmulator;
  let masterKey: string;
  /** The nodes up and answering, by index; a restarted one joins once it listens. */
  const nodes = new Map<number, Node>();

  const start = (index: number) => {
    const cwd = join(dir, `node${index}`);
    mkdirSync(cwd, { recursive: true });
    const node = startServe(cwd, {
      PORTICO_DATABASE_URL: database.url,
      PORTICO_MASTER_KEY: masterKey,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_BASE_URL: "https://idp.example.com",
      PORTICO_NODE_INDEX: String(index),
    }).then((started) => {
      const node = { ...started, index };
      nodes.set(index, node);
      return node;
    });
    return node;
  };

  const view = async (node: Node): Promise<NodesView> => {
    const response = await fetch(`${node.adminUrl}/pf-admin-api/v1/provisioning/nodes`, {
      headers: { authorization: basicAuth("admin", adminPassword) },
    });
    assert.equal(response.status, 200);
    return (await response.json()) as NodesView;
  };

  /** The index of the node holding the channel's lease, as another node sees it; waited for. */
  const holder = async (asked: Node, other: (index: number) => boolean, within: number) => {
    const deadline = Date.now() + within;
    for (;;) {
      const lease = (await view(asked)).leases.find((l) => l.channel === "staff" && !l.expired);
      if (lease?.nodeIndex != null && other(lease.nodeIndex))
        return { index: lease.nodeIndex, at: Date.now() };
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const answered = async () => (await sf.control<{ total: number }>("GET", "/stats")).total;

  before(async () => {
    database = await createPostgresDatabase();
    churn = directoryChurn(database.url, seed);
    sf = await startSalesforceEmulator();
    // Every call takes a little while, as over a network: kills land inside cycles.
    await sf.control("POST", "/faults", { latencyMs: 15 });
    const setup = await startTestServer({ databaseUrl: database.url });
    masterKey = setup.masterKeyText;
    await addStaff(setup.context, "k", 200);
    churn.seedStaff("k", 200);
    await putOutboundProvisioningSettings(setup.context, testActor, {
      mode: "FAILOVER",
      failoverGracePeriod: graceSeconds,
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 10_000, percent: 100 },
    });
    await saveProvisioning(setup, sf, { channel: { maxThreads: 2 } });
    await setup.dispose();
  });
  after(async () => {
    killLeftovers();
    await sf?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`hands the channel to a standby within 2× the grace period, ${kills} times, losing nothing`, async (t) => {
    t.diagnostic(`seed ${seed} (PORTICO_KILL_SEED replays it)`);
    await Promise.all([start(1), start(2), start(3)]);
    const takeovers: number[] = [];
    const points: number[] = [];
    for (let round = 1; round <= kills; round++) {
      // A standby must be there to take over: wait for a restarted node when only one is up.
      while (nodes.size < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      const live = [...nodes.values()];
      const first = live[0] as Node;
      const leader = await holder(first, () => true, 4 * graceSeconds * 1000);
      assert.ok(leader, `round ${round}: some node holds the channel (seed ${seed})`);
      const before = await answered();
      // The first round kills the first full pass; later ones a cycle the change set off.
      if (round > 1) await churn.change(round);
      const calls = Math.floor(churn.random() * 6);
      const deadline = Date.now() + 3000;
      while ((await answered()) - before < calls && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 3));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(churn.random() * 40)));
      points.push((await answered()) - before);
      const victim = live.find((n) => n.index === leader.index) as Node;
      const killedAt = Date.now();
      await stopProcess(victim.child, "SIGKILL");
      nodes.delete(victim.index);
      // The killed node comes back (as a standby) while the round goes on: starting takes a while.
      void start(victim.index).catch(() => {});
      const witness = live.find((n) => n.index !== victim.index) as Node;
      const next = await holder(witness, (index) => index !== victim.index, 4 * graceSeconds * 1000);
      assert.ok(next, `round ${round}: a standby took node ${victim.index}'s channel over (seed ${seed})`);
      takeovers.push(next.at - killedAt);
      assert.ok(
        next.at - killedAt <= 2 * graceSeconds * 1000,
        `round ${round}: node ${next.index} took over after ${next.at - killedAt} ms, more than 2 × ${graceSeconds} s (seed ${seed})`,
      );
    }
    t.diagnostic(
      `takeovers after (ms): ${takeovers.join(", ")}; emulator calls before each kill: ${points.join(", ")}`,
    );
    assert.ok(
      points.filter((n) => n > 0).length >= kills / 2,
      `most kills came after the cycle had begun to call Salesforce (seed ${seed}): ${points.join(",")}`,
    );

    // The last, clean cycle: a full pass on the node that holds the channel, waited for.
    while (nodes.size < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    const live = [...nodes.values()];
    const leader = await holder(live[0] as Node, () => true, 4 * graceSeconds * 1000);
    const active = live.find((n) => n.index === leader?.index) as Node;
    const shown = await view(active);
    assert.equal(
      shown.items.filter((n) => n.role === "ACTIVE" && n.status === "UP").length,
      1,
      JSON.stringify(shown),
    );
    assert.ok(
      shown.items.some((n) => n.role === "STANDBY" && n.status === "UP"),
      JSON.stringify(shown),
    );
    const run = await fetch(
      `${active.adminUrl}/pf-admin-api/v1/provisioning/connections/${connectionId}/channels/staff/run`,
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
    const events = await fetch(`${active.adminUrl}/pf-admin-api/v1/provisioning/events?success=false`, {
      headers: { authorization: basicAuth("admin", adminPassword) },
    });
    assert.deepEqual(
      ((await events.json()) as { items: unknown[] }).items,
      [],
      `no operation failed (seed ${seed})`,
    );
    await Promise.all(live.map((n) => stopProcess(n.child, "SIGTERM")));
    await churn.assertOrgMatches(sf);
  });
});
