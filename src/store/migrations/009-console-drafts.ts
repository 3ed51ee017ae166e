import type { Kysely } from "kysely";

/**
 * Create Connection drafts, in the database so that the wizard's next step may land on any node
 * of a cluster. A draft belongs to the console session that started it and is deleted with it
 * (sign-out, expiry, the account's password changed): the foreign key cascades. `state` is the
 * draft as the wizard keeps it, as JSON; the secrets in it are sealed like a stored connection's.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("console_drafts")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("session_id", "varchar(64)", (c) =>
      c.notNull().references("console_sessions.id").onDelete("cascade"),
    )
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("touched_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("console_drafts_session").on("console_drafts").column("session_id").execute();
};
