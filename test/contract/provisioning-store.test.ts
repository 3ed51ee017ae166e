import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Store } from "../../src/domain/ports.ts";
import type { ProvisionedObject, ProvisioningEvent } from "../../src/domain/provisioning-ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, type TestDatabase } from "../support/databases.ts";

const object = (sourceId: string, edit: Partial<ProvisionedObject> = {}): ProvisionedObject => ({
  connectionId: "c1",
  channel: "ch1",
  kind: "user",
  sourceId,
  targetId: null,
  contactId: null,
  name: `${sourceId}@acme.example.com`,
  status: "PENDING",
  pushed: {},
  desiredHash: null,
  lastError: null,
  attempts: 0,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...edit,
});

const event = (type: ProvisioningEvent["type"], at: string, success = true): ProvisioningEvent => ({
  at,
  connectionId: "c1",
  channel: "ch1",
  cycleId: "cy1",
  type,
  sourceId: "ada",
  targetId: "005000000000001AAA",
  success,
  cause: success ? null : "PROV_TARGET_REJECTED: bad",
  detail: { fields: ["Title"] },
});

for (const dialect of dialects) {
  describe(`provisioning store contract (${dialect.name})`, () => {
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

    it("keeps a channel's state, and forgets it on reset", async () => {
      const state = {
        connectionId: "c1",
        channel: "ch1",
        watermark: "42",
        lastFullPassAt: "2026-01-01T00:00:00.000Z",
        status: "HELD" as const,
        statusReason: "would deactivate 12 users",
        lastCycle: {
          cycleId: "cy1",
          kind: "full" as const,
          startedAt: "2026-01-01T00:00:00.000Z",
          endedAt: "2026-01-01T00:00:01.000Z",
          counts: { CREATE: 3 },
          failures: 0,
          apiCalls: 4,
          message: null,
        },
        nextCycleAt: null,
        confirmedAt: null,
        updatedAt: "2026-01-01T00:00:01.000Z",
      };
      await store.provisioning.putChannel(state);
      assert.deepEqual(await store.provisioning.getChannel("c1", "ch1"), state);
      await store.provisioning.putChannel({ ...state, status: "IDLE", statusReason: null, watermark: "43" });
      assert.equal((await store.provisioning.getChannel("c1", "ch1"))?.watermark, "43");
      assert.equal((await store.provisioning.listChannels()).length, 1);
      await store.provisioning.putObjects([object("ada")]);
      await store.provisioning.resetChannel("c1", "ch1");
      assert.equal(await store.provisioning.getChannel("c1", "ch1"), undefined);
      assert.deepEqual(await store.provisioning.getObjects("c1", "user", ["ada"]), []);
    });

    it("keeps one row per source object, updated in place, listed in source-id order", async () => {
      const many = Array.from({ length: 450 }, (_, i) => object(`u${String(i).padStart(4, "0")}`));
      await store.provisioning.putObjects(many);
      await store.provisioning.putObjects([
        object("u0001", {
          status: "ACTIVE",
          targetId: "005000000000001AAA",
          pushed: { Title: "Engineer", IsActive: true, PermissionSets: ["Sales"] },
          lastError: { code: "X", message: "y" },
          attempts: 2,
        }),
      ]);
      const [got] = await store.provisioning.getObjects("c1", "user", ["u0001", "nobody"]);
      assert.equal(got?.status, "ACTIVE");
      assert.deepEqual(got?.pushed, { Title: "Engineer", IsActive: true, PermissionSets: ["Sales"] });
      assert.deepEqual(got?.lastError, { code: "X", message: "y" });
      const page = await store.provisioning.listObjects({
        connectionId: "c1",
        channel: "ch1",
        kind: "user",
        afterSourceId: "u0100",
        limit: 3,
      });
      assert.deepEqual(
        page.map((o) => o.sourceId),
        ["u0101", "u0102", "u0103"],
      );
      const counts = await store.provisioning.countObjects("c1", "ch1");
      assert.deepEqual(counts, { PENDING: 449, ACTIVE: 1, INACTIVE: 0, FROZEN: 0, FAILED: 0 });
      assert.equal(
        (
          await store.provisioning.getObjects(
            "c1",
            "user",
            many.map((o) => o.sourceId),
          )
        ).length,
        450,
      );
      await store.provisioning.deleteObject("c1", "user", "u0001");
      assert.deepEqual(await store.provisioning.getObjects("c1", "user", ["u0001"]), []);
    });

    it("claims rows for creation only where no other channel of the connection holds them", async () => {
      await store.provisioning.putObjects([
        object("held", { channel: "other", status: "ACTIVE", targetId: "005000000000009AAA" }),
        object("released", { channel: "other", status: "INACTIVE", targetId: "005000000000008AAA" }),
        object("mine", { channel: "ch1", status: "FAILED" }),
      ]);
      const claimed = await store.provisioning.claimObjects(
        ["held", "released", "mine", "fresh"].map((id) => object(id, { channel: "ch1" })),
      );
      assert.deepEqual([...claimed].sort(), ["fresh", "mine", "released"]);
      const rows = await store.provisioning.getObjects("c1", "user", ["held", "released", "mine", "fresh"]);
      const byId = Object.fromEntries(rows.map((r) => [r.sourceId, `${r.channel}/${r.status}`]));
      assert.deepEqual(byId, {
        held: "other/ACTIVE",
        released: "ch1/PENDING",
        mine: "ch1/PENDING",
        fresh: "ch1/PENDING",
      });
      assert.deepEqual(
        await store.provisioning.claimObjects([object("held", { channel: "ch1" })]),
        new Set(),
      );
    });

    it("logs events, filters them newest first, and counts deprovisions in a window", async () => {
      await store.provisioning.appendEvents([
        event("CREATE", "2026-01-01T10:00:00.000Z"),
        event("DEACTIVATE", "2026-01-01T10:10:00.000Z"),
        event("FREEZE", "2026-01-01T10:20:00.000Z"),
        event("DEACTIVATE", "2026-01-01T10:30:00.000Z", false),
      ]);
      const all = await store.provisioning.listEvents({ filter: { connectionId: "c1" }, limit: 10 });
      assert.deepEqual(
        all.map((e) => e.type),
        ["DEACTIVATE", "FREEZE", "DEACTIVATE", "CREATE"],
      );
      assert.equal(all[0]?.success, false);
      assert.deepEqual(all[3]?.detail, { fields: ["Title"] });
      const failed = await store.provisioning.listEvents({ filter: { success: false }, limit: 10 });
      assert.equal(failed.length, 1);
      const older = await store.provisioning.listEvents({ filter: {}, limit: 10, beforeId: all[1]?.id });
      assert.deepEqual(
        older.map((e) => e.type),
        ["DEACTIVATE", "CREATE"],
      );
      assert.equal(await store.provisioning.countDeprovisions("c1", "ch1", "2026-01-01T10:15:00.000Z"), 1);
      assert.equal(await store.provisioning.countDeprovisions("c1", "ch1", "2026-01-01T09:00:00.000Z"), 2);
    });

    it("keeps the field lists Refresh Fields fetched", async () => {
      assert.equal(await store.provisioning.getFieldSpecs("c1"), undefined);
      await store.provisioning.putFieldSpecs("c1", "2026-01-01T00:00:00.000Z", {
        User: [{ name: "Username" }],
      });
      await store.provisioning.putFieldSpecs("c1", "2026-01-02T00:00:00.000Z", { User: [{ name: "Email" }] });
      assert.deepEqual(await store.provisioning.getFieldSpecs("c1"), {
        fetchedAt: "2026-01-02T00:00:00.000Z",
        specs: { User: [{ name: "Email" }] },
      });
    });
  });
}
