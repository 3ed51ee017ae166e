import type { ConsoleDraftRepository, ConsoleSessionRepository } from "./console-sessions.ts";
import type { CredentialValidatorRecord } from "./credential-validator.ts";
import type { DataStoreRecord } from "./data-store.ts";
import type { ProvisioningNodeRepository } from "./provisioning-nodes.ts";
import type { ProvisioningRepository } from "./provisioning-ports.ts";
import type { SpConnection } from "./sp-connection.ts";

/**
 * The ports: what services need from storage. `store/` implements them for SQLite and
 * PostgreSQL; the contract suite in `test/contract/` runs against both.
 */

/** An administrator who signs in to the admin API with HTTP Basic. */
export type AdminAccount = {
  readonly username: string;
  /** scrypt, encoded with its parameters. */
  readonly passwordHash: string;
  readonly role: "ADMIN" | "AUDITOR";
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** An API token; only its SHA-256 hash is stored. */
export type ApiToken = {
  readonly id: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
};

/** A signing key pair; the private key is sealed under the master key. */
export type SigningKeyRecord = {
  readonly id: string;
  readonly keyAlgorithm: "RSA" | "EC";
  readonly keySize: number;
  readonly privateKeySealed: string;
  readonly certificatePem: string;
  readonly subjectDn: string;
  readonly serialNumber: string;
  readonly sha1Thumbprint: string;
  readonly sha256Thumbprint: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly createdAt: string;
};

/** A stored connection: the document (secrets already sealed) plus indexed columns. */
export type ConnectionRecord = {
  readonly id: string;
  readonly entityId: string;
  readonly name: string;
  readonly active: boolean;
  readonly document: SpConnection;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** One admin change: who did what to which resource, when. Never a secret. */
export type AuditEvent = {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string | null;
  readonly outcome: "SUCCESS" | "FAILURE";
  readonly detail: Readonly<Record<string, unknown>> | null;
};

export type StoredAuditEvent = AuditEvent & { readonly id: number };

/**
 * Sign-in attempts counted against a key (an account, an address, a sign-in form). An attempt
 * is counted before its password is checked; a right one is taken back afterwards.
 */
export type ThrottleRecord = {
  readonly key: string;
  /** Attempts in the current window that were not proven right. */
  readonly failures: number;
  readonly windowStart: string;
  readonly lockedUntil: string | null;
};

/** How `countAttempt` moves a counter; timestamps are ISO strings, compared as text. */
export type AttemptRule = {
  readonly now: string;
  /** A window that started at or before this instant is over: counting starts again at 1. */
  readonly windowStartedBy: string;
  /** The attempt that takes the count past this many is refused, and the key locked. */
  readonly limit: number;
  /** Where a lock that this attempt starts ends. */
  readonly lockUntil: string;
};

export type AdminAccountRepository = {
  get(username: string): Promise<AdminAccount | undefined>;
  list(): Promise<AdminAccount[]>;
  create(account: AdminAccount): Promise<void>;
  updatePassword(username: string, passwordHash: string, updatedAt: string): Promise<boolean>;
  delete(username: string): Promise<boolean>;
};

export type ApiTokenRepository = {
  findByHash(tokenHash: string): Promise<ApiToken | undefined>;
  list(): Promise<ApiToken[]>;
  create(token: ApiToken): Promise<void>;
  delete(id: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
};

export type SigningKeyRepository = {
  get(id: string): Promise<SigningKeyRecord | undefined>;
  list(): Promise<SigningKeyRecord[]>;
  create(record: SigningKeyRecord): Promise<void>;
  /** Replaces the sealed private key (a master-key rotation); false when the key does not exist. */
  replaceSealedPrivateKey(id: string, sealed: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
};

export type ConnectionRepository = {
  get(id: string): Promise<ConnectionRecord | undefined>;
  getByEntityId(entityId: string): Promise<ConnectionRecord | undefined>;
  list(): Promise<ConnectionRecord[]>;
  create(record: ConnectionRecord): Promise<void>;
  /** Replaces the record; false when it does not exist. */
  update(record: ConnectionRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
};

export type DataStoreRepository = {
  get(id: string): Promise<DataStoreRecord | undefined>;
  getByName(name: string): Promise<DataStoreRecord | undefined>;
  /** By name, then id. */
  list(): Promise<DataStoreRecord[]>;
  create(record: DataStoreRecord): Promise<void>;
  /** Replaces the record; false when it does not exist. */
  update(record: DataStoreRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
};

export type CredentialValidatorRepository = {
  get(id: string): Promise<CredentialValidatorRecord | undefined>;
  getByName(name: string): Promise<CredentialValidatorRecord | undefined>;
  /** By name, then id. */
  list(): Promise<CredentialValidatorRecord[]>;
  create(record: CredentialValidatorRecord): Promise<void>;
  /** Replaces the record; false when it does not exist. */
  update(record: CredentialValidatorRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
};

export type SettingsRepository = {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /**
   * Stores `value` unless the key already has one, and returns the value that stands: the first
   * writer wins, so nodes starting together agree on a generated setting.
   */
  setIfAbsent(key: string, value: string): Promise<string>;
};

/** Which audit events to list: each field that is set must match; `from`/`to` bound `at` (ISO, to exclusive). */
export type AuditLogFilter = {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly resourceType?: string | undefined;
  readonly resourceId?: string | undefined;
  readonly outcome?: "SUCCESS" | "FAILURE" | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
};

export type AuditLogRepository = {
  append(event: AuditEvent): Promise<void>;
  /** Newest first; `beforeId` or `offset` for the next page. */
  list(options: {
    limit: number;
    beforeId?: number | undefined;
    offset?: number | undefined;
    filter?: AuditLogFilter | undefined;
  }): Promise<StoredAuditEvent[]>;
  /** How many events match the filter (for a pager). */
  count(filter?: AuditLogFilter): Promise<number>;
};

export type ThrottleRepository = {
  get(key: string): Promise<ThrottleRecord | undefined>;
  /**
   * Counts one attempt in a single atomic statement, so that parallel attempts, on one node or
   * many, each see the count the others left. Returns the record after the attempt:
   * `lockedUntil` later than `now` means the attempt is refused, and `failures` of exactly
   * limit + 1 means this attempt started the lock.
   */
  countAttempt(key: string, rule: AttemptRule): Promise<ThrottleRecord>;
  /** Takes back one counted attempt (its password was right). */
  release(key: string): Promise<void>;
  clear(key: string): Promise<void>;
  /** Forgets counters whose window ended and whose lock (if any) is over; returns how many. */
  deleteStale(windowStartedBy: string, now: string): Promise<number>;
};

/**
 * A user of the built-in directory. Attributes are LDAP-style and multi-valued
 * (`mail`, `givenName`, `sn`, `cn`, `displayName`, `title`, `department`, `telephoneNumber`,
 * `employeeNumber`, `preferredLanguage`, or any custom name); `uid` is the sign-in name.
 */
export type DirectoryUser = {
  readonly uid: string;
  readonly enabled: boolean;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** scrypt, encoded with its parameters; null when the user cannot sign in with a password. */
  readonly passwordHash: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
};

export type DirectoryGroup = {
  readonly cn: string;
  readonly description: string | null;
  /** Member uids. */
  readonly members: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** One entry of the directory's change log, which provisioning reads after a watermark. */
export type DirectoryChange = {
  readonly seq: number;
  readonly at: string;
  readonly entity: "user" | "group";
  readonly id: string;
  readonly operation: "create" | "update" | "delete";
};

export type DirectoryRepository = {
  getUser(uid: string): Promise<DirectoryUser | undefined>;
  /** Users ordered by uid, after `afterUid` when paging. */
  listUsers(options: { limit: number; afterUid?: string | undefined }): Promise<DirectoryUser[]>;
  /** Exact, case-insensitive match on one attribute's values (e.g. mail). */
  findUsersByAttribute(name: string, value: string): Promise<DirectoryUser[]>;
  createUser(user: DirectoryUser): Promise<void>;
  /** Replaces the user; false when it does not exist. */
  updateUser(user: DirectoryUser): Promise<boolean>;
  deleteUser(uid: string): Promise<boolean>;
  getGroup(cn: string): Promise<DirectoryGroup | undefined>;
  listGroups(): Promise<DirectoryGroup[]>;
  /** Groups the user is a member of, by cn. */
  groupsOf(uid: string): Promise<string[]>;
  createGroup(group: DirectoryGroup): Promise<void>;
  updateGroup(group: DirectoryGroup): Promise<boolean>;
  deleteGroup(cn: string): Promise<boolean>;
  appendChange(change: Omit<DirectoryChange, "seq">): Promise<void>;
  /** Changes with seq > afterSeq, oldest first. */
  listChanges(options: { afterSeq: number; limit: number }): Promise<DirectoryChange[]>;
  /** The newest change's seq (0 for none): cheap enough to poll every second. */
  lastChangeSeq(): Promise<number>;
};

/** Where an SP took part in an SSO session: what single logout needs to reach it. */
export type SessionParticipant = {
  readonly connectionId: string;
  readonly nameId: string;
  readonly nameIdFormat: string;
  readonly sessionIndex: string;
};

/** An SSO session at the IdP; the cookie carries a random token whose hash is `id`. */
export type SsoSession = {
  readonly id: string;
  readonly uid: string;
  readonly authnInstant: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
  readonly participants: readonly SessionParticipant[];
  /** The credential validator that signed the user in; absent: the built-in directory. */
  readonly source?: string;
};

export type SsoSessionRepository = {
  get(id: string): Promise<SsoSession | undefined>;
  create(session: SsoSession): Promise<void>;
  /** Moves lastSeenAt and replaces participants; false when gone. */
  update(session: SsoSession): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Deletes sessions that expired before `now`; returns how many. */
  deleteExpired(now: string): Promise<number>;
};

/** Request IDs already seen, kept in the database so every node refuses a replay. */
export type ReplayCache = {
  /** Records the key; false when it was already there and has not expired. */
  remember(key: string, expiresAt: string, now: string): Promise<boolean>;
};

/** Someone an authentication source vouched for, with the attributes assertions are built from. */
export type AuthenticatedSubject = {
  readonly uid: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** The password credential validator that vouched for the subject; absent: the built-in directory. */
  readonly source?: string;
  /** Attributes found by the connection's attribute sources for this request, by source id. */
  readonly sourced?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
};

/**
 * Where sign-in checks passwords: the sign-in form's credential validators in order (the built-in
 * directory, LDAP binds). The protocol code only sees this port.
 */
export type AuthenticationSource = {
  /** The subject when the password is right and the account enabled; undefined otherwise. */
  authenticate(username: string, password: string): Promise<AuthenticatedSubject | undefined>;
  /** Current attributes of a signed-in subject (from `source`, its validator); undefined when gone or disabled. */
  lookup(uid: string, source?: string): Promise<AuthenticatedSubject | undefined>;
};

/**
 * A connection's live Salesforce tokens (access token, rotated refresh token, instance URL), as
 * one value sealed under the master key; deleted with the connection.
 */
export type ProvisioningTokenRecord = {
  readonly connectionId: string;
  readonly sealed: string;
  readonly updatedAt: string;
};

export type ProvisioningTokenRepository = {
  get(connectionId: string): Promise<ProvisioningTokenRecord | undefined>;
  /** Inserts or replaces the connection's tokens. */
  put(record: ProvisioningTokenRecord): Promise<void>;
  delete(connectionId: string): Promise<boolean>;
};

export type Repositories = {
  readonly adminAccounts: AdminAccountRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly connections: ConnectionRepository;
  readonly dataStores: DataStoreRepository;
  readonly credentialValidators: CredentialValidatorRepository;
  readonly settings: SettingsRepository;
  readonly auditLog: AuditLogRepository;
  readonly throttle: ThrottleRepository;
  readonly directory: DirectoryRepository;
  readonly ssoSessions: SsoSessionRepository;
  readonly consoleSessions: ConsoleSessionRepository;
  readonly consoleDrafts: ConsoleDraftRepository;
  readonly replayCache: ReplayCache;
  readonly provisioning: ProvisioningRepository;
  readonly provisioningNodes: ProvisioningNodeRepository;
  readonly provisioningTokens: ProvisioningTokenRepository;
};

/**
 * Connections to the database, as a monitoring system sees them. SQLite is one in-process
 * connection that never makes a query wait (better-sqlite3 is synchronous): always 1, 1, 0.
 */
export type PoolStats = { readonly total: number; readonly idle: number; readonly waiting: number };

/** The storage as a whole: repositories, transactions and lifecycle. */
export type Store = Repositories & {
  readonly dialect: "sqlite" | "postgres";
  /** One round trip to the database (`select 1`): what a readiness check needs. */
  ping(): Promise<void>;
  poolStats(): PoolStats;
  /** Runs `work` in one transaction; everything it wrote is rolled back when it throws. */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
};
