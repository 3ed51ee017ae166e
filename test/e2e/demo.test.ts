import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { freePort } from "../support/federation.ts";

const root = new URL("../..", import.meta.url).pathname;

describe("npm run demo", () => {
  it("starts Portico and the emulated org wired together, and signs a user in", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "portico-demo-"));
    const [runtime, admin, emulator] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        PORTICO_DATA_DIR: dataDir,
        PORTICO_RUNTIME_PORT: String(runtime),
        PORTICO_ADMIN_PORT: String(admin),
        DEMO_EMULATOR_PORT: String(emulator),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let text = "";
        const timer = setTimeout(() => reject(new Error(`no banner:\n${text}`)), 60_000);
        const take = (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("Ctrl-C stops the demo")) {
            clearTimeout(timer);
            resolve(text);
          }
        };
        child.stdout.on("data", take);
        child.stderr.on("data", take);
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`exited ${code}:\n${text}`));
        });
      });
      const start = /IdP-initiated: (\S+)/.exec(banner)?.[1] ?? "";
      const login = await fetch(start);
      assert.equal(login.status, 200);
      const page = await login.text();
      const resume = /name="resume" value="([^"]*)"/.exec(page)?.[1]?.replace(/&amp;/g, "&") ?? "";
      const password = /with the password (\S+):/.exec(banner)?.[1] ?? "";
      const posted = await fetch(`http://127.0.0.1:${runtime}/idp/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ resume, username: "integration", password }),
      });
      const form = await posted.text();
      const action = /<form method="post" action="([^"]+)"/.exec(form)?.[1]?.replace(/&amp;/g, "&") ?? "";
      const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(form)?.[1] ?? "";
      assert.ok(action.startsWith(`http://127.0.0.1:${emulator}`), action);
      const landed = await fetch(action, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ SAMLResponse: samlResponse }),
      });
      assert.equal(landed.status, 200, await landed.text());
    } finally {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
