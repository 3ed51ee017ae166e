import type { Kysely, Selectable } from "kysely";
import type { ConsoleDraftRecord, ConsoleDraftRepository } from "../domain/console-sessions.ts";
import type { Database } from "./schema.ts";

const toRecord = (row: Selectable<Database["console_drafts"]>): ConsoleDraftRecord => ({
  id: row.id,
  sessionId: row.session_id,
  state: row.state,
  createdAt: row.created_at,
  touchedAt: row.touched_at,
});

export const createConsoleDraftRepository = (db: Kysely<Database>): ConsoleDraftRepository => ({
  get: async (id) => {
    const row = await db.selectFrom("console_drafts").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toRecord(row);
  },
  listForSession: async (sessionId) =>
    (
      await db
        .selectFrom("console_drafts")
        .selectAll()
        .where("session_id", "=", sessionId)
        .orderBy("touched_at")
        .orderBy("id")
        .execute()
    ).map(toRecord),
  create: async (record) => {
    await db
      .insertInto("console_drafts")
      .values({
        id: record.id,
        session_id: record.sessionId,
        state: record.state,
        created_at: record.createdAt,
        touched_at: record.touchedAt,
      })
      .execute();
  },
  update: async (record) => {
    const result = await db
      .updateTable("console_drafts")
      .set({ state: record.state, touched_at: record.touchedAt })
      .where("id", "=", record.id)
      .where("session_id", "=", record.sessionId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },
  touch: async (id, touchedAt) => {
    const result = await db
      .updateTable("console_drafts")
      .set({ touched_at: touchedAt })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },
  delete: async (id) => {
    const result = await db.deleteFrom("console_drafts").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
  deleteExpired: async (idleSince) => {
    const result = await db
      .deleteFrom("console_drafts")
      .where("touched_at", "<", idleSince)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
});
