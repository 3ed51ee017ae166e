import type { Kysely, Selectable } from "kysely";
import type {
  CredentialValidatorRecord,
  PasswordCredentialValidator,
} from "../domain/credential-validator.ts";
import type { CredentialValidatorRepository } from "../domain/ports.ts";
import { guarded } from "./guarded.ts";
import type { Database } from "./schema.ts";

const toRecord = (
  row: Selectable<Database["password_credential_validators"]>,
): CredentialValidatorRecord => ({
  id: row.id,
  name: row.name,
  document: JSON.parse(row.document) as PasswordCredentialValidator,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toRow = (record: CredentialValidatorRecord) => ({
  id: record.id,
  name: record.name,
  document: JSON.stringify(record.document),
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

export const createCredentialValidatorRepository = (db: Kysely<Database>): CredentialValidatorRepository => ({
  get: async (id) => {
    const row = await db
      .selectFrom("password_credential_validators")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toRecord(row);
  },
  getByName: async (name) => {
    const row = await db
      .selectFrom("password_credential_validators")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toRecord(row);
  },
  list: async () =>
    (
      await db
        .selectFrom("password_credential_validators")
        .selectAll()
        .orderBy("name")
        .orderBy("id")
        .execute()
    ).map(toRecord),
  create: (record) =>
    guarded(async () => {
      await db.insertInto("password_credential_validators").values(toRow(record)).execute();
    }),
  update: (record) =>
    guarded(async () => {
      const { id, created_at: _created, ...changes } = toRow(record);
      const result = await db
        .updateTable("password_credential_validators")
        .set(changes)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    }),
  delete: async (id) => {
    const result = await db
      .deleteFrom("password_credential_validators")
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
});
