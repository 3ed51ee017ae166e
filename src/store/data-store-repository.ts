import type { Kysely, Selectable } from "kysely";
import type { DataStoreRecord, LdapDataStore } from "../domain/data-store.ts";
import type { DataStoreRepository } from "../domain/ports.ts";
import { guarded } from "./guarded.ts";
import type { Database } from "./schema.ts";

const toRecord = (row: Selectable<Database["data_stores"]>): DataStoreRecord => ({
  id: row.id,
  name: row.name,
  type: "LDAP",
  document: JSON.parse(row.document) as LdapDataStore,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toRow = (record: DataStoreRecord) => ({
  id: record.id,
  name: record.name,
  type: record.type,
  document: JSON.stringify(record.document),
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

export const createDataStoreRepository = (db: Kysely<Database>): DataStoreRepository => ({
  get: async (id) => {
    const row = await db.selectFrom("data_stores").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  },
  getByName: async (name) => {
    const row = await db.selectFrom("data_stores").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toRecord(row);
  },
  list: async () =>
    (await db.selectFrom("data_stores").selectAll().orderBy("name").orderBy("id").execute()).map(toRecord),
  create: (record) =>
    guarded(async () => {
      await db.insertInto("data_stores").values(toRow(record)).execute();
    }),
  update: (record) =>
    guarded(async () => {
      const { id, created_at: _created, ...changes } = toRow(record);
      const result = await db.updateTable("data_stores").set(changes).where("id", "=", id).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    }),
  delete: async (id) => {
    const result = await db.deleteFrom("data_stores").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
});
