import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { PoolStats, Store } from "../domain/ports.ts";
import { AppError } from "../lib/errors.ts";
import { type Dialect, migrationProvider } from "./migrations/index.ts";
import { createRepositories } from "./repositories.ts";
import type { Database } from "./schema.ts";

/**
 * The database holds password hashes and sealed keys: its folder is created 0700 and the file
 * 0600 before SQLite opens it, and SQLite gives its -wal and -shm files the database file's mode.
 */
const createPrivately = (file: string): void => {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, "wx", 0o600));
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EEXIST") throw error;
  }
};

const sqlitePool: PoolStats = { total: 1, idle: 1, waiting: 0 };

const openKysely = (
  databaseUrl: string,
): { db: Kysely<Database>; dialect: Dialect; poolStats: () => PoolStats } => {
  if (databaseUrl.startsWith("sqlite:")) {
    const file = databaseUrl.slice("sqlite:".length);
    if (file !== ":memory:") createPrivately(file);
    const sqlite = new SQLite(file);
    // WAL lets readers proceed during writes; a busy timeout rides out a concurrent writer.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("foreign_keys = ON");
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }),
      dialect: "sqlite",
      poolStats: () => sqlitePool,
    };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle connection that the server drops (a restart, a failover, an admin's terminate)
  // emits an error on the pool; unheard, that would end the process. The pool replaces the
  // connection, and the next query that fails reports itself.
  pool.on("error", () => {});
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    dialect: "postgres",
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
};

/** Opens the store named by a database URL (`sqlite:<file>` or `postgres://…`). */
export const openStore = (databaseUrl: string): Store => {
  const { db, dialect, poolStats } = openKysely(databaseUrl);
  return {
    dialect,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    poolStats,
    ...createRepositories(db, dialect),
    transaction: (work) => db.transaction().execute((trx) => work(createRepositories(trx, dialect))),
    migrate: async () => {
      const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
        throw new AppError("STORE_MIGRATION_FAILED", {
          message: `Migration ${failed} failed.`,
          cause: error,
        });
      }
      return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    },
    close: () => db.destroy(),
  };
};
