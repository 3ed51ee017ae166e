import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { AppError } from "../lib/errors.ts";

/** Node's socket errors: the server is down, restarting, or out of reach. */
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL's SQLSTATEs for "not now": class 08 (connection exception), admin_shutdown and
 * crash_shutdown (`pg_ctl stop`), cannot_connect_now (starting up or shutting down) and
 * too_many_connections. PostgreSQL Appendix A.
 */
const unavailableSqlStates = new Set(["57P01", "57P02", "57P03", "53300"]);

/** What node-postgres says, without a code, of a connection that broke or never came. */
const brokenConnection = /^Connection terminated|timeout exceeded when trying to connect|is not queryable/;

/**
 * Whether an error says that the database cannot be reached now, and the same statement may
 * succeed later: the server is stopped or restarting, the network dropped, or SQLite's file
 * stayed locked past the busy timeout. Errors in the statement itself are not among them.
 */
export const isUnavailable = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (socketCodes.has(code) || unavailableSqlStates.has(code) || code.startsWith("08")) return true;
    if (code.startsWith("SQLITE_BUSY")) return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === "string" && brokenConnection.test(message);
};

/**
 * Hears whether the database answers: `down` with the first failure of an outage and `up` with
 * the first success after it, once each, so that an outage is logged once and not per request.
 */
export type AvailabilityListener = (event: { available: boolean; error?: unknown }) => void;

export type Availability = {
  /** Runs one database call: an outage error becomes STORE_UNAVAILABLE, others pass through. */
  guard<T>(work: () => Promise<T>): Promise<T>;
  /** A failure reported outside any call (an idle pooled connection that the server dropped). */
  lost(error: unknown): void;
  /**
   * A new connection was accepted: the server is back. (Old ones prove less: PostgreSQL ends its
   * sessions one by one as it stops, so for a moment some still answer between failures.)
   */
  connected(): void;
};

/**
 * How long after its last failure a call must have begun for its success to count as the
 * database being back, when no new connection has said so (SQLite, or a network that healed
 * under open connections): calls that overlap a stopping PostgreSQL may still succeed, and
 * would otherwise split one outage into several.
 */
const settleMs = 2000;

export const trackAvailability = (
  listener: AvailabilityListener = () => {},
  now: () => number = Date.now,
): Availability => {
  let available = true;
  let failedAt = 0;
  const lost = (error: unknown) => {
    failedAt = now();
    if (!available) return;
    available = false;
    listener({ available: false, error });
  };
  const back = () => {
    if (available) return;
    available = true;
    listener({ available: true });
  };
  return {
    lost,
    connected: back,
    guard: async (work) => {
      const startedAt = now();
      try {
        const result = await work();
        if (startedAt - failedAt >= settleMs) back();
        return result;
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        lost(error);
        throw new AppError("STORE_UNAVAILABLE", { cause: error });
      }
    },
  };
};

/** A connection whose statements report an outage as STORE_UNAVAILABLE. */
class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly availability: Availability,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.availability.guard(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

const innerOf = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof GuardedConnection ? connection.inner : connection;

/**
 * Kysely's driver with every database call — getting a connection, each statement, begin,
 * commit and rollback — passed through `availability.guard`: one place for all repositories.
 */
class GuardedDriver implements Driver {
  constructor(
    readonly inner: Driver,
    readonly availability: Availability,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.availability.guard(() => this.inner.acquireConnection());
    return new GuardedConnection(connection, this.availability);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.availability.guard(() => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.availability.guard(() => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.availability.guard(() => this.inner.rollbackTransaction(innerOf(connection)));
  }

  // Kysely's PostgreSQL and SQLite drivers both have savepoints; these pass them through.
  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.availability.guard(async () => this.inner.savepoint?.(innerOf(connection), name, compile));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.availability.guard(async () =>
      this.inner.rollbackToSavepoint?.(innerOf(connection), name, compile),
    );
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.availability.guard(async () =>
      this.inner.releaseSavepoint?.(innerOf(connection), name, compile),
    );
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `dialect` whose driver reports outages through `availability`. */
export const guardedDialect = (dialect: Dialect, availability: Availability): Dialect => ({
  createDriver: () => new GuardedDriver(dialect.createDriver(), availability),
  createQueryCompiler: () => dialect.createQueryCompiler(),
  createAdapter: () => dialect.createAdapter(),
  createIntrospector: (db) => dialect.createIntrospector(db),
});
