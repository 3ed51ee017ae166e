import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";
import { freePort } from "../support/federation.ts";
import { killLeftovers, runProcess, startProcess, stopProcess } from "../support/processes.ts";

const bin = new URL("../../bin/portico.js", import.meta.url).pathname;

describe("portico demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-demo-"));
  after(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A real installation's settings, as they may sit in the shell that runs the demo. */
  const production = join(dir, "production");
  mkdirSync(production);
  writeFileSync(join(production, "keep"), "a real installation's file");
  const productionEnv = {
    PORTICO_DATA_DIR: production,
    PORTICO_DATABASE_URL: `sqlite:${join(production, "portico.db")}`,
    PORTICO_MASTER_KEY: generateMasterKey(),
    PORTICO_ADMIN_PASSWORD: "the-production-admin-password",
  };

  it("runs from any directory, wired to the emulated org, and leaves a real installation alone", async () => {
    // Started the way a user runs `npx portico demo`, from a directory outside the repository.
    const cwd = join(dir, "elsewhere");
    mkdirSync(cwd);
    const [runtime, admin, emulator] = [await freePort(), await freePort(), await freePort()];
    const demo = await startProcess(
      process.execPath,
      [bin, "demo"],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? "",
          DEMO_RUNTIME_PORT: String(runtime),
          DEMO_ADMIN_PORT: String(admin),
          DEMO_EMULATOR_PORT: String(emulator),
          ...productionEnv,
        },
      },
      (output) => output.includes("Ctrl-C stops the demo"),
    );
    try {
      const banner = demo.output();
      const demoDir = join(cwd, "data", "demo");
      assert.ok(existsSync(join(demoDir, ".portico-demo")), "the demo's own data dir, marked");
      assert.ok(existsSync(join(demoDir, "portico.db")));
      assert.deepEqual(readdirSync(production), ["keep"], "nothing written to the real data dir or database");
      assert.ok(
        !banner.includes(productionEnv.PORTICO_ADMIN_PASSWORD),
        "the real admin password is never printed",
      );
      assert.ok(
        banner.includes(`the demo ignores PORTICO_DATABASE_URL: it uses its own database in ${demoDir}`),
      );
      for (const name of Object.keys(productionEnv))
        assert.match(banner, new RegExp(`the demo ignores ${name}:`));

      const start = /IdP-initiated: (\S+)/.exec(banner)?.[1] ?? "";
      const login = await fetch(start);
      assert.equal(login.status, 200);
      const page = await login.text();
      const resume = /name="resume" value="([^"]*)"/.exec(page)?.[1]?.replace(/&amp;/g, "&") ?? "";
      const password = /with the password (\S+):/.exec(banner)?.[1] ?? "";
      // The form is bound to the cookie it was shown with, as a browser would carry it.
      const formCookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const posted = await fetch(`http://127.0.0.1:${runtime}/idp/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: formCookie },
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

      // Users flow: the sample directory is in the org, and a new person follows within seconds.
      const usernames = async () =>
        (
          (await (await fetch(`http://127.0.0.1:${emulator}/_emulator/records/User`)).json()) as {
            records: { Username: string; IsActive: boolean }[];
          }
        ).records
          .filter((u) => u.IsActive)
          .map((u) => u.Username);
      const until = async (what: string, check: () => Promise<boolean>) => {
        for (let i = 0; i < 120; i++) {
          if (await check()) return;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        assert.fail(`${what} did not happen within 30 s`);
      };
      const domain = /users add grace --mail grace@(\S+) /.exec(banner)?.[1] ?? "";
      assert.ok(domain, banner);
      await until("the sample directory reaching the org", async () =>
        (await usernames()).includes(`margaret@${domain}`),
      );
      const added = await runProcess(
        process.execPath,
        [
          bin,
          "users",
          "add",
          "grace",
          "--mail",
          `grace@${domain}`,
          "--sn",
          "Hopper",
          "--group",
          "salesforce-users",
        ],
        {
          cwd,
          env: {
            PATH: process.env.PATH ?? "",
            PORTICO_ADMIN_URL: `http://127.0.0.1:${admin}`,
            PORTICO_ADMIN_PASSWORD: /\(admin \/ (\S+)\)/.exec(banner)?.[1] ?? "",
          },
        },
      );
      assert.equal(added.code, 0, added.output);
      await until("grace reaching the org", async () => (await usernames()).includes(`grace@${domain}`));
    } finally {
      assert.equal(await stopProcess(demo.child, "SIGTERM"), 0);
    }
  });

  it("refuses a data dir it did not create, and a port in use, in one line each", async () => {
    const installation = join(dir, "not-a-demo");
    mkdirSync(installation);
    writeFileSync(join(installation, "portico.db"), "someone's data");
    const env = { PATH: process.env.PATH ?? "", DEMO_DATA_DIR: installation };
    const refused = await runProcess(process.execPath, [bin, "demo"], { cwd: dir, env });
    assert.equal(refused.code, 2, refused.output);
    assert.ok(
      refused.output.startsWith(`portico demo: CLI_USAGE: DEMO_DATA_DIR: ${installation} holds files`),
      refused.output,
    );
    assert.deepEqual(readdirSync(installation), ["portico.db"], "left untouched");

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const blocked = await runProcess(process.execPath, [bin, "demo"], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", DEMO_EMULATOR_PORT: String(port) },
      });
      assert.equal(blocked.code, 1);
      assert.equal(
        blocked.output,
        `portico demo: CFG_LISTEN_FAILED: DEMO_EMULATOR_PORT: port ${port} on 127.0.0.1 is already in use\n`,
        "one line, no stack trace",
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
