import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import { sweepExpired } from "../../src/services/housekeeping.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

describe("SSO sessions and sign-in throttling", () => {
  let server: TestServer;
  const clock = fixedClock("2026-03-02T09:00:00.000Z");
  const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;

  before(async () => {
    server = await startTestServer({ clock });
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  const get = (url: string, jar: ReturnType<typeof cookieJar>) =>
    browserInject(server.runtimeApp, jar, { method: "GET", url, remoteAddress: "203.0.113.7" });
  const signIn = (
    jar: ReturnType<typeof cookieJar>,
    resume: string,
    username: string,
    password: string,
    address = "203.0.113.7",
  ) =>
    browserInject(server.runtimeApp, jar, {
      method: "POST",
      url: "/idp/login",
      form: { resume, username, password },
      remoteAddress: address,
    });
  const signedInJar = async () => {
    const jar = cookieJar();
    const login = await get(start, jar);
    const posted = await signIn(jar, readPostForm(login.body).resume ?? "", "ada", "ada-password-1");
    jar.take(posted);
    assert.ok(readPostForm(posted.body).samlResponse);
    return jar;
  };

  it("ends a session left unused for the idle time (30 minutes)", async () => {
    const jar = await signedInJar();
    clock.advance(29 * 60_000);
    assert.ok(readPostForm((await get(start, jar)).body).samlResponse, "still alive after 29 minutes");
    clock.advance(31 * 60_000);
    const after = await get(start, jar);
    assert.match(after.body, /type="password"/, "idle for 31 minutes: sign in again");
  });

  it("ends a session at its lifetime (8 hours) however busy it is", async () => {
    const jar = await signedInJar();
    for (let i = 0; i < 15; i++) {
      clock.advance(25 * 60_000);
      assert.ok(
        readPostForm((await get(start, jar)).body).samlResponse,
        `alive after ${(i + 1) * 25} minutes`,
      );
    }
    clock.advance(110 * 60_000 - 15 * 60_000);
    assert.match((await get(start, jar)).body, /type="password"/);
  });

  it("stores only a hash of the session cookie", async () => {
    const jar = await signedInJar();
    const token = jar.get("PORTICO_SSO") ?? "";
    assert.ok(token.length >= 40);
    const db = await import("better-sqlite3");
    const sqlite = new db.default(`${server.dataDir}/portico.db`, { readonly: true });
    const ids = sqlite.prepare("SELECT id FROM sso_sessions").all() as { id: string }[];
    sqlite.close();
    assert.ok(ids.length > 0);
    assert.ok(ids.every((row) => row.id !== token));
  });

  it("locks an account after five wrong passwords, with a clear message, even for the right one", async () => {
    await createDirectoryUser(server, {
      uid: "eve",
      password: "eve-password-1",
      mail: "eve@acme.example.com",
    });
    const jar = cookieJar();
    const resume = readPostForm((await get(start, jar)).body).resume ?? "";
    for (let i = 0; i < 5; i++) {
      const wrong = await signIn(jar, resume, "eve", `guess-${i}`, `198.51.100.${i}`);
      assert.equal(wrong.statusCode, 401);
    }
    const locked = await signIn(jar, resume, "eve", "eve-password-1", "198.51.100.99");
    assert.equal(locked.statusCode, 401);
    assert.match(locked.body, /Too many failed sign-in attempts\. Wait 15 minutes and try again\./);
    assert.doesNotMatch(locked.body, /SAMLResponse/);
    clock.advance(16 * 60_000);
    const later = await signIn(
      jar,
      readPostForm((await get(start, jar)).body).resume ?? "",
      "eve",
      "eve-password-1",
      "198.51.100.99",
    );
    assert.ok(readPostForm(later.body).samlResponse, "the lock lifts after 15 minutes");
  });

  it("does not lock the people behind a busy address out after 30 failed sign-ins with random usernames", async () => {
    const jar = cookieJar();
    for (let round = 0; round < 3; round++) {
      // A fresh form every ten attempts: one form serves ten.
      const resume = readPostForm((await get(start, jar)).body).resume ?? "";
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          signIn(jar, resume, `nobody-${round}-${i}`, "guess", "192.0.2.44"),
        ),
      );
    }
    const resume = readPostForm((await get(start, jar)).body).resume ?? "";
    const signedIn = await signIn(jar, resume, "ada", "ada-password-1", "192.0.2.44");
    assert.ok(readPostForm(signedIn.body).samlResponse, "a right password from a shared address gets in");
  });

  it("forgets counters whose window and lock are over, and sessions past their end", async () => {
    await signedInJar();
    const jar = cookieJar();
    const resume = readPostForm((await get(start, jar)).body).resume ?? "";
    await signIn(jar, resume, "swept", "guess", "192.0.2.99");
    const store = server.context.store;
    assert.equal((await store.throttle.get("login-account:swept"))?.failures, 1);
    clock.advance(14 * 60_000);
    await sweepExpired(server.context);
    assert.ok(await store.throttle.get("login-account:swept"), "kept while its window is open");
    clock.advance(9 * 60 * 60_000);
    await sweepExpired(server.context);
    assert.equal(await store.throttle.get("login-account:swept"), undefined);
    assert.equal(await store.throttle.get("login-address:192.0.2.99"), undefined);
    const sessions = await store.ssoSessions.deleteExpired(clock.now().toISOString());
    assert.equal(sessions, 0, "the sweep already removed the ended sessions");
  });
});
