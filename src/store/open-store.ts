import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type Dialect as KyselyDialect, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { PoolStats, Store } from "../domain/ports.ts";
import { AppError } from "../lib/errors.ts";
import { type Dialect, migrationProvider } from "./migrations/index.ts";
import { createRepositories } from "./repositories.ts";
import type { Database } from "./schema.ts";
import {
  type Availability,
  type AvailabilityListener,
  guardedDialect,
  trackAvailability,
} from "./unavailable.ts";

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

/**
 * PostgreSQL through a pool that survives the server going away: a connect that gets no answer
 * gives up after a few seconds (a request answers 503 instead of hanging), and a connection the
 * server drops (a restart, a failover, an admin's terminate) is reported instead of ending the
 * process. node-postgres emits 'error' on the pool for an idle connection and on the client for
 * one in use; either, unheard, would be an uncaught exception.
 */
const postgresDialect = (
  databaseUrl: string,
  availability: Availability,
): { dialect: KyselyDialect; poolStats: () => PoolStats } => {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  pool.on("error", availability.lost);
  pool.on("connect", (client) => {
    client.on("error", availability.lost);
    availability.connected();
  });
  return {
    dialect: new PostgresDialect({ pool }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
};

const openKysely = (
  databaseUrl: string,
  availability: Availability,
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
      db: new Kysely<Database>({
        dialect: guardedDialect(new SqliteDialect({ database: sqlite }), availability),
      }),
      dialect: "sqlite",
      poolStats: () => sqlitePool,
    };
  }
  const postgres = postgresDialect(databaseUrl, availability);
  return {
    db: new Kysely<Database>({ dialect: guardedDialect(postgres.dialect, availability) }),
    dialect: "postgres",
    poolStats: postgres.poolStats,
  };
};

/**
 * Nodes that start together on one PostgreSQL database migrate one after the other: the first
 * applies what is pending, under a session-level advisory lock held on a connection of its own,
 * and the others, once they hold the lock, find nothing left to do. The lock covers Kysely's own
 * bookkeeping tables too, which it would otherwise create concurrently.
 */
const underMigrationLock = <T>(
  db: Kysely<Database>,
  dialect: Dialect,
  work: () => Promise<T>,
): Promise<T> => {
  if (dialect !== "postgres") return work();
  return db.connection().execute(async (connection) => {
    const key = sql`hashtextextended('portico:migrations', 0)`;
    await sql`select pg_advisory_lock(${key})`.execute(connection);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(connection);
    }
  });
};

/**
 * Opens the store named by a database URL (`sqlite:<file>` or `postgres://…`). While the database
 * cannot be reached every call fails with STORE_UNAVAILABLE, and the store recovers by itself
 * when it returns; `onAvailability` hears the start and the end of each outage.
 */
export const openStore = (
  databaseUrl: string,
  options: { onAvailability?: AvailabilityListener | undefined } = {},
): Store => {
  const { db, dialect, poolStats } = openKysely(databaseUrl, trackAvailability(options.onAvailability));
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
      const { error, results } = await underMigrationLock(db, dialect, () => migrator.migrateToLatest());
      if (error) {
        if (error instanceof AppError && error.code === "STORE_UNAVAILABLE") throw error;
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
