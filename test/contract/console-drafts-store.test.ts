import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConsoleDraftRecord, ConsoleSession } from "../../src/domain/console-sessions.ts";
import type { Store } from "../../src/domain/ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, type TestDatabase } from "../support/databases.ts";

const session = (id: string, username = "admin"): ConsoleSession => ({
  id,
  username,
  csrfToken: "form-token",
  createdAt: "2026-01-01T00:00:00.000Z",
  lastSeenAt: "2026-01-01T00:00:00.000Z",
  expiresAt: "2026-01-01T12:00:00.000Z",
});

const draft = (
  id: string,
  sessionId: string,
  touchedAt = "2026-01-01T00:00:00.000Z",
): ConsoleDraftRecord => ({
  id,
  sessionId,
  state: JSON.stringify({ step: id }),
  createdAt: "2026-01-01T00:00:00.000Z",
  touchedAt,
});

/** Create Connection drafts on every node: kept per console session, and gone with it. */
for (const dialect of dialects) {
  describe(`console drafts store (${dialect.name})`, () => {
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

    it("keeps a session's drafts, least recently touched first, and updates only its own", async () => {
      await store.consoleSessions.create(session("s1"));
      await store.consoleSessions.create(session("s2"));
      await store.consoleDrafts.create(draft("d1", "s1", "2026-01-01T00:05:00.000Z"));
      await store.consoleDrafts.create(draft("d2", "s1", "2026-01-01T00:01:00.000Z"));
      await store.consoleDrafts.create(draft("d3", "s2"));
      assert.deepEqual(await store.consoleDrafts.get("d1"), draft("d1", "s1", "2026-01-01T00:05:00.000Z"));
      assert.deepEqual(
        (await store.consoleDrafts.listForSession("s1")).map((d) => d.id),
        ["d2", "d1"],
      );
      const changed = {
        ...draft("d2", "s1"),
        state: '{"step":"type"}',
        touchedAt: "2026-01-01T00:09:00.000Z",
      };
      assert.equal(await store.consoleDrafts.update(changed), true);
      assert.deepEqual(await store.consoleDrafts.get("d2"), changed);
      assert.equal(
        await store.consoleDrafts.update({ ...changed, sessionId: "s2" }),
        false,
        "another session cannot write it",
      );
      assert.equal(await store.consoleDrafts.touch("d1", "2026-01-01T00:10:00.000Z"), true);
      assert.deepEqual(
        (await store.consoleDrafts.listForSession("s1")).map((d) => d.id),
        ["d2", "d1"],
      );
      assert.equal(await store.consoleDrafts.touch("gone", "2026-01-01T00:10:00.000Z"), false);
      assert.equal(await store.consoleDrafts.delete("d1"), true);
      assert.equal(await store.consoleDrafts.get("d1"), undefined);
    });

    it("refuses a draft without its session, and deletes drafts with their session", async () => {
      await assert.rejects(store.consoleDrafts.create(draft("orphan", "no-such-session")));
      await store.consoleSessions.create(session("s3", "ada"));
      await store.consoleSessions.create(session("s4"));
      await store.consoleDrafts.create(draft("d4", "s3"));
      await store.consoleDrafts.create(draft("d5", "s4"));
      await store.consoleSessions.delete("s2");
      assert.equal(await store.consoleDrafts.get("d3"), undefined, "signed out");
      await store.consoleSessions.deleteForUser("ada");
      assert.equal(await store.consoleDrafts.get("d4"), undefined, "the account's password changed");
      await store.consoleSessions.deleteExpired("2026-01-01T12:00:01.000Z", "2026-01-01T00:00:00.000Z");
      assert.equal(await store.consoleDrafts.get("d5"), undefined, "the session expired");
      assert.deepEqual(await store.consoleDrafts.listForSession("s1"), []);
    });

    it("deletes drafts left idle", async () => {
      await store.consoleSessions.create(session("s5"));
      await store.consoleDrafts.create(draft("old", "s5", "2026-01-02T00:00:00.000Z"));
      await store.consoleDrafts.create(draft("new", "s5", "2026-01-02T00:40:00.000Z"));
      assert.equal(await store.consoleDrafts.deleteExpired("2026-01-02T00:30:00.000Z"), 1);
      assert.deepEqual(
        (await store.consoleDrafts.listForSession("s5")).map((d) => d.id),
        ["new"],
      );
    });
  });
}
