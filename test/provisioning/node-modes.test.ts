import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServiceContext } from "../../src/services/context.ts";
import { nodeLeases } from "../../src/services/provisioning/node-leases.ts";
import { keepNode, leaseForRun, listNodes } from "../../src/services/provisioning/nodes.ts";
import {
  defaultOutboundProvisioningSettings,
  putOutboundProvisioningSettings,
} from "../../src/services/provisioning/server-settings.ts";
import { createSqliteDatabase, type TestDatabase } from "../support/databases.ts";
import { rejectsWithCode } from "../support/errors.ts";
import { openServiceContext, testActor } from "../support/service-context.ts";

const channels = [{ connectionId: "org", channel: "staff" }];
const staff = (held: Set<string>) => held.has("org\u0000staff");

/** Three nodes of one installation: services on one database, each with its own index. */
describe("which node provisions: OFF, STANDALONE and FAILOVER", () => {
  let database: TestDatabase;
  const opened: { dispose(): Promise<void> }[] = [];
  const node: Record<number, ServiceContext> = {};
  const at = (index: number) => node[index] as ServiceContext;

  const settings = (edit: Partial<typeof defaultOutboundProvisioningSettings>) =>
    putOutboundProvisioningSettings(at(1), testActor, {
      ...defaultOutboundProvisioningSettings,
      ...edit,
    });

  before(async () => {
    database = createSqliteDatabase();
    for (const index of [1, 2, 3]) {
      const { context, dispose } = await openServiceContext({ databaseUrl: database.url });
      opened.push({ dispose });
      node[index] = { ...context, nodeIndex: index };
    }
  });
  after(async () => {
    for (const context of Object.values(node)) await nodeLeases(context).releaseAll();
    for (const o of opened) await o.dispose();
    await database.drop();
  });

  it("in FAILOVER gives the channel to the live node with the lowest index, and refuses runs elsewhere", async () => {
    await settings({ mode: "FAILOVER", failoverGracePeriod: 5 });
    const [one, two, three] = [at(1), at(2), at(3)];
    await keepNode(one, []);
    await keepNode(three, []);
    assert.ok(!staff(await keepNode(three, channels)), "node 3 waits: node 1 is live and comes first");
    assert.ok(staff(await keepNode(one, channels)));
    assert.ok(!staff(await keepNode(two, channels)), "the lease is held");
    await rejectsWithCode(leaseForRun(two, "org", "staff"), "PROV_NODE_STANDBY", /node 1 runs/);

    const view = await listNodes(two);
    const roles = Object.fromEntries(view.items.map((n) => [String(n.nodeIndex), [n.status, n.role]]));
    assert.deepEqual(roles, { 1: ["UP", "ACTIVE"], 2: ["UP", "STANDBY"], 3: ["UP", "STANDBY"] });
    assert.deepEqual(
      view.leases.map((l) => [l.channel, l.nodeIndex, l.epoch, l.expired]),
      [["staff", 1, 1, false]],
    );
  });

  it("hands the channel over at once when its node stops cleanly, to the next in line", async () => {
    const [one, two, three] = [at(1), at(2), at(3)];
    await nodeLeases(one).releaseAll();
    const repo = one.store.provisioningNodes;
    await repo.markStopped(1, nodeLeases(one).instance, await repo.now());
    assert.ok(!staff(await keepNode(three, channels)), "node 2 is live and comes before node 3");
    assert.ok(staff(await keepNode(two, channels)));
    const view = await listNodes(three);
    assert.deepEqual(
      view.items.map((n) => [n.nodeIndex, n.status, n.role]),
      [
        [1, "STOPPED", "OFF"],
        [2, "UP", "ACTIVE"],
        [3, "UP", "STANDBY"],
      ],
    );
    assert.equal(view.leases[0]?.epoch, 2, "a takeover raises the fencing epoch");
  });

  it("in STANDALONE runs the channel only on the node named, never on the others", async () => {
    await settings({ mode: "STANDALONE", nodeIndex: 3 });
    const [two, three] = [at(2), at(3)];
    assert.ok(!staff(await keepNode(two, channels)), "node 2 lets its lease go");
    await rejectsWithCode(leaseForRun(two, "org", "staff"), "PROV_NODE_STANDBY", /only node 3/);
    assert.ok(staff(await keepNode(three, channels)));
    await settings({ mode: "STANDALONE", nodeIndex: null });
    await rejectsWithCode(
      leaseForRun(three, "org", "staff"),
      "PROV_NODE_STANDBY",
      /without PORTICO_NODE_INDEX/,
    );
  });

  it("with OFF runs nothing anywhere, and lets every lease go", async () => {
    await settings({ mode: "STANDALONE", nodeIndex: 3 });
    const three = at(3);
    assert.ok(staff(await keepNode(three, channels)));
    await settings({ mode: "OFF" });
    assert.ok(!staff(await keepNode(three, channels)));
    assert.deepEqual(nodeLeases(three).heldKeys(), []);
    await rejectsWithCode(leaseForRun(three, "org", "staff"), "PROV_MODE_OFF");
    assert.ok((await listNodes(three)).items.every((n) => n.role === "OFF"));
  });
});
