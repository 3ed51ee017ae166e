import type { Kysely } from "kysely";

/** SSO sessions and the replay cache: in the database so that any node serves any request. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("sso_sessions")
    .addColumn("id", "varchar(128)", (c) => c.primaryKey())
    .addColumn("uid", "varchar(256)", (c) => c.notNull())
    .addColumn("authn_instant", "varchar(32)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("last_seen_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .addColumn("participants", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sso_sessions_expires_at").on("sso_sessions").column("expires_at").execute();
  await db.schema.createIndex("sso_sessions_uid").on("sso_sessions").column("uid").execute();

  await db.schema
    .createTable("replay_cache")
    .addColumn("key", "varchar(1024)", (c) => c.primaryKey())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("replay_cache_expires_at").on("replay_cache").column("expires_at").execute();
};
