import type { Kysely } from "kysely";

/**
 * Each connection's live Salesforce tokens (access token, a rotated refresh token, the instance
 * URL), sealed as one value under the master key. They go with their connection.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("provisioning_tokens")
    .addColumn("connection_id", "varchar(64)", (c) =>
      c.primaryKey().references("sp_connections.id").onDelete("cascade"),
    )
    .addColumn("sealed", "text", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
};
