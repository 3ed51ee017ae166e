import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { Store } from "../../src/domain/ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { createPostgresDatabase, type TestDatabase } from "../support/databases.ts";

/**
 * Nodes of a cluster start together on one fresh PostgreSQL database: each runs the migrations at
 * start, and the schema must come out whole, with every migration applied by exactly one of them.
 */
describe("nodes migrating one fresh PostgreSQL database at once", () => {
  let database: TestDatabase;
  const stores: Store[] = [];
  before(async () => {
    database = await createPostgresDatabase();
  });
  after(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    await database?.drop();
  });

  it("all start, and each migration is applied once, by one node", async () => {
    for (let i = 0; i < 3; i++) stores.push(openStore(database.url));
    const applied = await Promise.all(stores.map((store) => store.migrate()));

    const all = applied.flat();
    assert.ok(all.length > 0);
    assert.equal(new Set(all).size, all.length, `a migration ran on two nodes: ${JSON.stringify(applied)}`);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const recorded = await client.query<{ name: string }>(
        "select name from kysely_migration order by name",
      );
      assert.deepEqual(
        recorded.rows.map((r) => r.name),
        [...all].sort(),
      );
    } finally {
      await client.end();
    }
    // Every node works on the schema, and a later start has nothing left to apply.
    for (const store of stores) assert.deepEqual(await store.adminAccounts.list(), []);
    assert.deepEqual(await Promise.all(stores.map((store) => store.migrate())), [[], [], []]);
  });

  it("waits for a node that holds the migration lock", async () => {
    const fresh = await createPostgresDatabase();
    const holder = new pg.Client({ connectionString: fresh.url });
    await holder.connect();
    const store = openStore(fresh.url);
    try {
      await holder.query("select pg_advisory_lock(hashtextextended('portico:migrations', 0))");
      let done = false;
      const migrating = store.migrate().finally(() => {
        done = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(done, false, "a node migrated while another held the lock");
      await holder.query("select pg_advisory_unlock(hashtextextended('portico:migrations', 0))");
      assert.ok((await migrating).length > 0);
    } finally {
      await holder.end();
      await store.close();
      await fresh.drop();
    }
  });
});
