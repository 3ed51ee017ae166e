import type { Kysely } from "kysely";

/**
 * Provisioning across nodes (PingFederate's provisioner FAILOVER): one lease per channel, and one
 * heartbeat row per node. Times are milliseconds of the database's clock, so nodes whose own
 * clocks disagree still agree on who holds a lease. `epoch` only ever grows: it is the fencing
 * token the engine checks before it records a page.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("prov_leases")
    .addColumn("connection_id", "varchar(64)", (c) => c.notNull())
    .addColumn("channel", "varchar(256)", (c) => c.notNull())
    .addColumn("holder_index", "integer", (c) => c.notNull())
    .addColumn("holder_instance", "varchar(64)", (c) => c.notNull())
    .addColumn("epoch", "bigint", (c) => c.notNull())
    .addColumn("acquired_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("prov_leases_pk", ["connection_id", "channel"])
    .execute();

  // Keyed by the node's index (0: a node without PORTICO_NODE_INDEX), as PingFederate keys its
  // provisioner nodes by provisioner.node.id; `instance` tells one process from the next.
  await db.schema
    .createTable("prov_nodes")
    .addColumn("node_index", "integer", (c) => c.primaryKey())
    .addColumn("instance", "varchar(64)", (c) => c.notNull())
    .addColumn("host", "varchar(256)", (c) => c.notNull())
    .addColumn("pid", "integer", (c) => c.notNull())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("last_heartbeat", "bigint", (c) => c.notNull())
    .addColumn("stopped_at", "bigint")
    .execute();
};
