import type { Kysely } from "kysely";

/**
 * Password credential validators (`/passwordCredentialValidators`), PingFederate-shaped JSON
 * documents; and which validator signed a session's user in (null: the built-in directory), so
 * that SSO reads that user's attributes from the same place.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("password_credential_validators")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("name", "varchar(256)", (c) => c.notNull().unique())
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("sso_sessions").addColumn("source", "varchar(64)").execute();
};
