import { type Kysely, sql } from "kysely";
import type { Dialect } from "./dialect.ts";

// uid and cn are case-insensitive, as LDAP's caseIgnoreMatch makes them: a lower-cased key column
// carries the uniqueness and the order. "C" collation on PostgreSQL so that the order (and thus
// paging) is plain code-point order, as SQLite's BINARY is, whatever the database's locale.
const keyColumn = (dialect: Dialect) =>
  dialect === "postgres" ? sql`varchar(128) collate "C"` : sql`varchar(128)`;

/**
 * The built-in directory: users, an attribute index for look-ups such as "find by mail", groups,
 * memberships and the change log that provisioning reads after its watermark.
 */
export const up = async (db: Kysely<unknown>, dialect: Dialect): Promise<void> => {
  await db.schema
    .createTable("directory_users")
    .addColumn("uid", "varchar(128)", (c) => c.primaryKey())
    .addColumn("uid_key", keyColumn(dialect), (c) => c.notNull().unique())
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("attributes", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();

  // One row per (user, lower-cased attribute name, lower-cased value). The value is kept as its
  // SHA-256 so that the index stays small: a PostgreSQL btree entry cannot hold a 4,096-char value.
  await db.schema
    .createTable("directory_user_attributes")
    .addColumn("uid", "varchar(128)", (c) =>
      c.notNull().references("directory_users.uid").onDelete("cascade"),
    )
    .addColumn("name", "varchar(64)", (c) => c.notNull())
    .addColumn("value_hash", "varchar(64)", (c) => c.notNull())
    .addPrimaryKeyConstraint("directory_user_attributes_pk", ["uid", "name", "value_hash"])
    .execute();
  await db.schema
    .createIndex("directory_user_attributes_lookup")
    .on("directory_user_attributes")
    .columns(["name", "value_hash"])
    .execute();

  await db.schema
    .createTable("directory_groups")
    .addColumn("cn", "varchar(128)", (c) => c.primaryKey())
    .addColumn("cn_key", keyColumn(dialect), (c) => c.notNull().unique())
    .addColumn("description", "text")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("directory_group_members")
    .addColumn("cn", "varchar(128)", (c) => c.notNull().references("directory_groups.cn").onDelete("cascade"))
    .addColumn("uid", "varchar(128)", (c) =>
      c.notNull().references("directory_users.uid").onDelete("cascade"),
    )
    .addPrimaryKeyConstraint("directory_group_members_pk", ["cn", "uid"])
    .execute();
  await db.schema
    .createIndex("directory_group_members_uid")
    .on("directory_group_members")
    .column("uid")
    .execute();

  await db.schema
    .createTable("directory_changes")
    .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("entity", "varchar(8)", (c) => c.notNull())
    .addColumn("entity_id", "varchar(128)", (c) => c.notNull())
    .addColumn("operation", "varchar(8)", (c) => c.notNull())
    .execute();
};
