import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
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
    server.runtimeApp.inject({
      method: "GET",
      url,
      headers: { cookie: jar.header() },
      remoteAddress: "203.0.113.7",
    });
  const signIn = (
    jar: ReturnType<typeof cookieJar>,
    resume: string,
    username: string,
    password: string,
    address = "203.0.113.7",
  ) =>
    server.runtimeApp.inject({
      method: "POST",
      url: "/idp/login",
      headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ resume, username, password }).toString(),
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

  it("locks an address that guesses across many accounts", async () => {
    const jar = cookieJar();
    const resume = readPostForm((await get(start, jar)).body).resume ?? "";
    for (let i = 0; i < 30; i++) await signIn(jar, resume, `nobody-${i}`, "guess", "192.0.2.44");
    const locked = await signIn(jar, resume, "ada", "ada-password-1", "192.0.2.44");
    assert.match(locked.body, /Too many failed sign-in attempts/);
    const elsewhere = await signIn(jar, resume, "ada", "ada-password-1", "192.0.2.45");
    assert.ok(readPostForm(elsewhere.body).samlResponse, "another address is not affected");
  });
});
