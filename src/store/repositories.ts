import type { Kysely, Selectable } from "kysely";
import type {
  AdminAccount,
  ApiToken,
  ConnectionRecord,
  Repositories,
  SigningKeyRecord,
} from "../domain/ports.ts";
import type { SpConnection } from "../domain/sp-connection.ts";
import { createAuditLogRepository } from "./audit-log-repository.ts";
import { createConsoleDraftRepository } from "./console-draft-repository.ts";
import { createConsoleSessionRepository } from "./console-session-repository.ts";
import { createCredentialValidatorRepository } from "./credential-validator-repository.ts";
import { createDataStoreRepository } from "./data-store-repository.ts";
import { createDirectoryRepository } from "./directory-repository.ts";
import { guarded } from "./guarded.ts";
import { createProvisioningNodeRepository } from "./provisioning-node-repository.ts";
import { createProvisioningRepository } from "./provisioning-repository.ts";
import { createProvisioningTokenRepository } from "./provisioning-token-repository.ts";
import type { Database } from "./schema.ts";
import { createReplayCache, createSsoSessionRepository } from "./sso-repositories.ts";
import { createThrottleRepository } from "./throttle-repository.ts";

const toAdmin = (row: Selectable<Database["admin_accounts"]>): AdminAccount => ({
  username: row.username,
  passwordHash: row.password_hash,
  role: row.role === "AUDITOR" ? "AUDITOR" : "ADMIN",
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toToken = (row: Selectable<Database["api_tokens"]>): ApiToken => ({
  id: row.id,
  name: row.name,
  tokenHash: row.token_hash,
  createdBy: row.created_by,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
});

const toKey = (row: Selectable<Database["signing_keys"]>): SigningKeyRecord => ({
  id: row.id,
  keyAlgorithm: row.key_algorithm === "EC" ? "EC" : "RSA",
  keySize: Number(row.key_size),
  privateKeySealed: row.private_key_sealed,
  certificatePem: row.certificate_pem,
  subjectDn: row.subject_dn,
  serialNumber: row.serial_number,
  sha1Thumbprint: row.sha1_thumbprint,
  sha256Thumbprint: row.sha256_thumbprint,
  notBefore: row.not_before,
  notAfter: row.not_after,
  createdAt: row.created_at,
});

const toConnection = (row: Selectable<Database["sp_connections"]>): ConnectionRecord => ({
  id: row.id,
  entityId: row.entity_id,
  name: row.name,
  active: Number(row.active) === 1,
  document: JSON.parse(row.document) as SpConnection,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const connectionRow = (record: ConnectionRecord) => ({
  id: record.id,
  entity_id: record.entityId,
  name: record.name,
  active: record.active ? 1 : 0,
  document: JSON.stringify(record.document),
  created_at: record.createdAt,
  updated_at: record.updatedAt,
});

/** Repositories over a Kysely handle: the database itself, or a transaction. */
export const createRepositories = (db: Kysely<Database>, dialect: "sqlite" | "postgres"): Repositories => ({
  adminAccounts: {
    get: async (username) => {
      const row = await db
        .selectFrom("admin_accounts")
        .selectAll()
        .where("username", "=", username)
        .executeTakeFirst();
      return row && toAdmin(row);
    },
    list: async () =>
      (await db.selectFrom("admin_accounts").selectAll().orderBy("username").execute()).map(toAdmin),
    create: (account) =>
      guarded(async () => {
        await db
          .insertInto("admin_accounts")
          .values({
            username: account.username,
            password_hash: account.passwordHash,
            role: account.role,
            created_at: account.createdAt,
            updated_at: account.updatedAt,
          })
          .execute();
      }),
    updatePassword: async (username, passwordHash, updatedAt) => {
      const result = await db
        .updateTable("admin_accounts")
        .set({ password_hash: passwordHash, updated_at: updatedAt })
        .where("username", "=", username)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    delete: async (username) => {
      const result = await db
        .deleteFrom("admin_accounts")
        .where("username", "=", username)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  },

  apiTokens: {
    findByHash: async (tokenHash) => {
      const row = await db
        .selectFrom("api_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
      return row && toToken(row);
    },
    list: async () =>
      (await db.selectFrom("api_tokens").selectAll().orderBy("created_at").execute()).map(toToken),
    create: (token) =>
      guarded(async () => {
        await db
          .insertInto("api_tokens")
          .values({
            id: token.id,
            name: token.name,
            token_hash: token.tokenHash,
            created_by: token.createdBy,
            created_at: token.createdAt,
            last_used_at: token.lastUsedAt,
            expires_at: token.expiresAt,
          })
          .execute();
      }),
    delete: async (id) => {
      const result = await db.deleteFrom("api_tokens").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    touch: async (id, at) => {
      await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
    },
  },

  signingKeys: {
    get: async (id) => {
      const row = await db.selectFrom("signing_keys").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toKey(row);
    },
    list: async () =>
      (await db.selectFrom("signing_keys").selectAll().orderBy("created_at").orderBy("id").execute()).map(
        toKey,
      ),
    create: (record) =>
      guarded(async () => {
        await db
          .insertInto("signing_keys")
          .values({
            id: record.id,
            key_algorithm: record.keyAlgorithm,
            key_size: record.keySize,
            private_key_sealed: record.privateKeySealed,
            certificate_pem: record.certificatePem,
            subject_dn: record.subjectDn,
            serial_number: record.serialNumber,
            sha1_thumbprint: record.sha1Thumbprint,
            sha256_thumbprint: record.sha256Thumbprint,
            not_before: record.notBefore,
            not_after: record.notAfter,
            created_at: record.createdAt,
          })
          .execute();
      }),
    replaceSealedPrivateKey: async (id, sealed) => {
      const result = await db
        .updateTable("signing_keys")
        .set({ private_key_sealed: sealed })
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    delete: async (id) => {
      const result = await db.deleteFrom("signing_keys").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  },

  connections: {
    get: async (id) => {
      const row = await db.selectFrom("sp_connections").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toConnection(row);
    },
    getByEntityId: async (entityId) => {
      const row = await db
        .selectFrom("sp_connections")
        .selectAll()
        .where("entity_id", "=", entityId)
        .executeTakeFirst();
      return row && toConnection(row);
    },
    list: async () =>
      (await db.selectFrom("sp_connections").selectAll().orderBy("name").orderBy("id").execute()).map(
        toConnection,
      ),
    create: (record) =>
      guarded(async () => {
        await db.insertInto("sp_connections").values(connectionRow(record)).execute();
      }),
    update: (record) =>
      guarded(async () => {
        const { id, created_at: _created, ...changes } = connectionRow(record);
        const result = await db
          .updateTable("sp_connections")
          .set(changes)
          .where("id", "=", id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      }),
    delete: async (id) => {
      const result = await db.deleteFrom("sp_connections").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  },

  dataStores: createDataStoreRepository(db),
  credentialValidators: createCredentialValidatorRepository(db),

  settings: {
    get: async (key) =>
      (await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst())?.value,
    set: async (key, value) => {
      await db
        .insertInto("settings")
        .values({ key, value })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
        .execute();
    },
    setIfAbsent: async (key, value) => {
      await db
        .insertInto("settings")
        .values({ key, value })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const stored = await db
        .selectFrom("settings")
        .select("value")
        .where("key", "=", key)
        .executeTakeFirst();
      return stored?.value ?? value;
    },
  },

  auditLog: createAuditLogRepository(db),

  throttle: createThrottleRepository(db),
  directory: createDirectoryRepository(db, dialect),
  ssoSessions: createSsoSessionRepository(db),
  consoleSessions: createConsoleSessionRepository(db),
  consoleDrafts: createConsoleDraftRepository(db),
  replayCache: createReplayCache(db),
  provisioning: createProvisioningRepository(db),
  provisioningNodes: createProvisioningNodeRepository(db, dialect),
  provisioningTokens: createProvisioningTokenRepository(db),
});
