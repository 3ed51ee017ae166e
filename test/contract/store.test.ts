import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConnectionRecord, Store } from "../../src/domain/ports.ts";
import { openStore } from "../../src/store/open-store.ts";
import { dialects, type TestDatabase } from "../support/databases.ts";
import { rejectsWithCode } from "../support/errors.ts";

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
      assert.deepEqual(await store.migrate(), [
        "001-initial",
        "002-directory",
        "003-sso",
        "004-provisioning-tokens",
        "005-provisioning",
        "006-data-stores",
        "007-credential-validators",
        "008-console-sessions",
        "009-console-drafts",
        "010-provisioning-nodes",
      ]);
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
      await rejectsWithCode(store.adminAccounts.create(account), "STORE_CONFLICT");
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
      await rejectsWithCode(
        store.connections.create(connection("c2", "https://a.example")),
        "STORE_CONFLICT",
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

    it("keeps one sealed token record per connection, replaced in place and gone with its connection", async () => {
      await store.connections.create(connection("t1", "https://t1.example"));
      const first = { connectionId: "t1", sealed: "v1.first", updatedAt: "2026-01-01T00:00:00.000Z" };
      await store.provisioningTokens.put(first);
      assert.deepEqual(await store.provisioningTokens.get("t1"), first);
      const second = { connectionId: "t1", sealed: "v1.second", updatedAt: "2026-01-02T00:00:00.000Z" };
      await store.provisioningTokens.put(second);
      assert.deepEqual(await store.provisioningTokens.get("t1"), second);
      assert.equal(await store.provisioningTokens.get("other"), undefined);
      await assert.rejects(
        store.provisioningTokens.put({ ...first, connectionId: "no-such-connection" }),
        "a token record needs its connection",
      );
      await store.connections.delete("t1");
      assert.equal(await store.provisioningTokens.get("t1"), undefined);
      assert.equal(await store.provisioningTokens.delete("t1"), false);
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

    it("upserts settings", async () => {
      assert.equal(await store.settings.get("defaultSigningKeyId"), undefined);
      await store.settings.set("defaultSigningKeyId", "k1");
      await store.settings.set("defaultSigningKeyId", "k2");
      assert.equal(await store.settings.get("defaultSigningKeyId"), "k2");
    });

    it("counts sign-in attempts, locks past the limit, restarts after the window, and takes one back", async () => {
      const rule = (now: string) => ({
        now,
        windowStartedBy: "2026-01-01T00:00:00.000Z",
        limit: 2,
        lockUntil: "2026-01-01T00:30:00.000Z",
      });
      const count = (now: string) => store.throttle.countAttempt("user:a", rule(now));
      assert.deepEqual(await count("2026-01-01T00:10:00.000Z"), {
        key: "user:a",
        failures: 1,
        windowStart: "2026-01-01T00:10:00.000Z",
        lockedUntil: null,
      });
      await store.throttle.release("user:a");
      assert.equal(
        (await store.throttle.get("user:a"))?.failures,
        0,
        "a right password takes its attempt back",
      );
      assert.equal((await count("2026-01-01T00:11:00.000Z")).failures, 1);
      assert.equal((await count("2026-01-01T00:12:00.000Z")).lockedUntil, null);
      const locked = await count("2026-01-01T00:13:00.000Z");
      assert.deepEqual([locked.failures, locked.lockedUntil], [3, "2026-01-01T00:30:00.000Z"]);
      const stillLocked = await count("2026-01-01T00:14:00.000Z");
      assert.deepEqual(
        [stillLocked.failures, stillLocked.lockedUntil],
        [4, "2026-01-01T00:30:00.000Z"],
        "refused attempts are counted, so only the one that locked sees limit + 1",
      );
      assert.equal(
        await store.throttle.deleteStale("2026-01-01T00:15:00.000Z", "2026-01-01T00:20:00.000Z"),
        0,
      );
      const after = await store.throttle.countAttempt("user:a", {
        ...rule("2026-01-01T00:31:00.000Z"),
        windowStartedBy: "2026-01-01T00:16:00.000Z",
      });
      assert.deepEqual(
        [after.failures, after.lockedUntil],
        [1, null],
        "a lock that ended starts the count again",
      );
      assert.equal(
        await store.throttle.deleteStale("2026-01-01T00:31:00.000Z", "2026-01-01T00:46:00.000Z"),
        1,
      );
      assert.equal(await store.throttle.get("user:a"), undefined);
      await count("2026-01-01T00:10:00.000Z");
      await store.throttle.clear("user:a");
      assert.equal(await store.throttle.get("user:a"), undefined);
    });

    it("counts parallel attempts from two connections exactly: never more than the limit get through", async () => {
      const other = openStore(database.url);
      try {
        const rule = {
          now: "2026-01-02T00:00:00.000Z",
          windowStartedBy: "2026-01-01T23:45:00.000Z",
          limit: 5,
          lockUntil: "2026-01-02T00:15:00.000Z",
        };
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, i) => (i % 2 ? other : store).throttle.countAttempt("race", rule)),
        );
        const allowed = results.filter((r) => r.lockedUntil === null);
        assert.equal(allowed.length, 5);
        assert.deepEqual(allowed.map((r) => r.failures).sort(), [1, 2, 3, 4, 5]);
        assert.equal((await store.throttle.get("race"))?.failures, 60);
        assert.equal(results.filter((r) => r.failures === 6).length, 1, "one attempt started the lock");
      } finally {
        await other.close();
      }
    });

    it("keeps the first of several writers of a generated setting", async () => {
      const written = await Promise.all(
        ["first", "second", "third"].map((value) => store.settings.setIfAbsent("generated", value)),
      );
      const [winner] = written;
      assert.ok(winner !== undefined && ["first", "second", "third"].includes(winner));
      assert.deepEqual(written, [winner, winner, winner], "every writer learns the value that stands");
      assert.equal(await store.settings.setIfAbsent("generated", "later"), winner);
      assert.equal(await store.settings.get("generated"), winner);
    });

    it("keeps SSO sessions with their participants and forgets expired ones", async () => {
      const session = {
        id: "s1",
        uid: "ada",
        authnInstant: "2026-01-01T00:00:00.000Z",
        createdAt: "2026-01-01T00:00:00.000Z",
        lastSeenAt: "2026-01-01T00:00:00.000Z",
        expiresAt: "2026-01-01T08:00:00.000Z",
        participants: [],
      };
      await store.ssoSessions.create(session);
      assert.deepEqual(await store.ssoSessions.get("s1"), session);
      const fromLdap = { ...session, id: "s2", source: "corpLdap" };
      await store.ssoSessions.create(fromLdap);
      assert.deepEqual(await store.ssoSessions.get("s2"), fromLdap, "the validator that signed the user in");
      await store.ssoSessions.delete("s2");
      const participant = { connectionId: "c1", nameId: "ada@x", nameIdFormat: "f", sessionIndex: "_i" };
      assert.equal(
        await store.ssoSessions.update({
          ...session,
          lastSeenAt: "2026-01-01T01:00:00.000Z",
          participants: [participant],
        }),
        true,
      );
      assert.deepEqual((await store.ssoSessions.get("s1"))?.participants, [participant]);
      assert.equal(await store.ssoSessions.deleteExpired("2026-01-01T07:59:59.000Z"), 0);
      assert.equal(await store.ssoSessions.deleteExpired("2026-01-01T08:00:01.000Z"), 1);
      assert.equal(await store.ssoSessions.get("s1"), undefined);
    });

    it("keeps console sessions, touches them, and ends them by account, by idleness or by age", async () => {
      const session = {
        id: "c1",
        username: "admin",
        csrfToken: "form-token",
        createdAt: "2026-01-01T00:00:00.000Z",
        lastSeenAt: "2026-01-01T00:00:00.000Z",
        expiresAt: "2026-01-01T12:00:00.000Z",
      };
      await store.consoleSessions.create(session);
      assert.deepEqual(await store.consoleSessions.get("c1"), session);
      assert.equal(await store.consoleSessions.touch("c1", "2026-01-01T01:00:00.000Z"), true);
      assert.equal((await store.consoleSessions.get("c1"))?.lastSeenAt, "2026-01-01T01:00:00.000Z");
      assert.equal(await store.consoleSessions.touch("gone", "2026-01-01T01:00:00.000Z"), false);
      await store.consoleSessions.create({ ...session, id: "c2", lastSeenAt: "2026-01-01T00:10:00.000Z" });
      await store.consoleSessions.create({ ...session, id: "c3", username: "auditor" });
      // c2 has been idle since 00:10; c1 was seen at 01:00.
      assert.equal(
        await store.consoleSessions.deleteExpired("2026-01-01T02:00:00.000Z", "2026-01-01T00:30:00.000Z"),
        2,
      );
      assert.equal(await store.consoleSessions.get("c2"), undefined);
      assert.equal(await store.consoleSessions.get("c3"), undefined, "idle since 00:00");
      assert.equal(
        await store.consoleSessions.deleteExpired("2026-01-01T12:00:01.000Z", "2026-01-01T00:00:00.000Z"),
        1,
      );
      await store.consoleSessions.create({ ...session, id: "c4" });
      await store.consoleSessions.create({ ...session, id: "c5" });
      assert.equal(await store.consoleSessions.deleteForUser("admin"), 2);
      assert.equal(await store.consoleSessions.delete("c4"), false);
    });

    it("remembers a request ID once, until it expires", async () => {
      const now = "2026-01-01T00:00:00.000Z";
      assert.equal(await store.replayCache.remember("sp|_id1", "2026-01-01T00:10:00.000Z", now), true);
      assert.equal(
        await store.replayCache.remember("sp|_id1", "2026-01-01T00:10:00.000Z", now),
        false,
        "a replay",
      );
      assert.equal(await store.replayCache.remember("sp|_id2", "2026-01-01T00:10:00.000Z", now), true);
      const later = "2026-01-01T00:11:00.000Z";
      assert.equal(
        await store.replayCache.remember("sp|_id1", "2026-01-01T00:20:00.000Z", later),
        true,
        "expired entries go",
      );
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
