import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

/** `npm run emulator`: prints its URLs, org id and app credentials; SIGTERM saves --state. */

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function run(args: string[]): { child: ChildProcess; banner: Promise<string> } {
  const child = spawn(process.execPath, ["--import", "tsx", "emulator/salesforce/main.ts", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const banner = new Promise<string>((resolveBanner, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("control API")) resolveBanner(out);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before starting: ${out}`)));
  });
  return { child, banner };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => child.on("exit", (code) => resolveExit(code)));
}

const field = (banner: string, label: string): string =>
  new RegExp(`${label}\\s+(\\S+)`).exec(banner)?.[1] ?? "";

describe("emulator command", () => {
  const dir = mkdtempSync(join(tmpdir(), "sf-emulator-"));
  const state = join(dir, "state.json");
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("starts on a free port, prints what a client needs, and saves its state on SIGTERM", async () => {
    const first = run(["--port", "0", "--state", state]);
    const banner = await first.banner;
    const baseUrl = /listening on (\S+)/.exec(banner)?.[1] ?? "";
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const orgId = field(banner, "org id");
    assert.match(orgId, /^00D[0-9A-Za-z]{15}$/);
    assert.match(field(banner, "client id"), /^3MVG9/);
    assert.match(field(banner, "client secret"), /^[0-9A-F]{64}$/);
    assert.equal(field(banner, "admin username"), "integration@acme-emulator.example.com");
    const info = (await (await fetch(`${baseUrl}/_emulator/org`)).json()) as {
      orgId: string;
      clientSecret: string;
    };
    assert.equal(info.orgId, orgId);
    assert.equal(info.clientSecret, field(banner, "client secret"));

    const done = exited(first.child);
    first.child.kill("SIGTERM");
    assert.equal(await done, 0);
    assert.ok(existsSync(state));
    assert.equal(
      (JSON.parse(readFileSync(state, "utf8")) as { org: { settings: { orgId: string } } }).org.settings
        .orgId,
      orgId,
    );

    const second = run(["--port", "0", "--state", state]);
    const again = await second.banner;
    assert.equal(field(again, "org id"), orgId, "the saved org comes back");
    const stopped = exited(second.child);
    second.child.kill("SIGINT");
    assert.equal(await stopped, 0);
  });
});
