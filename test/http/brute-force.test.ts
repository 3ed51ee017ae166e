import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { dialects, type TestDatabase } from "../support/databases.ts";
import { assertProblem } from "../support/errors.ts";
import { api, basicAuth, startTestServer, type TestServer } from "../support/server.ts";

const victimPassword = "victim-password-0123";

const createVictim = async (server: TestServer, username = "victim") => {
  const created = await server.request("POST", "/adminAccounts", {
    username,
    password: victimPassword,
    role: "ADMIN",
  });
  assert.equal(created.statusCode, 201, created.body);
};

/** `curl -u victim:… /version` from one address, `count` at once, the right password at `right`. */
const parallelGuesses = (servers: TestServer[], count: number, right: number, address: string) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      servers[i % servers.length]?.adminApp.inject({
        method: "GET",
        url: `${api}/version`,
        headers: { authorization: basicAuth("victim", i === right ? victimPassword : `wrong-${i}`) },
        remoteAddress: address,
      }),
    ),
  );

describe("admin API: parallel password guessing", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createVictim(server);
  });
  after(() => server.dispose());

  it("lets none of 150 parallel guesses in, not even the right one at position 120", async () => {
    const responses = await parallelGuesses([server], 150, 120, "198.51.100.20");
    const codes = responses.map((r) => r?.statusCode);
    assert.equal(codes.filter((c) => c === 200).length, 0, "no guess may succeed");
    assert.equal(
      codes.filter((c) => c === 401).length,
      5,
      "five passwords are checked, then the account locks",
    );
    assert.equal(codes.filter((c) => c === 429).length, 145);
    const later = await server.request("GET", "/version", undefined, {
      auth: basicAuth("victim", victimPassword),
      headers: {},
    });
    assertProblem(later, "AUTH_THROTTLED");
  });

  it("writes each failed sign-in and the lockout to the audit log, with no password, and warns once", async () => {
    const events = (await server.request("GET", "/auditLog?limit=200")).json() as {
      items: { action: string; resourceId: string; outcome: string; detail: Record<string, unknown> }[];
    };
    const failed = events.items.filter((e) => e.action === "signIn.failed" && e.resourceId === "victim");
    assert.equal(failed.length, 5);
    assert.deepEqual(failed[0]?.detail, { address: "198.51.100.20", reason: "INVALID_CREDENTIALS" });
    const locked = events.items.filter((e) => e.action === "signIn.locked");
    assert.equal(locked.length, 1, "the lock is recorded once, not once per refused attempt");
    assert.equal(locked[0]?.detail.reason, "ACCOUNT_LOCKED");
    assert.equal(locked[0]?.detail.address, "198.51.100.20");
    assert.ok(!JSON.stringify(events).includes("wrong-"), "no guessed password in the audit log");
    const warnings = server
      .logs()
      .split("\n")
      .filter((line) => line.includes('"signIn.locked"'));
    assert.equal(warnings.length, 1);
    assert.equal(JSON.parse(warnings[0] ?? "{}").level, 40, "logged at warn level");
    assert.ok(!server.logs().includes("wrong-1"), "no guessed password in the log");
  });
});

for (const dialect of dialects) {
  describe(`admin API: parallel guessing against two nodes on one ${dialect.name} database`, () => {
    let database: TestDatabase;
    let nodes: TestServer[];
    before(async () => {
      database = await dialect.create();
      const first = await startTestServer({ databaseUrl: database.url });
      const second = await startTestServer({ databaseUrl: database.url, masterKey: first.masterKeyText });
      nodes = [first, second];
      await createVictim(first);
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.dispose()));
      await database.drop();
    });

    it("holds the limit across both: five checks in all, and the right password refused", async () => {
      const responses = await parallelGuesses(nodes, 80, 60, "198.51.100.21");
      const codes = responses.map((r) => r?.statusCode);
      assert.equal(codes.filter((c) => c === 200).length, 0);
      assert.equal(codes.filter((c) => c === 401).length, 5);
    });
  });
}

describe("admin API: many people behind one address", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PORTICO_TRUSTED_PROXIES: "10.0.0.0/8" } });
    await createVictim(server);
  });
  after(() => server.dispose());

  const version = (username: string, password: string, address: string, forwardedFor?: string) =>
    server.adminApp.inject({
      method: "GET",
      url: `${api}/version`,
      headers: {
        authorization: basicAuth(username, password),
        ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
      },
      remoteAddress: address,
    });

  /** Failed attempts from one peer, ten at a time, each with a different X-Forwarded-For. */
  const failures = async (from: number, to: number, address: string) => {
    for (let i = from; i < to; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, to - i) }, (_, j) =>
          version(`nobody-${i + j}`, "guess", address, `203.0.113.${i + j}`),
        ),
      );
    }
  };

  it("still lets a right password in after 30 failures from its address; limits the address at 100", async () => {
    await failures(0, 30, "192.0.2.50");
    assert.equal((await version("victim", victimPassword, "192.0.2.50")).statusCode, 200);
    await failures(30, 100, "192.0.2.50");
    const limited = await version("victim", victimPassword, "192.0.2.50", "203.0.113.250");
    assert.equal(
      limited.statusCode,
      429,
      "100 failures limit the address, however the untrusted peer rotates X-Forwarded-For",
    );
    assert.equal((await version("victim", victimPassword, "192.0.2.51")).statusCode, 200, "others are not");
  });

  it("counts a client behind a trusted proxy by its X-Forwarded-For address, and no one else's", async () => {
    await version("nobody", "guess", "10.0.0.2", "198.51.100.60, 10.0.0.9");
    await version("nobody", "guess", "192.0.2.80", "198.51.100.61");
    const events = (await server.request("GET", "/auditLog?limit=5")).json() as {
      items: { action: string; detail: { address: string } }[];
    };
    const addresses = events.items.filter((e) => e.action === "signIn.failed").map((e) => e.detail.address);
    assert.deepEqual(addresses.slice(0, 2), ["192.0.2.80", "198.51.100.60"]);
  });
});
