import type { Kysely } from "kysely";
import type { ProvisioningTokenRepository } from "../domain/ports.ts";
import type { Database } from "./schema.ts";

export const createProvisioningTokenRepository = (db: Kysely<Database>): ProvisioningTokenRepository => ({
  get: async (connectionId) => {
    const row = await db
      .selectFrom("provisioning_tokens")
      .selectAll()
      .where("connection_id", "=", connectionId)
      .executeTakeFirst();
    return row && { connectionId: row.connection_id, sealed: row.sealed, updatedAt: row.updated_at };
  },
  put: async (record) => {
    await db
      .insertInto("provisioning_tokens")
      .values({ connection_id: record.connectionId, sealed: record.sealed, updated_at: record.updatedAt })
      .onConflict((oc) =>
        oc.column("connection_id").doUpdateSet({ sealed: record.sealed, updated_at: record.updatedAt }),
      )
      .execute();
  },
  delete: async (connectionId) => {
    const result = await db
      .deleteFrom("provisioning_tokens")
      .where("connection_id", "=", connectionId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
});
