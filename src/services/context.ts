import type { SecretBox } from "../crypto/secret-box.ts";
import type { Store } from "../domain/ports.ts";
import type { Clock } from "../lib/clock.ts";
import type { IdGenerator } from "../lib/ids.ts";

/**
 * Where services report what an operator must see at once (a lockout). pino's Logger fits; the
 * fields must never hold a secret.
 */
export type ServiceLog = {
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
};

export const silentLog: ServiceLog = { warn: () => {} };

/** What every service needs; built once by compose.ts. */
export type ServiceContext = {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly secretBox: SecretBox;
  readonly log: ServiceLog;
  /** Public URL of the runtime, without a trailing slash. */
  readonly baseUrl: string;
  /** The IdP's own entity ID. */
  readonly entityId: string;
  /** PORTICO_NODE_INDEX: which node provisions (STANDALONE) and the takeover order (FAILOVER). */
  readonly nodeIndex?: number | undefined;
  readonly sso: {
    readonly sessionLifetimeMinutes: number;
    readonly sessionIdleMinutes: number;
    readonly clockSkewSeconds: number;
  };
};

/** Who is making an admin change; recorded in the audit log. */
export type Actor = { readonly name: string; readonly kind: "admin" | "token" | "system" };

export const systemActor: Actor = { name: "system", kind: "system" };

export const actorLabel = (actor: Actor): string =>
  actor.kind === "token" ? `token:${actor.name}` : actor.name;
