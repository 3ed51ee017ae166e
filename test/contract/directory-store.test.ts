/** The directory repository on both dialects: users, the attribute index, the change log. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { Store } from "../../src/domain/ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, postgresAdminUrl, type TestDatabase } from "../support/databases.ts";
import { rejectsWithCode } from "../support/errors.ts";

for (const dialect of dialects) {
  describe(`store contract: the built-in directory (${dialect.name})`, () => {
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

    it("keeps directory users with case-insensitive uids, an attribute index, paging and a change log", async () => {
      const at = "2026-03-01T00:00:00.000Z";
      const ada = {
        uid: "Ada",
        enabled: true,
        attributes: { mail: ["Ada@Acme.com", "ada.lovelace@acme.com"], givenName: ["Ada"], sn: ["Lovelace"] },
        passwordHash: "scrypt$x",
        createdAt: at,
        updatedAt: at,
      };
      const users = store.directory;
      await users.createUser(ada);
      assert.deepEqual(await users.getUser("Ada"), ada);
      assert.deepEqual(await users.getUser("ada"), ada, "uid is case-insensitive and keeps its spelling");
      await rejectsWithCode(users.createUser({ ...ada, uid: "ADA" }), "STORE_CONFLICT");
      for (const uid of ["carol", "bob", "B.dave", "a_eve"]) {
        await users.createUser({
          ...ada,
          uid,
          attributes: { mail: [`${uid}@acme.com`] },
          passwordHash: null,
        });
      }
      // A value longer than a PostgreSQL btree entry may hold is still indexed (by its hash).
      const long = "x".repeat(4096);
      await users.createUser({ ...ada, uid: "zed", attributes: { description: [long] }, passwordHash: null });
      assert.deepEqual(
        (await users.findUsersByAttribute("DESCRIPTION", long.toUpperCase())).map((u) => u.uid),
        ["zed"],
      );

      const page1 = await users.listUsers({ limit: 3 });
      assert.deepEqual(
        page1.map((u) => u.uid),
        ["a_eve", "Ada", "B.dave"],
        "ordered by uid, ignoring case, the same on both dialects",
      );
      const page2 = await users.listUsers({ limit: 3, afterUid: "b.DAVE" });
      assert.deepEqual(
        page2.map((u) => u.uid),
        ["bob", "carol", "zed"],
      );

      assert.deepEqual(
        (await users.findUsersByAttribute("MAIL", "ADA@acme.COM")).map((u) => u.uid),
        ["Ada"],
      );
      assert.deepEqual(
        (await users.findUsersByAttribute("mail", "ada.lovelace@acme.com")).map((u) => u.uid),
        ["Ada"],
      );
      assert.deepEqual(
        await users.findUsersByAttribute("sn", "ada@acme.com"),
        [],
        "only the named attribute",
      );

      const changed = {
        ...ada,
        enabled: false,
        attributes: { mail: ["countess@acme.com"] },
        passwordHash: null,
        updatedAt: "2026-03-02T00:00:00.000Z",
      };
      assert.equal(await users.updateUser(changed), true);
      assert.deepEqual(await users.getUser("ada"), changed);
      assert.deepEqual(
        await users.findUsersByAttribute("mail", "ada@acme.com"),
        [],
        "the index follows updates",
      );
      assert.equal((await users.findUsersByAttribute("mail", "countess@acme.com"))[0]?.uid, "Ada");
      assert.equal(await users.updateUser({ ...changed, uid: "nobody" }), false);

      await users.createGroup({
        cn: "Sales",
        description: "Sales team",
        members: ["bob", "Ada"],
        createdAt: at,
        updatedAt: at,
      });
      await users.createGroup({
        cn: "admins",
        description: null,
        members: ["Ada"],
        createdAt: at,
        updatedAt: at,
      });
      await rejectsWithCode(
        users.createGroup({ cn: "SALES", description: null, members: [], createdAt: at, updatedAt: at }),
        "STORE_CONFLICT",
      );
      assert.deepEqual(await users.getGroup("sales"), {
        cn: "Sales",
        description: "Sales team",
        members: ["Ada", "bob"],
        createdAt: at,
        updatedAt: at,
      });
      assert.deepEqual(await users.groupsOf("ADA"), ["admins", "Sales"]);
      assert.equal(
        await users.updateGroup({
          cn: "sales",
          description: null,
          members: ["carol"],
          createdAt: at,
          updatedAt: "2026-03-03T00:00:00.000Z",
        }),
        true,
      );
      assert.deepEqual((await users.getGroup("Sales"))?.members, ["carol"]);
      assert.equal((await users.getGroup("Sales"))?.description, null);
      assert.equal(
        await users.updateGroup({ cn: "none", description: null, members: [], createdAt: at, updatedAt: at }),
        false,
      );
      assert.deepEqual(
        (await users.listGroups()).map((g) => [g.cn, g.members]),
        [
          ["admins", ["Ada"]],
          ["Sales", ["carol"]],
        ],
      );

      assert.equal(await users.deleteUser("ADA"), true);
      assert.equal(await users.getUser("Ada"), undefined);
      assert.deepEqual(
        (await users.getGroup("admins"))?.members,
        [],
        "deleting a user removes its memberships",
      );
      assert.deepEqual(await users.findUsersByAttribute("mail", "countess@acme.com"), []);
      assert.equal(await users.deleteUser("Ada"), false);
      assert.equal(await users.deleteGroup("ADMINS"), true);
      assert.equal(await users.deleteGroup("admins"), false);
      assert.deepEqual(await users.groupsOf("carol"), ["Sales"]);

      for (const [entity, id, operation] of [
        ["user", "Ada", "create"],
        ["group", "Sales", "update"],
        ["user", "bob", "delete"],
      ] as const) {
        await users.appendChange({ at, entity, id, operation });
      }
      const changes = await users.listChanges({ afterSeq: 0, limit: 10 });
      assert.deepEqual(
        changes.map((c) => [c.entity, c.id, c.operation]),
        [
          ["user", "Ada", "create"],
          ["group", "Sales", "update"],
          ["user", "bob", "delete"],
        ],
      );
      assert.ok(changes.every((c, i) => i === 0 || c.seq > (changes[i - 1]?.seq ?? 0)));
      assert.equal(typeof changes[0]?.seq, "number");
      const after = await users.listChanges({ afterSeq: changes[0]?.seq ?? 0, limit: 1 });
      assert.deepEqual(
        after.map((c) => c.id),
        ["Sales"],
      );
    });

    it("writes a directory user and its index all or nothing inside a transaction", async () => {
      const at = "2026-03-01T00:00:00.000Z";
      await assert.rejects(
        store.transaction(async (repos) => {
          await repos.directory.createUser({
            uid: "tx-user",
            enabled: true,
            attributes: { mail: ["tx@acme.com"] },
            passwordHash: null,
            createdAt: at,
            updatedAt: at,
          });
          await repos.directory.appendChange({ at, entity: "user", id: "tx-user", operation: "create" });
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(await store.directory.getUser("tx-user"), undefined);
      assert.deepEqual(await store.directory.findUsersByAttribute("mail", "tx@acme.com"), []);
      const all = await store.directory.listChanges({ afterSeq: 0, limit: 100 });
      assert.ok(!all.some((c) => c.id === "tx-user"), "the change log rolls back with it");
    });

    it("never lets a change-log reader skip a change that commits late (the provisioning watermark)", async () => {
      // A slow writer, quick writers and a reader, each on its own connection as nodes would be.
      // On SQLite the quick writers share the slow one's connection instead: better-sqlite3
      // waits for a busy database synchronously, which would stall this one process.
      const other = dialect.name === "sqlite" ? store : openStore(database.url);
      const reader = openStore(database.url);
      const seen: number[] = [];
      let watermark = (await reader.directory.listChanges({ afterSeq: 0, limit: 100000 })).at(-1)?.seq ?? 0;
      const read = async () => {
        const changes = await reader.directory.listChanges({ afterSeq: watermark, limit: 1000 });
        for (const c of changes) seen.push(c.seq);
        watermark = changes.at(-1)?.seq ?? watermark;
      };
      const gate = () => {
        let open = () => {};
        const opened = new Promise<void>((resolve) => {
          open = resolve;
        });
        return { open, opened };
      };
      // A slow writer takes its place in the log first and commits last; quick ones commit meanwhile.
      const slowHolding = gate();
      const slowRelease = gate();
      const slow = store.transaction(async (repos) => {
        await repos.directory.appendChange({ at: "t", entity: "user", id: "slow", operation: "update" });
        slowHolding.open();
        await slowRelease.opened;
      });
      await slowHolding.opened;
      try {
        const quick = Promise.all(
          ["q1", "q2", "q3"].map((id) =>
            other.transaction((repos) =>
              repos.directory.appendChange({ at: "t", entity: "user", id, operation: "update" }),
            ),
          ),
        );
        // Give the quick writers every chance to commit before the slow one, then read.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await read();
        slowRelease.open();
        await slow;
        await quick;
        await read();
      } finally {
        if (other !== store) await other.close();
        await reader.close();
      }
      const all = (await store.directory.listChanges({ afterSeq: 0, limit: 100000 })).map((c) => c.seq);
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        all.slice(-4),
        "every change was read once, none skipped",
      );
    });

    if (dialect.name === "postgres") {
      it("survives the server dropping its idle connections, and serves the next query", async () => {
        await store.settings.set("probe", "1");
        const admin = new pg.Client({ connectionString: postgresAdminUrl });
        await admin.connect();
        try {
          const name = new URL(database.url).pathname.slice(1);
          const ended = await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [name],
          );
          assert.ok(ended.rowCount && ended.rowCount > 0, "the pool had idle connections to drop");
        } finally {
          await admin.end();
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(await store.settings.get("probe"), "1");
      });
    }
  });
}
