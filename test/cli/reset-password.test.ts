import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliTestServer, cliAdminPassword, runPortico, startCliServer } from "../support/cli.ts";
import { createPostgresDatabase } from "../support/databases.ts";
import { basicAuth, startTestServer } from "../support/server.ts";

describe("portico admin reset-password", () => {
  let server: CliTestServer;
  before(async () => {
    server = await startCliServer();
  });
  after(() => server.dispose());

  /** The admin API as the CLI reaches it, with the given admin password. */
  const keysList = (password: string) =>
    server.run(["keys", "list"], { env: { PORTICO_ADMIN_PASSWORD: password } });
  /** `reset-password` run on this machine with serve's configuration: the data dir alone. */
  const reset = (argv: string[] = [], stdin?: string) =>
    runPortico(["admin", "reset-password", ...argv], {
      env: { PORTICO_DATA_DIR: server.dataDir },
      ...(stdin === undefined ? {} : { stdin }),
    });

  it("lets a locked-out admin back in, while the server runs, and prints the new password once", async () => {
    for (let attempt = 0; attempt < 6; attempt++) await keysList("a-wrong-password-guess");
    const locked = await keysList(cliAdminPassword);
    assert.match(locked.stderr, /AUTH_THROTTLED/, "the account is locked out");

    const result = await reset();
    assert.equal(result.code, 0, result.stderr);
    const password = /^New password: (\S+)$/m.exec(result.stdout)?.[1];
    assert.ok(password, result.stdout);
    assert.match(
      result.stdout,
      /Reset the password of the admin account "admin" and lifted its sign-in lockout/,
    );
    assert.equal(existsSync(join(server.dataDir, "master.key")), false, "no master key is generated");

    const back = await keysList(password);
    assert.equal(back.code, 0, back.stderr);
    const audit = await fetch(`${server.url}/pf-admin-api/v1/auditLog`, {
      headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` },
    });
    const events = (
      (await audit.json()) as { items: { action: string; actor: string; resourceId: string }[] }
    ).items;
    for (const action of ["adminAccount.changePassword", "adminAccount.unlock"]) {
      const event = events.find((e) => e.action === action);
      assert.ok(event, `${action} is in the audit log`);
      assert.match(event.actor, /^local/);
      assert.equal(event.resourceId, "admin");
    }
    assert.ok(!JSON.stringify(events).includes(password), "the audit log never holds the password");
  });

  it("takes the password from standard input, and refuses a short one leaving the old in place", async () => {
    const chosen = "chosen-on-standard-input";
    const result = await reset(["--password-stdin"], `${chosen}\n`);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(chosen), "a chosen password is never printed");
    assert.equal((await keysList(chosen)).code, 0);

    const short = await reset(["--password-stdin"], "short\n");
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^portico: REQ_VALIDATION: password: must be at least 12 characters/);
    assert.equal((await keysList(chosen)).code, 0, "the password is unchanged");
  });

  it("names the accounts when the one given does not exist", async () => {
    const result = await reset(["nobody"]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'portico: ADMIN_NOT_FOUND: No admin account "nobody"; the accounts are: admin.\n',
    );
  });

  it("refuses a data dir without a database, creating nothing there", async () => {
    const empty = mkdtempSync(join(tmpdir(), "portico-reset-"));
    try {
      const missing = join(empty, "data");
      const result = await runPortico(["admin", "reset-password"], { env: { PORTICO_DATA_DIR: missing } });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^portico: STORE_NOT_FOUND: No Portico database at .*portico\.db: check PORTICO_DATA_DIR/,
      );
      assert.equal(existsSync(missing), false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("works on PostgreSQL, configured as serve is, with --config", async () => {
    const database = await createPostgresDatabase();
    const portico = await startTestServer({ databaseUrl: database.url });
    const configFile = join(portico.dataDir, "portico.json");
    writeFileSync(configFile, JSON.stringify({ PORTICO_DATABASE_URL: database.url }));
    try {
      const chosen = "a-postgres-admin-password";
      const result = await runPortico(
        ["admin", "reset-password", "--password-stdin", "--config", configFile],
        {
          stdin: chosen,
        },
      );
      assert.equal(result.code, 0, result.stderr);
      const auth = basicAuth("admin", chosen);
      assert.equal((await portico.request("GET", "/keyPairs/signing", undefined, { auth })).statusCode, 200);
    } finally {
      await portico.dispose();
      await database.drop();
    }
    const empty = await createPostgresDatabase();
    try {
      const result = await runPortico(["admin", "reset-password"], {
        env: { PORTICO_DATABASE_URL: empty.url },
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^portico: STORE_NOT_FOUND: No Portico database at PORTICO_DATABASE_URL/);
      assert.ok(!result.stderr.includes(empty.url));
    } finally {
      await empty.drop();
    }
  });
});
