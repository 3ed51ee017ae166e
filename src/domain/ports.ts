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

/** Failed sign-in counters keyed by account or address. */
export type ThrottleRecord = {
  readonly key: string;
  readonly failures: number;
  readonly windowStart: string;
  readonly lockedUntil: string | null;
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

export type SettingsRepository = {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
};

export type AuditLogRepository = {
  append(event: AuditEvent): Promise<void>;
  /** Newest first. */
  list(options: { limit: number; beforeId?: number | undefined }): Promise<StoredAuditEvent[]>;
};

export type ThrottleRepository = {
  get(key: string): Promise<ThrottleRecord | undefined>;
  put(record: ThrottleRecord): Promise<void>;
  clear(key: string): Promise<void>;
};

export type Repositories = {
  readonly adminAccounts: AdminAccountRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly connections: ConnectionRepository;
  readonly settings: SettingsRepository;
  readonly auditLog: AuditLogRepository;
  readonly throttle: ThrottleRepository;
};

/** The storage as a whole: repositories, transactions and lifecycle. */
export type Store = Repositories & {
  readonly dialect: "sqlite" | "postgres";
  /** Runs `work` in one transaction; everything it wrote is rolled back when it throws. */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
};
