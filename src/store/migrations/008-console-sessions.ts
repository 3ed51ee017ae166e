import type { Kysely } from "kysely";

/**
 * Admin console sessions, in the database so that every node of a cluster knows them. The cookie
 * carries a random token; only its hash is stored (`id`), beside the form token (CSRF) that every
 * form of the session must send back.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("console_sessions")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("username", "varchar(256)", (c) => c.notNull())
    .addColumn("csrf_token", "varchar(64)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("last_seen_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("console_sessions_username")
    .on("console_sessions")
    .column("username")
    .execute();
};
