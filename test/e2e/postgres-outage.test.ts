import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";
import { assertProblem, fetchedAnswer } from "../support/errors.ts";
import { type PostgresServer, startPostgresServer } from "../support/postgres-server.ts";
import { killLeftovers, type Serving, startServe, stopProcess } from "../support/processes.ts";
import { adminPassword, api, basicAuth } from "../support/server.ts";
import { salesforceMetadata, spEntityId } from "../support/sso.ts";

/** No request may hang through an outage: a connect that gets no answer gives up in 5 s. */
const requestBound = 15_000;
const auth = { Authorization: basicAuth("admin", adminPassword), "X-XSRF-Header": "PingFederate" };

/**
 * A `portico serve` on a PostgreSQL server of the test's own, which the test stops (fast, then
 * immediate: a crash) and starts again. Meanwhile the node answers 503 STORE_UNAVAILABLE at once
 * and stays up; when the database returns, it serves again without a restart.
 */
describe("a node whose PostgreSQL stops and comes back", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-outage-"));
  let postgres: PostgresServer;
  let node: Serving;

  before(async () => {
    postgres = await startPostgresServer();
    node = await startServe(dir, {
      PORTICO_DATA_DIR: join(dir, "data"),
      PORTICO_DATABASE_URL: postgres.url(),
      PORTICO_MASTER_KEY: generateMasterKey(),
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_BASE_URL: "https://idp.example.com",
      PORTICO_LOG_LEVEL: "info",
    });
  });
  after(async () => {
    if (node?.child.exitCode === null) await stopProcess(node.child, "SIGTERM");
    await postgres?.dispose();
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A request that got no answer at all (a hang, or a node that died) fails with the node's log. */
  const answered = (request: Promise<Response>) =>
    request.catch((error: unknown) => {
      throw new Error(`no answer (${String(error)}); the node's output:\n${node.output().slice(-3000)}`);
    });
  const adminGet = (path: string) =>
    answered(
      fetch(`${node.adminUrl}${api}${path}`, { headers: auth, signal: AbortSignal.timeout(requestBound) }),
    );
  const startSso = () =>
    answered(
      fetch(`${node.runtimeUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`, {
        redirect: "manual",
        signal: AbortSignal.timeout(requestBound),
      }),
    );

  /** Both kinds of request work: the admin API lists the signing key, SSO shows the sign-in form. */
  const assertServing = async () => {
    const keys = await adminGet("/keyPairs/signing");
    assert.equal(keys.status, 200, await keys.clone().text());
    assert.equal(((await keys.json()) as { items: unknown[] }).items.length, 1);
    const sso = await startSso();
    const page = await sso.text();
    assert.equal(sso.status, 200, page);
    assert.match(page, /<form[^>]+method="post"/i, "the sign-in form");
  };

  /** Both answer 503 STORE_UNAVAILABLE, the admin API as problem+json, within the bound. */
  const assertUnavailable = async () => {
    const keys = await adminGet("/keyPairs/signing");
    assert.equal(keys.headers.get("retry-after"), "5");
    assertProblem(await fetchedAnswer(keys), "STORE_UNAVAILABLE", 503);
    const sso = await startSso();
    assert.equal(sso.status, 503);
    assert.match(await sso.text(), /STORE_UNAVAILABLE/);
  };

  /** Polls until the node serves again: the pool reconnects by itself. */
  const recovered = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await adminGet("/keyPairs/signing");
      if (answer.status === 200) return;
      assert.equal(answer.status, 503, "while the database starts, the node answers 503");
      assert.ok(Date.now() < deadline, "the node did not recover in 30 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const afterLastOutage = () => node.output().split("the database is unavailable").at(-1) ?? "";
  /** The node's log arrives through a pipe: a line it wrote may reach the test a moment later. */
  const eventually = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 50 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(check(), `${what}:\n${node.output().slice(-3000)}`);
  };

  const outageLines = () => node.output().match(/the database is unavailable/g)?.length ?? 0;

  it("serves before the outage", async () => {
    const converted = await fetch(`${node.adminUrl}${api}/connectionMetadata/convert`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        connectionType: "SP",
        samlMetadata: salesforceMetadata().toString("base64"),
        templateId: "salesforce-provisioner",
      }),
    });
    assert.equal(converted.status, 200, await converted.clone().text());
    const connection = ((await converted.json()) as { connection: Record<string, unknown> }).connection;
    const created = await fetch(`${node.adminUrl}${api}/idp/spConnections`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ ...connection, id: "salesforce", active: true }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    await assertServing();
  });

  for (const mode of ["fast", "immediate"] as const) {
    it(`answers 503 while PostgreSQL is down (pg_ctl stop -m ${mode}), stays up, and recovers`, async () => {
      const before = outageLines();
      // Requests in flight while the server goes away, on connections the pool holds.
      const inFlight = Array.from({ length: 6 }, () => adminGet("/keyPairs/signing").catch(() => undefined));
      await postgres.stop(mode);
      await Promise.all(inFlight);

      // Several seconds of scheduler ticks and requests: each answers 503, the process lives.
      for (let i = 0; i < 4; i++) {
        await assertUnavailable();
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(node.child.exitCode, null, `the node died:\n${node.output()}`);
      assert.equal(
        outageLines(),
        before + 1,
        `the outage is logged once, not per request or tick:\n${node.output()}`,
      );
      assert.doesNotMatch(node.output(), /provisioning cycle failed|uncaught|unhandled/i);

      await postgres.start();
      await recovered();
      await assertServing();
      await eventually(
        () => /the database answers again/.test(afterLastOutage()),
        "the end of the outage is logged",
      );
      assert.equal(node.child.exitCode, null);
    });
  }
});
