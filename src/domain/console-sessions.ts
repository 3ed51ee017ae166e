/**
 * A signed-in admin console session. The cookie carries a random token whose hash is `id`; the
 * role is read from the account on every request, so a demoted or deleted account loses its
 * rights at once.
 */
export type ConsoleSession = {
  readonly id: string;
  readonly username: string;
  /** Sent back by every form of the session (CSRF). */
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  /** The end of the session, however active: a sign-in lasts at most this long. */
  readonly expiresAt: string;
};

export type ConsoleSessionRepository = {
  get(id: string): Promise<ConsoleSession | undefined>;
  create(session: ConsoleSession): Promise<void>;
  /** Moves lastSeenAt; false when the session is gone. */
  touch(id: string, lastSeenAt: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Ends every session of an account (its password changed, or it was deleted). */
  deleteForUser(username: string): Promise<number>;
  /** Deletes sessions that ended before `now`, or were idle since before `idleSince`. */
  deleteExpired(now: string, idleSince: string): Promise<number>;
};

/**
 * A console wizard's work in progress (a new connection before Save), kept in the database so
 * that every node of a cluster can continue it. It belongs to one console session and is deleted
 * with it. `state` is the service's own JSON, opaque to the store; secrets in it are sealed.
 */
export type ConsoleDraftRecord = {
  readonly id: string;
  readonly sessionId: string;
  readonly state: string;
  readonly createdAt: string;
  readonly touchedAt: string;
};

export type ConsoleDraftRepository = {
  get(id: string): Promise<ConsoleDraftRecord | undefined>;
  /** The session's drafts, least recently touched first. */
  listForSession(sessionId: string): Promise<ConsoleDraftRecord[]>;
  create(record: ConsoleDraftRecord): Promise<void>;
  /** Replaces the state and touchedAt of the session's draft; false when it is gone. */
  update(record: ConsoleDraftRecord): Promise<boolean>;
  /** Moves touchedAt; false when the draft is gone. */
  touch(id: string, touchedAt: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Deletes drafts untouched since before `idleSince`; returns how many. */
  deleteExpired(idleSince: string): Promise<number>;
};
