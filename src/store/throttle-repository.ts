import { type Kysely, type Selectable, sql } from "kysely";
import type { ThrottleRecord, ThrottleRepository } from "../domain/ports.ts";
import type { Database } from "./schema.ts";

const toRecord = (row: Selectable<Database["auth_throttle"]>): ThrottleRecord => ({
  key: row.key,
  failures: Number(row.failures),
  windowStart: row.window_start,
  lockedUntil: row.locked_until,
});

/**
 * Sign-in counters. `countAttempt` is one INSERT … ON CONFLICT DO UPDATE … RETURNING: SQLite
 * takes the write lock and PostgreSQL the row lock for the whole statement, so two attempts
 * that arrive together, in one process or in two nodes, can never both read the same count.
 * Every SET expression reads the row as it was before the statement (both dialects agree).
 * Attempts refused by a lock are counted too, so exactly one attempt, the one that started the
 * lock, sees the count at limit + 1.
 */
export const createThrottleRepository = (db: Kysely<Database>): ThrottleRepository => ({
  get: async (key) => {
    const row = await db.selectFrom("auth_throttle").selectAll().where("key", "=", key).executeTakeFirst();
    return row && toRecord(row);
  },

  countAttempt: async (key, rule) => {
    const locked = sql<boolean>`auth_throttle.locked_until IS NOT NULL AND auth_throttle.locked_until > ${rule.now}`;
    // A window that is over, or a lock that has ended, starts the count again.
    const restart = sql<boolean>`auth_throttle.window_start <= ${rule.windowStartedBy} OR auth_throttle.locked_until IS NOT NULL`;
    const row = await db
      .insertInto("auth_throttle")
      .values({
        key,
        failures: 1,
        window_start: rule.now,
        locked_until: null,
      })
      .onConflict((conflict) =>
        conflict.column("key").doUpdateSet({
          failures: sql<number>`CASE WHEN ${locked} THEN auth_throttle.failures + 1 WHEN ${restart} THEN 1 ELSE auth_throttle.failures + 1 END`,
          window_start: sql<string>`CASE WHEN ${locked} THEN auth_throttle.window_start WHEN ${restart} THEN ${rule.now} ELSE auth_throttle.window_start END`,
          locked_until: sql<
            string | null
          >`CASE WHEN ${locked} THEN auth_throttle.locked_until WHEN ${restart} THEN NULL WHEN auth_throttle.failures + 1 > ${rule.limit} THEN ${rule.lockUntil} ELSE NULL END`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  },

  release: async (key) => {
    await db
      .updateTable("auth_throttle")
      .set({ failures: sql<number>`failures - 1` })
      .where("key", "=", key)
      .where("failures", ">", 0)
      .where("locked_until", "is", null)
      .execute();
  },

  clear: async (key) => {
    await db.deleteFrom("auth_throttle").where("key", "=", key).execute();
  },

  deleteStale: async (windowStartedBy, now) => {
    const result = await db
      .deleteFrom("auth_throttle")
      .where("window_start", "<=", windowStartedBy)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  },
});
