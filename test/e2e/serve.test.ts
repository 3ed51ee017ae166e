import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const bin = new URL("../../bin/portico.js", import.meta.url).pathname;

type Started = { child: ChildProcess; output: () => string; runtimeUrl: string; adminUrl: string };

/** Starts `portico serve` as a user would, on ports the OS picks, and waits for its banner. */
const serve = (dataDir: string, env: Record<string, string> = {}): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve"], {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? "",
        PORTICO_DATA_DIR: join(dataDir, "data"),
        PORTICO_RUNTIME_PORT: "0",
        PORTICO_ADMIN_PORT: "0",
        PORTICO_LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    const timer = setTimeout(() => reject(new Error(`no banner in time:\n${text}`)), 60_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const runtime = /runtime\s+(http:\/\/\S+)/.exec(text);
      const admin = /admin API (http:\/\/\S+)\/pf-admin-api/.exec(text);
      if (runtime?.[1] && admin?.[1] && /production needs|Created the admin|\n$/.test(text)) {
        clearTimeout(timer);
        setTimeout(
          () =>
            resolve({ child, output: () => text, runtimeUrl: runtime[1] ?? "", adminUrl: admin[1] ?? "" }),
          200,
        );
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${text}`));
    });
  });

const stop = (child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> =>
  new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", (code) => resolve(code));
    child.kill(signal);
  });

describe("portico serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-serve-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("bootstraps an empty data dir, serves both listeners and stops on SIGTERM", async () => {
    const first = await serve(dir);
    const output = first.output();
    const password = /Generated password for the admin account "admin": (\S+)/.exec(output)?.[1];
    assert.ok(password, `a generated password is printed on a line with "password":\n${output}`);
    assert.match(output, /WARNING: generated a master key/);
    assert.match(output, /WARNING: generated a self-signed RSA-2048 signing key pair/);
    assert.equal(statSync(join(dir, "data", "master.key")).mode & 0o777, 0o600);

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

    const second = await serve(dir);
    try {
      assert.doesNotMatch(second.output(), /password/i, "the password is printed once, on first start only");
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

  it("takes the admin password from PORTICO_ADMIN_PASSWORD and refuses a bad configuration", async () => {
    const other = mkdtempSync(join(tmpdir(), "portico-serve-"));
    try {
      const started = await serve(other, { PORTICO_ADMIN_PASSWORD: "chosen-by-the-operator" });
      assert.match(
        started.output(),
        /Created the admin account "admin" with the password from PORTICO_ADMIN_PASSWORD/,
      );
      assert.doesNotMatch(started.output(), /chosen-by-the-operator/, "the chosen password is never printed");
      const ok = await fetch(`${started.adminUrl}/pf-admin-api/v1/version`, {
        headers: { Authorization: `Basic ${Buffer.from("admin:chosen-by-the-operator").toString("base64")}` },
      });
      assert.equal(ok.status, 200);
      await stop(started.child, "SIGTERM");
      await assert.rejects(
        serve(other, { PORTICO_RUNTIME_PORT: "not-a-port" }),
        /PORTICO_RUNTIME_PORT: "not-a-port" is not a port number/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
