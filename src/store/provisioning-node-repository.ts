import { type Kysely, type Selectable, sql } from "kysely";
import type { ChannelLease, ProvisioningNodeRepository } from "../domain/provisioning-nodes.ts";
import type { Dialect } from "./migrations/dialect.ts";
import type { Database } from "./schema.ts";

const toLease = (row: Selectable<Database["prov_leases"]>): ChannelLease => ({
  connectionId: row.connection_id,
  channel: row.channel,
  holderIndex: Number(row.holder_index),
  holderInstance: row.holder_instance,
  epoch: Number(row.epoch),
  acquiredAt: Number(row.acquired_at),
  expiresAt: Number(row.expires_at),
});

/**
 * Leases and heartbeats over either dialect. A lease changes hands in one statement (an upsert
 * whose update is conditional), so the database decides between nodes that ask at once.
 */
export const createProvisioningNodeRepository = (
  db: Kysely<Database>,
  dialect: Dialect,
): ProvisioningNodeRepository => ({
  now: async () => {
    const query =
      dialect === "postgres"
        ? sql<{ now: string }>`select (extract(epoch from clock_timestamp()) * 1000)::bigint as now`
        : sql<{
            now: number;
          }>`select cast(round((julianday('now') - 2440587.5) * 86400000) as integer) as now`;
    const { rows } = await query.execute(db);
    return Number(rows[0]?.now);
  },

  acquire: async (claim, now, ttlMs) => {
    const row = await db
      .insertInto("prov_leases")
      .values({
        connection_id: claim.connectionId,
        channel: claim.channel,
        holder_index: claim.holderIndex,
        holder_instance: claim.holderInstance,
        epoch: 1,
        acquired_at: now,
        expires_at: now + ttlMs,
      })
      .onConflict((oc) =>
        oc
          .columns(["connection_id", "channel"])
          .doUpdateSet((eb) => ({
            holder_index: eb.ref("excluded.holder_index"),
            holder_instance: eb.ref("excluded.holder_instance"),
            epoch: eb(eb.ref("prov_leases.epoch"), "+", 1),
            acquired_at: eb.ref("excluded.acquired_at"),
            expires_at: eb.ref("excluded.expires_at"),
          }))
          .where((eb) =>
            eb.or([
              eb("prov_leases.expires_at", "<=", now),
              eb("prov_leases.holder_index", "=", claim.holderIndex),
            ]),
          ),
      )
      .returningAll()
      .executeTakeFirst();
    return row && toLease(row);
  },

  renew: async (fence, now, ttlMs) => {
    // The clock decides, even one that went back: a lease never outlives now + ttl.
    const row = await db
      .updateTable("prov_leases")
      .set({ expires_at: now + ttlMs })
      .where("connection_id", "=", fence.connectionId)
      .where("channel", "=", fence.channel)
      .where("epoch", "=", fence.epoch)
      .returningAll()
      .executeTakeFirst();
    return row && toLease(row);
  },

  release: async (fence, now) => {
    await db
      .updateTable("prov_leases")
      .set({ expires_at: now })
      .where("connection_id", "=", fence.connectionId)
      .where("channel", "=", fence.channel)
      .where("epoch", "=", fence.epoch)
      .execute();
  },

  checkFence: async (fence) => {
    const query = db
      .selectFrom("prov_leases")
      .select("epoch")
      .where("connection_id", "=", fence.connectionId)
      .where("channel", "=", fence.channel)
      .where("epoch", "=", fence.epoch);
    // SQLite has one writer at a time already; PostgreSQL needs the row lock.
    const row = await (dialect === "postgres" ? query.forShare() : query).executeTakeFirst();
    return row !== undefined;
  },

  listLeases: async () =>
    (
      await db.selectFrom("prov_leases").selectAll().orderBy("connection_id").orderBy("channel").execute()
    ).map(toLease),

  heartbeat: async (node, now) => {
    const values = {
      instance: node.instance,
      host: node.host,
      pid: node.pid,
      started_at: node.startedAt,
      last_heartbeat: now,
      stopped_at: null,
    };
    await db
      .insertInto("prov_nodes")
      .values({ node_index: node.index, ...values })
      .onConflict((oc) => oc.column("node_index").doUpdateSet(values))
      .execute();
  },

  markStopped: async (index, instance, now) => {
    await db
      .updateTable("prov_nodes")
      .set({ stopped_at: now })
      .where("node_index", "=", index)
      .where("instance", "=", instance)
      .execute();
  },

  listNodes: async () =>
    (await db.selectFrom("prov_nodes").selectAll().orderBy("node_index").execute()).map((row) => ({
      index: Number(row.node_index),
      instance: row.instance,
      host: row.host,
      pid: Number(row.pid),
      startedAt: Number(row.started_at),
      lastHeartbeat: Number(row.last_heartbeat),
      stoppedAt: row.stopped_at === null ? null : Number(row.stopped_at),
    })),
});
