import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.ts";

/** The foundation tables: admin accounts, API tokens, signing keys, connections, settings, audit. */
export const up = async (db: Kysely<unknown>, dialect: Dialect): Promise<void> => {
  await db.schema
    .createTable("admin_accounts")
    .addColumn("username", "varchar(128)", (c) => c.primaryKey())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("role", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("name", "varchar(256)", (c) => c.notNull())
    .addColumn("token_hash", "varchar(128)", (c) => c.notNull().unique())
    .addColumn("created_by", "varchar(128)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("last_used_at", "varchar(32)")
    .addColumn("expires_at", "varchar(32)")
    .execute();

  await db.schema
    .createTable("signing_keys")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("key_algorithm", "varchar(8)", (c) => c.notNull())
    .addColumn("key_size", "integer", (c) => c.notNull())
    .addColumn("private_key_sealed", "text", (c) => c.notNull())
    .addColumn("certificate_pem", "text", (c) => c.notNull())
    .addColumn("subject_dn", "text", (c) => c.notNull())
    .addColumn("serial_number", "varchar(128)", (c) => c.notNull())
    .addColumn("sha1_thumbprint", "varchar(64)", (c) => c.notNull())
    .addColumn("sha256_thumbprint", "varchar(128)", (c) => c.notNull())
    .addColumn("not_before", "varchar(32)", (c) => c.notNull())
    .addColumn("not_after", "varchar(32)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sp_connections")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("entity_id", "varchar(1024)", (c) => c.notNull().unique())
    .addColumn("name", "varchar(256)", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull())
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("settings")
    .addColumn("key", "varchar(128)", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("actor", "varchar(256)", (c) => c.notNull())
    .addColumn("action", "varchar(128)", (c) => c.notNull())
    .addColumn("resource_type", "varchar(64)", (c) => c.notNull())
    .addColumn("resource_id", "varchar(1024)")
    .addColumn("outcome", "varchar(16)", (c) => c.notNull())
    .addColumn("detail", "text")
    .execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();

  await db.schema
    .createTable("auth_throttle")
    .addColumn("key", "varchar(512)", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("window_start", "varchar(32)", (c) => c.notNull())
    .addColumn("locked_until", "varchar(32)")
    .execute();
};
