import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConnectionRecord, Store } from "../../src/domain/ports.ts";
import { AppError } from "../../src/lib/errors.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, type TestDatabase } from "../support/databases.ts";

const connection = (id: string, entityId: string): ConnectionRecord => ({
  id,
  entityId,
  name: `Connection ${id}`,
  active: false,
  document: { id, entityId, name: `Connection ${id}` },
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

for (const dialect of dialects) {
  describe(`store contract (${dialect.name})`, () => {
    let database: TestDatabase;
    let store: Store;

    before(async () => {
      database = await dialect.create();
      store = openStore(database.url);
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it("applies the numbered migrations once", async () => {
      assert.deepEqual(await store.migrate(), ["001-initial"]);
      assert.deepEqual(await store.migrate(), []);
      assert.equal(store.dialect, dialect.name);
    });

    it("stores and finds admin accounts, refusing a duplicate username", async () => {
      const account = {
        username: "alice",
        passwordHash: "scrypt$x",
        role: "ADMIN" as const,
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
      };
      await store.adminAccounts.create(account);
      assert.deepEqual(await store.adminAccounts.get("alice"), account);
      await assert.rejects(
        store.adminAccounts.create(account),
        (e: unknown) => e instanceof AppError && e.code === "STORE_CONFLICT",
      );
      assert.equal(
        await store.adminAccounts.updatePassword("alice", "scrypt$y", "2026-01-02T00:00:00.000Z"),
        true,
      );
      assert.equal((await store.adminAccounts.get("alice"))?.passwordHash, "scrypt$y");
      assert.equal(await store.adminAccounts.updatePassword("nobody", "h", "t"), false);
      assert.equal(await store.adminAccounts.delete("alice"), true);
      assert.equal(await store.adminAccounts.get("alice"), undefined);
    });

    it("finds API tokens only by their hash", async () => {
      const token = {
        id: "tok1",
        name: "ci",
        tokenHash: "ab".repeat(32),
        createdBy: "admin",
        createdAt: "2026-01-01T00:00:00.000Z",
        lastUsedAt: null,
        expiresAt: null,
      };
      await store.apiTokens.create(token);
      assert.deepEqual(await store.apiTokens.findByHash(token.tokenHash), token);
      assert.equal(await store.apiTokens.findByHash("cd".repeat(32)), undefined);
      await store.apiTokens.touch("tok1", "2026-01-03T00:00:00.000Z");
      assert.equal(
        (await store.apiTokens.findByHash(token.tokenHash))?.lastUsedAt,
        "2026-01-03T00:00:00.000Z",
      );
      assert.equal((await store.apiTokens.list()).length, 1);
      assert.equal(await store.apiTokens.delete("tok1"), true);
      assert.equal(await store.apiTokens.delete("tok1"), false);
    });

    it("keeps signing keys with their sealed private key", async () => {
      const key = {
        id: "k1",
        keyAlgorithm: "RSA" as const,
        keySize: 2048,
        privateKeySealed: "v1.sealed",
        certificatePem: "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
        subjectDn: "CN=test",
        serialNumber: "01",
        sha1Thumbprint: "AA",
        sha256Thumbprint: "BB",
        notBefore: "2026-01-01T00:00:00.000Z",
        notAfter: "2027-01-01T00:00:00.000Z",
        createdAt: "2026-01-01T00:00:00.000Z",
      };
      await store.signingKeys.create(key);
      assert.deepEqual(await store.signingKeys.get("k1"), key);
      assert.deepEqual(
        (await store.signingKeys.list()).map((k) => k.id),
        ["k1"],
      );
      assert.equal(await store.signingKeys.delete("k1"), true);
      assert.equal(await store.signingKeys.get("k1"), undefined);
    });

    it("stores connection documents with a unique entity ID", async () => {
      await store.connections.create(connection("c1", "https://a.example"));
      assert.deepEqual(await store.connections.get("c1"), connection("c1", "https://a.example"));
      assert.equal((await store.connections.getByEntityId("https://a.example"))?.id, "c1");
      await assert.rejects(
        store.connections.create(connection("c2", "https://a.example")),
        (e: unknown) => e instanceof AppError && e.code === "STORE_CONFLICT",
      );
      const changed = {
        ...connection("c1", "https://b.example"),
        active: true,
        updatedAt: "2026-02-01T00:00:00.000Z",
      };
      assert.equal(await store.connections.update(changed), true);
      const stored = await store.connections.get("c1");
      assert.equal(stored?.active, true);
      assert.equal(stored?.entityId, "https://b.example");
      assert.equal(stored?.createdAt, "2026-01-01T00:00:00.000Z", "creation date is kept");
      assert.equal(await store.connections.update(connection("nope", "x")), false);
      assert.equal(await store.connections.delete("c1"), true);
      assert.deepEqual(await store.connections.list(), []);
    });

    it("rolls a failed transaction back", async () => {
      await assert.rejects(
        store.transaction(async (repos) => {
          await repos.connections.create(connection("t1", "https://t1.example"));
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(await store.connections.get("t1"), undefined);
      await store.transaction(async (repos) =>
        repos.connections.create(connection("t2", "https://t2.example")),
      );
      assert.equal((await store.connections.get("t2"))?.id, "t2");
    });

    it("upserts settings and throttle counters", async () => {
      assert.equal(await store.settings.get("defaultSigningKeyId"), undefined);
      await store.settings.set("defaultSigningKeyId", "k1");
      await store.settings.set("defaultSigningKeyId", "k2");
      assert.equal(await store.settings.get("defaultSigningKeyId"), "k2");
      await store.throttle.put({ key: "user:a", failures: 1, windowStart: "t0", lockedUntil: null });
      await store.throttle.put({ key: "user:a", failures: 2, windowStart: "t0", lockedUntil: "t9" });
      assert.deepEqual(await store.throttle.get("user:a"), {
        key: "user:a",
        failures: 2,
        windowStart: "t0",
        lockedUntil: "t9",
      });
      await store.throttle.clear("user:a");
      assert.equal(await store.throttle.get("user:a"), undefined);
    });

    it("lists audit events newest first, with paging", async () => {
      for (const action of ["a", "b", "c"]) {
        await store.auditLog.append({
          at: "2026-01-01T00:00:00.000Z",
          actor: "admin",
          action,
          resourceType: "test",
          resourceId: null,
          outcome: "SUCCESS",
          detail: { n: action },
        });
      }
      const page = await store.auditLog.list({ limit: 2 });
      assert.deepEqual(
        page.map((e) => e.action),
        ["c", "b"],
      );
      const next = await store.auditLog.list({ limit: 2, beforeId: page[1]?.id });
      assert.deepEqual(
        next.map((e) => e.action),
        ["a"],
      );
      assert.deepEqual(next[0]?.detail, { n: "a" });
    });
  });
}
