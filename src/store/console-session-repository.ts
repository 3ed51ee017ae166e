import type { Kysely } from "kysely";
import type { ConsoleSessionRepository } from "../domain/console-sessions.ts";
import type { Database } from "./schema.ts";

export const createConsoleSessionRepository = (db: Kysely<Database>): ConsoleSessionRepository => ({
  get: async (id) => {
    const row = await db.selectFrom("console_sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        username: row.username,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
      }
    );
  },
  create: async (session) => {
    await db
      .insertInto("console_sessions")
      .values({
        id: session.id,
        username: session.username,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
      })
      .execute();
  },
  touch: async (id, lastSeenAt) => {
    const result = await db
      .updateTable("console_sessions")
      .set({ last_seen_at: lastSeenAt })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },
  delete: async (id) => {
    const result = await db.deleteFrom("console_sessions").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
  deleteForUser: async (username) => {
    const result = await db
      .deleteFrom("console_sessions")
      .where("username", "=", username)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
  deleteExpired: async (now, idleSince) => {
    const result = await db
      .deleteFrom("console_sessions")
      .where((eb) => eb.or([eb("expires_at", "<", now), eb("last_seen_at", "<", idleSince)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
});
