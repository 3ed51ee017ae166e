import type { Kysely } from "kysely";

/**
 * LDAP data stores (`/dataStores`): the PingFederate-shaped document as JSON, its bind password
 * sealed inside it. Names are unique, as PingFederate requires across data stores.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("data_stores")
    .addColumn("id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("name", "varchar(256)", (c) => c.notNull().unique())
    .addColumn("type", "varchar(16)", (c) => c.notNull())
    .addColumn("document", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
};
