import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../src/domain/ports.ts";
import type { LeaseClaim } from "../../src/domain/provisioning-nodes.ts";
import type { ChannelState } from "../../src/domain/provisioning-ports.ts";
import { fencedRepository } from "../../src/services/provisioning/fenced-repository.ts";
import { openStore } from "../../src/store/open-store.ts";
import { createPostgresDatabase, dialects, type TestDatabase } from "../support/databases.ts";
import { rejectsWithCode } from "../support/errors.ts";

const claim = (holderIndex: number, channel = "staff"): LeaseClaim => ({
  connectionId: "org",
  channel,
  holderIndex,
  holderInstance: `node-${holderIndex}-process`,
});

const state = (channel: string, watermark: string): ChannelState => ({
  connectionId: "org",
  channel,
  watermark,
  lastFullPassAt: null,
  status: "IDLE",
  statusReason: null,
  lastCycle: null,
  nextCycleAt: null,
  confirmedAt: null,
  updatedAt: "2026-03-02T09:00:00.000Z",
});

const ttl = 10_000;
const t0 = 1_800_000_000_000;

for (const dialect of dialects) {
  describe(`provisioning leases (${dialect.name})`, () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await dialect.create();
      store = openStore(database.url);
      await store.migrate();
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it("gives a free lease to one node, and refuses the others until it expires", async () => {
      const leases = store.provisioningNodes;
      const first = await leases.acquire(claim(1, "expiry"), t0, ttl);
      assert.equal(first?.epoch, 1);
      assert.equal(first?.expiresAt, t0 + ttl);
      assert.equal(await leases.acquire(claim(2, "expiry"), t0 + ttl - 1, ttl), undefined);
      // At the expiry instant the lease is over: the boundary belongs to the taker.
      const taken = await leases.acquire(claim(2, "expiry"), t0 + ttl, ttl);
      assert.equal(taken?.holderIndex, 2);
      assert.equal(taken?.epoch, 2);
    });

    it("renews only under the current epoch, so a node that lost its lease learns it", async () => {
      const leases = store.provisioningNodes;
      const old = await leases.acquire(claim(1, "renew"), t0, ttl);
      assert.ok(old);
      const renewed = await leases.renew({ ...old, channel: "renew" }, t0 + 5000, ttl);
      assert.equal(renewed?.expiresAt, t0 + 5000 + ttl);
      assert.equal(await leases.acquire(claim(2, "renew"), t0 + ttl, ttl), undefined, "renewal kept it");
      const taken = await leases.acquire(claim(2, "renew"), t0 + 5000 + ttl, ttl);
      assert.equal(taken?.epoch, 2);
      assert.equal(await leases.renew({ ...old, channel: "renew" }, t0 + 20_000, ttl), undefined);
      // The old holder's release lets nothing go: the lease is the new holder's.
      await leases.release({ ...old, channel: "renew" }, t0 + 20_000);
      assert.equal(await leases.acquire(claim(3, "renew"), t0 + 20_000, ttl), undefined);
      const listed = (await leases.listLeases()).find((l) => l.channel === "renew");
      assert.equal(listed?.holderIndex, 2);
    });

    it("lets a clean stop release at once, and a restarted node take its own lease back", async () => {
      const leases = store.provisioningNodes;
      const held = await leases.acquire(claim(1, "release"), t0, ttl);
      assert.ok(held);
      await leases.release({ connectionId: "org", channel: "release", epoch: held.epoch }, t0 + 1);
      assert.equal((await leases.acquire(claim(2, "release"), t0 + 2, ttl))?.epoch, 2);
      // Node 2 restarts (a new process, the same index): it need not wait out its own lease.
      const back = await leases.acquire(
        { ...claim(2, "release"), holderInstance: "node-2-again" },
        t0 + 3,
        ttl,
      );
      assert.equal(back?.epoch, 3);
      assert.equal(back?.holderInstance, "node-2-again");
    });

    it("follows the clock when it goes back, and fences the holder when it jumps ahead", async () => {
      const leases = store.provisioningNodes;
      const held = await leases.acquire(claim(1, "clock"), t0, ttl);
      assert.ok(held);
      const fence = { connectionId: "org", channel: "clock", epoch: held.epoch };
      // The database clock stepped back an hour: the lease must not last an hour longer.
      const back = await leases.renew(fence, t0 - 3_600_000, ttl);
      assert.equal(back?.expiresAt, t0 - 3_600_000 + ttl);
      // It steps forward past the expiry: another node takes over, and the old fence is dead.
      const taken = await leases.acquire(claim(2, "clock"), t0, ttl);
      assert.equal(taken?.epoch, 2);
      assert.equal(await leases.checkFence(fence), false);
      assert.equal(await leases.checkFence({ ...fence, epoch: 2 }), true);
    });

    it("reads the database's clock", async () => {
      const now = await store.provisioningNodes.now();
      assert.ok(Math.abs(now - Date.now()) < 60_000, `${now} is near ${Date.now()}`);
    });

    it("gives a lease to exactly one of many nodes asking at once", async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.provisioningNodes.acquire(claim(i + 1, "race"), t0, ttl)),
      );
      assert.equal(results.filter((r) => r !== undefined).length, 1);
    });

    it("records nothing through a fence whose lease was taken over", async () => {
      const leases = store.provisioningNodes;
      const held = await leases.acquire(claim(1, "fenced"), t0, ttl);
      assert.ok(held);
      const oldRepo = fencedRepository(store, { connectionId: "org", channel: "fenced", epoch: held.epoch });
      await oldRepo.putChannel(state("fenced", "10"));
      const taken = await leases.acquire(claim(2, "fenced"), t0 + ttl, ttl);
      assert.ok(taken);
      await rejectsWithCode(oldRepo.putChannel(state("fenced", "99")), "PROV_LEASE_LOST");
      await rejectsWithCode(oldRepo.appendEvents([]), "PROV_LEASE_LOST");
      assert.equal((await store.provisioning.getChannel("org", "fenced"))?.watermark, "10");
      const newRepo = fencedRepository(store, { connectionId: "org", channel: "fenced", epoch: taken.epoch });
      await newRepo.putChannel(state("fenced", "11"));
      assert.equal((await newRepo.getChannel("org", "fenced"))?.watermark, "11");
    });

    it("keeps one heartbeat row per node index, and marks a clean stop", async () => {
      const leases = store.provisioningNodes;
      const node = { index: 7, instance: "a", host: "h1", pid: 10, startedAt: t0 };
      await leases.heartbeat(node, t0 + 1);
      await leases.heartbeat(node, t0 + 2);
      await leases.heartbeat({ ...node, instance: "b", pid: 11 }, t0 + 3);
      await leases.markStopped(7, "a", t0 + 4);
      let [row] = (await leases.listNodes()).filter((n) => n.index === 7);
      assert.deepEqual(row, { ...node, instance: "b", pid: 11, lastHeartbeat: t0 + 3, stoppedAt: null });
      await leases.markStopped(7, "b", t0 + 5);
      [row] = (await leases.listNodes()).filter((n) => n.index === 7);
      assert.equal(row?.stoppedAt, t0 + 5);
    });
  });
}

describe("provisioning leases on PostgreSQL: a takeover waits for the fenced write in progress", () => {
  let database: TestDatabase;
  let store: Store;
  before(async () => {
    database = await createPostgresDatabase();
    store = openStore(database.url);
    await store.migrate();
  });
  after(async () => {
    await store.close();
    await database.drop();
  });

  it("orders the takeover after the write, never between the check and the write", async () => {
    const held = await store.provisioningNodes.acquire(claim(1), t0, ttl);
    assert.ok(held);
    const order: string[] = [];
    let checked: () => void = () => {};
    const isChecked = new Promise<void>((resolve) => {
      checked = resolve;
    });
    const write = store.transaction(async (tx) => {
      assert.ok(await tx.provisioningNodes.checkFence({ connectionId: "org", channel: "staff", epoch: 1 }));
      checked();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.provisioning.putChannel(state("staff", "late write"));
      order.push("write committed");
    });
    await isChecked;
    const takeover = store.provisioningNodes.acquire(claim(2), t0 + ttl, ttl).then((lease) => {
      order.push("taken over");
      return lease;
    });
    await write;
    assert.equal((await takeover)?.epoch, 2);
    assert.deepEqual(order, ["write committed", "taken over"]);
  });
});
