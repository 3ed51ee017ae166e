import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AuditEvent, Store } from "../../src/domain/ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, type TestDatabase } from "../support/databases.ts";

const event = (n: number, o: Partial<AuditEvent>): AuditEvent => ({
  at: `2026-01-0${n}T10:00:00.000Z`,
  actor: "admin",
  action: "signingKey.generate",
  resourceType: "signingKey",
  resourceId: `key-${n}`,
  outcome: "SUCCESS",
  detail: null,
  ...o,
});

/** The audit log's filters and paging, the same on both databases (the console's audit page). */
for (const dialect of dialects) {
  describe(`audit log filters (${dialect.name})`, () => {
    let database: TestDatabase;
    let store: Store;

    before(async () => {
      database = await dialect.create();
      store = openStore(database.url);
      await store.migrate();
      const events = [
        event(1, {}),
        event(2, { actor: "audrey", action: "adminAccount.create", resourceType: "adminAccount" }),
        event(3, { actor: "token:ci", outcome: "FAILURE" }),
        event(4, { action: "signingKey.delete" }),
        event(5, { actor: "audrey", action: "adminAccount.delete", resourceType: "adminAccount" }),
      ];
      for (const e of events) await store.auditLog.append(e);
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    const ids = async (filter: Parameters<Store["auditLog"]["count"]>[0], page = { limit: 10, offset: 0 }) =>
      (await store.auditLog.list({ ...page, filter })).map((e) => e.resourceId);

    it("narrows by actor, action, resource type, resource and outcome, each counted as listed", async () => {
      const cases: [Parameters<Store["auditLog"]["count"]>[0], string[]][] = [
        [{}, ["key-5", "key-4", "key-3", "key-2", "key-1"]],
        [{ actor: "audrey" }, ["key-5", "key-2"]],
        [{ actor: "aud" }, []],
        [{ action: "signingKey.delete" }, ["key-4"]],
        [{ resourceType: "signingKey" }, ["key-4", "key-3", "key-1"]],
        [{ resourceId: "key-3" }, ["key-3"]],
        [{ outcome: "FAILURE" }, ["key-3"]],
        [{ actor: "admin", resourceType: "signingKey", outcome: "SUCCESS" }, ["key-4", "key-1"]],
      ];
      for (const [filter, expected] of cases) {
        assert.deepEqual(await ids(filter), expected, JSON.stringify(filter));
        assert.equal(await store.auditLog.count(filter), expected.length, JSON.stringify(filter));
      }
    });

    it("bounds the time: from inclusive, to exclusive", async () => {
      const filter = { from: "2026-01-02T10:00:00.000Z", to: "2026-01-04T10:00:00.000Z" };
      assert.deepEqual(await ids(filter), ["key-3", "key-2"]);
      assert.equal(await store.auditLog.count(filter), 2);
      assert.deepEqual(await ids({ from: "2026-01-04T00:00:00.000Z" }), ["key-5", "key-4"]);
    });

    it("pages by offset within a filter, newest first", async () => {
      const filter = { resourceType: "signingKey" };
      assert.deepEqual(await ids(filter, { limit: 2, offset: 0 }), ["key-4", "key-3"]);
      assert.deepEqual(await ids(filter, { limit: 2, offset: 2 }), ["key-1"]);
      assert.deepEqual(await ids(filter, { limit: 2, offset: 4 }), []);
    });
  });
}
