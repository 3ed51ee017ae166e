import type { Kysely, Selectable } from "kysely";
import type { ReplayCache, SessionParticipant, SsoSession, SsoSessionRepository } from "../domain/ports.ts";
import type { Database } from "./schema.ts";

const toSession = (row: Selectable<Database["sso_sessions"]>): SsoSession => ({
  id: row.id,
  uid: row.uid,
  authnInstant: row.authn_instant,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  expiresAt: row.expires_at,
  participants: JSON.parse(row.participants) as SessionParticipant[],
  ...(row.source === null ? {} : { source: row.source }),
});

export const createSsoSessionRepository = (db: Kysely<Database>): SsoSessionRepository => ({
  get: async (id) => {
    const row = await db.selectFrom("sso_sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toSession(row);
  },
  create: async (session) => {
    await db
      .insertInto("sso_sessions")
      .values({
        id: session.id,
        uid: session.uid,
        authn_instant: session.authnInstant,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
        participants: JSON.stringify(session.participants),
        source: session.source ?? null,
      })
      .execute();
  },
  update: async (session) => {
    const result = await db
      .updateTable("sso_sessions")
      .set({
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
        participants: JSON.stringify(session.participants),
      })
      .where("id", "=", session.id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },
  delete: async (id) => {
    const result = await db.deleteFrom("sso_sessions").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
  deleteExpired: async (now) => {
    const result = await db.deleteFrom("sso_sessions").where("expires_at", "<", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  },
});

export const createReplayCache = (db: Kysely<Database>): ReplayCache => ({
  remember: async (key, expiresAt, now) => {
    // Forget expired entries first, so a key can come back once its window has passed.
    await db.deleteFrom("replay_cache").where("expires_at", "<", now).execute();
    const result = await db
      .insertInto("replay_cache")
      .values({ key, expires_at: expiresAt })
      .onConflict((oc) => oc.column("key").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  },
});
