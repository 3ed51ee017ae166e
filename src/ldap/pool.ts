import { ResultCodeError } from "ldapts";
import { AppError } from "../lib/errors.ts";
import { type LdapConnection, openAnyConnection } from "./connect.ts";
import { type LdapEntry, type SearchRequest, searchAll, searchPages } from "./search.ts";
import type { LdapConnectionSettings } from "./settings.ts";

/**
 * A pool of bound connections to one data store, PingFederate's settings read as Commons Pool
 * reads them: at most `max` open, a borrower waits up to `maxWait` (or, with createIfNecessary,
 * gets a temporary connection), idle connections beyond `min` close after the idle timeout.
 * New connections go through the hosts in order (failover). A connection that failed is
 * dropped, never handed out again.
 */

type Pooled = { readonly connection: LdapConnection; idleSince: number; readonly temporary: boolean };
/** A borrower waiting for a slot: handed a connection, the error opening one failed with, or nothing (timed out). */
type Waiter = { resolve(outcome: Pooled | Error | undefined): void; timer: NodeJS.Timeout | undefined };

/** A transport failure (as opposed to an LDAP result the server sent): the connection is dead. */
const isConnectionFailure = (error: unknown) =>
  !(error instanceof ResultCodeError) &&
  !(error instanceof AppError && ["LDAP_SEARCH", "LDAP_BIND", "DATASTORE_INVALID"].includes(error.code));

export class LdapPool {
  readonly #settings: LdapConnectionSettings;
  readonly #now: () => number;
  readonly #idle: Pooled[] = [];
  readonly #waiters: Waiter[] = [];
  #open = 0;
  #closed = false;
  readonly #evictor: NodeJS.Timeout | undefined;

  constructor(settings: LdapConnectionSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
    const idle = settings.pool.idleTimeoutMs;
    if (idle !== undefined) {
      this.#evictor = setInterval(() => this.#evict(), Math.max(1000, Math.min(idle, 30_000)));
      this.#evictor.unref();
    }
  }

  /** Connections open now, borrowed or idle (temporary ones not counted). */
  get size(): number {
    return this.#open;
  }

  /** Runs `work` on a borrowed connection; with retryFailedOperations, once more on a new one after a transport failure. */
  async withConnection<T>(work: (connection: LdapConnection) => Promise<T>): Promise<T> {
    const attempts = this.#settings.retryFailedOperations ? 2 : 1;
    for (let attempt = 1; ; attempt++) {
      const pooled = await this.#borrow();
      try {
        const result = await work(pooled.connection);
        this.#return(pooled, false);
        return result;
      } catch (error) {
        const broken = isConnectionFailure(error) || !pooled.connection.client.isConnected;
        this.#return(pooled, broken);
        if (!broken || attempt >= attempts) throw error;
      }
    }
  }

  search(request: SearchRequest): Promise<LdapEntry[]> {
    return this.withConnection(({ client }) => searchAll(client, request, this.#settings.binaryAttributes));
  }

  /** Pages of a search, one connection held for the whole search (paging cookies belong to it). */
  async *searchPages(request: SearchRequest): AsyncGenerator<LdapEntry[]> {
    const pooled = await this.#borrow();
    let broken = false;
    try {
      yield* searchPages(pooled.connection.client, request, this.#settings.binaryAttributes);
    } catch (error) {
      broken = isConnectionFailure(error) || !pooled.connection.client.isConnected;
      throw error;
    } finally {
      this.#return(pooled, broken);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#evictor) clearInterval(this.#evictor);
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
    await Promise.all(this.#idle.splice(0).map((p) => this.#destroy(p)));
  }

  async #borrow(): Promise<Pooled> {
    if (this.#closed)
      throw new AppError("LDAP_TCP", {
        expose: true,
        message: "The data store's connection pool is closed.",
      });
    while (this.#idle.length > 0) {
      // Most recently used first: it is the likeliest to be alive, and the others may age out.
      const pooled = this.#idle.pop();
      if (pooled === undefined) break;
      if (pooled.connection.client.isConnected && (await this.#healthy(pooled))) {
        pooled.connection.setIdle(false);
        return pooled;
      }
      await this.#destroy(pooled);
    }
    const { max, maxWaitMs, createIfNecessary } = this.#settings.pool;
    if (this.#open < max) return this.#create(false);
    if (createIfNecessary) return this.#create(true);
    if (maxWaitMs < 0) throw this.#exhausted();
    const handed = await new Promise<Pooled | Error | undefined>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        resolve(undefined);
      }, maxWaitMs);
      this.#waiters.push(waiter);
    });
    if (handed === undefined) throw this.#exhausted();
    if (handed instanceof Error) throw handed;
    return handed;
  }

  async #create(temporary: boolean): Promise<Pooled> {
    if (!temporary) this.#open++;
    try {
      const connection = await openAnyConnection(this.#settings);
      return { connection, idleSince: this.#now(), temporary };
    } catch (error) {
      if (!temporary) this.#release();
      throw error;
    }
  }

  async #healthy(pooled: Pooled): Promise<boolean> {
    if (!this.#settings.pool.testOnBorrow) return true;
    try {
      await pooled.connection.client.search("", { scope: "base", attributes: ["1.1"] });
      return true;
    } catch {
      return false;
    }
  }

  #return(pooled: Pooled, broken: boolean): void {
    if (broken || pooled.temporary || this.#closed || !pooled.connection.client.isConnected) {
      void this.#destroy(pooled);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(pooled);
      return;
    }
    pooled.idleSince = this.#now();
    pooled.connection.setIdle(true);
    this.#idle.push(pooled);
  }

  async #destroy(pooled: Pooled): Promise<void> {
    if (!pooled.temporary) this.#release();
    try {
      await pooled.connection.client.unbind();
    } catch {
      // Already gone.
    }
  }

  /** A slot came free: a waiter gets a new connection in it. */
  #release(): void {
    this.#open--;
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.#create(false).then(waiter.resolve, (error: unknown) =>
      waiter.resolve(error instanceof Error ? error : new Error(String(error))),
    );
  }

  #exhausted(): AppError {
    return new AppError("LDAP_TIMEOUT", {
      expose: true,
      message: `All ${this.#settings.pool.max} pooled LDAP connections are busy.`,
    });
  }

  #evict(): void {
    const limit = this.#settings.pool.idleTimeoutMs;
    if (limit === undefined) return;
    const now = this.#now();
    // Oldest first, keeping at least `min` idle.
    while (this.#idle.length > this.#settings.pool.min) {
      const oldest = this.#idle[0];
      if (oldest === undefined || now - oldest.idleSince < limit) break;
      this.#idle.shift();
      void this.#destroy(oldest);
    }
  }
}
