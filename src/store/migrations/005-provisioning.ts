import { type Kysely, sql } from "kysely";
import type { Dialect } from "./dialect.ts";

/**
 * The provisioning engine's state: per channel, per provisioned object, and its event log.
 * (004 is the Salesforce token store.)
 */
export const up = async (db: Kysely<unknown>, dialect: Dialect): Promise<void> => {
  // Source ids are compared and ordered as the sources order them (code points): a full pass
  // walks the source and this table side by side. "C" collation on PostgreSQL, as in 002.
  const sourceId = dialect === "postgres" ? sql`varchar(512) collate "C"` : sql`varchar(512)`;

  await db.schema
    .createTable("prov_channels")
    .addColumn("connection_id", "varchar(64)", (c) => c.notNull())
    .addColumn("channel", "varchar(256)", (c) => c.notNull())
    .addColumn("watermark", "varchar(256)")
    .addColumn("last_full_pass_at", "varchar(32)")
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("status_reason", "text")
    .addColumn("last_cycle", "text")
    .addColumn("next_cycle_at", "varchar(32)")
    .addColumn("confirmed_at", "varchar(32)")
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("prov_channels_pk", ["connection_id", "channel"])
    .execute();

  // One row per source object and connection: the channel column names its one owner.
  await db.schema
    .createTable("prov_objects")
    .addColumn("connection_id", "varchar(64)", (c) => c.notNull())
    .addColumn("kind", "varchar(8)", (c) => c.notNull())
    .addColumn("source_id", sourceId, (c) => c.notNull())
    .addColumn("channel", "varchar(256)", (c) => c.notNull())
    .addColumn("target_id", "varchar(18)")
    .addColumn("contact_id", "varchar(18)")
    .addColumn("name", "varchar(512)", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("pushed", "text", (c) => c.notNull())
    .addColumn("desired_hash", "varchar(64)")
    .addColumn("last_error", "text")
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("prov_objects_pk", ["connection_id", "kind", "source_id"])
    .execute();
  await db.schema
    .createIndex("prov_objects_channel")
    .on("prov_objects")
    .columns(["connection_id", "channel", "kind", "source_id"])
    .execute();

  await db.schema
    .createTable("prov_events")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("connection_id", "varchar(64)", (c) => c.notNull())
    .addColumn("channel", "varchar(256)", (c) => c.notNull())
    .addColumn("cycle_id", "varchar(64)", (c) => c.notNull())
    .addColumn("type", "varchar(32)", (c) => c.notNull())
    .addColumn("source_id", "varchar(512)")
    .addColumn("target_id", "varchar(18)")
    .addColumn("success", "integer", (c) => c.notNull())
    .addColumn("cause", "text")
    .addColumn("detail", "text")
    .execute();
  await db.schema
    .createIndex("prov_events_channel_at")
    .on("prov_events")
    .columns(["connection_id", "channel", "at"])
    .execute();
  await db.schema.createIndex("prov_events_source").on("prov_events").columns(["source_id"]).execute();

  await db.schema
    .createTable("prov_field_specs")
    .addColumn("connection_id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("fetched_at", "varchar(32)", (c) => c.notNull())
    .addColumn("specs", "text", (c) => c.notNull())
    .execute();
};
