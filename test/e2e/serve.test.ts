import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { killLeftovers, stopProcess as stop } from "../support/processes.ts";
import { type Serving, startServe } from "../support/serve.ts";

/** `portico serve` in `dataDir`, once its banner has been written whole. */
const serve = async (dataDir: string, env: Record<string, string> = {}): Promise<Serving> => {
  const started = await startServe(
    dataDir,
    env,
    (text) => /admin API http/.test(text) && /production needs|Created the admin|\n$/.test(text),
  );
  // The banner is one write; a moment lets any line after it arrive too.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return started;
};

describe("portico serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-serve-"));
  after(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("bootstraps an empty data dir, serves both listeners and stops on SIGTERM", async () => {
    const first = await serve(dir);
    const output = first.output();
    const password = /Generated password for the admin account "admin": (\S+)/.exec(output)?.[1];
    assert.ok(password, `a generated password is printed on a line with "password":\n${output}`);
    assert.match(output, /WARNING: generated a master key/);
    assert.match(output, /WARNING: generated a self-signed RSA-2048 signing key pair/);
    assert.equal(statSync(join(dir, "data", "master.key")).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "data")).mode & 0o777, 0o700, "the data dir is private");
    for (const file of ["portico.db", "portico.db-wal", "portico.db-shm"]) {
      assert.equal(statSync(join(dir, "data", file)).mode & 0o777, 0o600, `${file} is private`);
    }

    const heartbeat = await fetch(`${first.runtimeUrl}/pf/heartbeat.ping`);
    assert.equal(heartbeat.status, 200);
    assert.equal(await heartbeat.text(), "OK");

    const auth = { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` };
    const keys = (await (
      await fetch(`${first.adminUrl}/pf-admin-api/v1/keyPairs/signing`, { headers: auth })
    ).json()) as {
      items: { id: string; keySize: number; sha256Fingerprint: string }[];
    };
    assert.equal(keys.items.length, 1);
    assert.equal(keys.items[0]?.keySize, 2048);
    assert.equal(await stop(first.child, "SIGTERM"), 0, "a clean exit");
    assert.match(first.output(), /Received SIGTERM; shutting down/);

    const second = await serve(dir, { PORTICO_ADMIN_PASSWORD: "set-after-the-first-start" });
    try {
      assert.doesNotMatch(
        second.output(),
        /Generated password/,
        "the password is printed once, on first start only",
      );
      assert.match(
        second.output(),
        /PORTICO_ADMIN_PASSWORD is ignored: the admin account already exists/,
        "a password set too late is not silently ignored",
      );
      assert.doesNotMatch(second.output(), /set-after-the-first-start/);
      assert.doesNotMatch(second.output(), /WARNING/);
      const again = (await (
        await fetch(`${second.adminUrl}/pf-admin-api/v1/keyPairs/signing`, { headers: auth })
      ).json()) as {
        items: { sha256Fingerprint: string }[];
      };
      assert.deepEqual(
        again.items.map((k) => k.sha256Fingerprint),
        keys.items.map((k) => k.sha256Fingerprint),
        "a restart keeps the key pair and the admin password",
      );
    } finally {
      assert.equal(await stop(second.child, "SIGINT"), 0);
    }
  });

  it("takes the admin password from PORTICO_ADMIN_PASSWORD, keeps the admin listener private and stdout JSON", async () => {
    const other = mkdtempSync(join(tmpdir(), "portico-serve-"));
    try {
      const started = await serve(other, {
        PORTICO_ADMIN_PASSWORD: "chosen-by-the-operator",
        // The runtime opens on another address; the admin listener stays on its own default.
        PORTICO_HOST: "127.0.0.2",
        PORTICO_LOG_LEVEL: "info",
      });
      assert.match(
        started.output(),
        /Created the admin account "admin" with the password from PORTICO_ADMIN_PASSWORD/,
      );
      assert.doesNotMatch(started.output(), /chosen-by-the-operator/, "the chosen password is never printed");
      assert.match(started.runtimeUrl, /^http:\/\/127\.0\.0\.2:/);
      assert.match(started.adminUrl, /^http:\/\/127\.0\.0\.1:/, "PORTICO_HOST does not open the admin API");
      const ok = await fetch(`${started.adminUrl}/pf-admin-api/v1/version`, {
        headers: { Authorization: `Basic ${Buffer.from("admin:chosen-by-the-operator").toString("base64")}` },
      });
      assert.equal(ok.status, 200);
      await stop(started.child, "SIGTERM");
      const lines = started
        .stdout()
        .split("\n")
        .filter((line) => line !== "");
      assert.ok(lines.length > 0, "the server logs to standard output");
      for (const line of lines) {
        assert.doesNotThrow(() => JSON.parse(line), `standard output holds only JSON log lines: ${line}`);
      }
      assert.match(started.output(), /Portico \d/, "the banner goes to standard error");
      await assert.rejects(
        serve(other, { PORTICO_RUNTIME_PORT: "not-a-port" }),
        /PORTICO_RUNTIME_PORT: "not-a-port" is not a port number/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("a first start on a port in use names the variable, and the next start still shows the password", async () => {
    const other = mkdtempSync(join(tmpdir(), "portico-serve-"));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      await assert.rejects(serve(other, { PORTICO_RUNTIME_PORT: String(port) }), (error: Error) => {
        assert.match(error.message, /^exited 1:/);
        assert.ok(
          error.message.includes(`PORTICO_RUNTIME_PORT: port ${port} on 127.0.0.1 is already in use`),
          error.message,
        );
        assert.doesNotMatch(error.message, /\n\s+at /, "one line, no stack trace");
        return true;
      });
      assert.equal(existsSync(join(other, "data")), false, "nothing was written");
      await new Promise((resolve) => blocker.close(resolve));

      const started = await serve(other, { PORTICO_RUNTIME_PORT: String(port) });
      try {
        const password = /Generated password for the admin account "admin": (\S+)/.exec(
          started.output(),
        )?.[1];
        assert.ok(password, started.output());
        const ok = await fetch(`${started.adminUrl}/pf-admin-api/v1/version`, {
          headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}` },
        });
        assert.equal(ok.status, 200);
      } finally {
        await stop(started.child, "SIGTERM");
      }
    } finally {
      if (blocker.listening) await new Promise((resolve) => blocker.close(resolve));
      rmSync(other, { recursive: true, force: true });
    }
  });
});
