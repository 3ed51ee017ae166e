import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { requireTool } from "../../scripts/slapd.ts";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";
import { launchBrowser } from "../support/browser.ts";
import { signInToConsole } from "../support/console.ts";
import { throwsCode } from "../support/errors.ts";
import { freePort } from "../support/federation.ts";
import { killLeftovers, portReleased, runProcess, startProcess, stopProcess } from "../support/processes.ts";

const bin = new URL("../../bin/portico.js", import.meta.url).pathname;

/**
 * An IdP-initiated sign-in as a browser makes it: the start URL, the login form (bound to the
 * cookie it came with), then the auto-POST to the org's ACS. Resolves to the org's answer.
 */
const signInThroughSso = async (start: string, runtimePort: number, username: string, password: string) => {
  const login = await fetch(start);
  assert.equal(login.status, 200);
  const page = await login.text();
  const resume = /name="resume" value="([^"]*)"/.exec(page)?.[1]?.replace(/&amp;/g, "&") ?? "";
  const formCookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const posted = await fetch(`http://127.0.0.1:${runtimePort}/idp/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: formCookie },
    body: new URLSearchParams({ resume, username, password }),
  });
  const form = await posted.text();
  const action = /<form method="post" action="([^"]+)"/.exec(form)?.[1]?.replace(/&amp;/g, "&") ?? "";
  const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(form)?.[1] ?? "";
  assert.ok(samlResponse, `no SAMLResponse for ${username}: ${form.slice(0, 300)}`);
  return {
    action,
    landed: await fetch(action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse }),
    }),
  };
};

/** The org's active usernames. */
const activeUsernames = async (emulatorPort: number) =>
  (
    (await (await fetch(`http://127.0.0.1:${emulatorPort}/_emulator/records/User`)).json()) as {
      records: { Username: string; IsActive: boolean }[];
    }
  ).records
    .filter((u) => u.IsActive)
    .map((u) => u.Username);

const until = async (what: string, check: () => Promise<boolean>) => {
  for (let i = 0; i < 240; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`${what} did not happen within 60 s`);
};

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

      // Users flow: the sample directory is in the org, and a new person follows within seconds.
      const usernames = () => activeUsernames(emulator);
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

      // The demo opens on the console: its address and credentials are printed, and the
      // connection, its channel and what it provisioned are there.
      const consoleLine = /Portico console\s+(\S+)\s+\(sign in as (\S+) \/ (\S+):/.exec(banner);
      assert.ok(consoleLine, banner);
      const [, consoleUrl = "", consoleUser = "", consolePassword = ""] = consoleLine;
      assert.equal(consoleUrl, `http://127.0.0.1:${admin}/console`);
      const browser = await launchBrowser();
      try {
        const page = await (await browser.newContext()).newPage();
        await signInToConsole(page, consoleUser, consolePassword, consoleUrl);
        await page.goto(`${consoleUrl}/connections`);
        assert.match(
          (await page.textContent("main")) ?? "",
          /Demo org \(emulated\)/,
          "the connection is listed",
        );
        await page.goto(`${consoleUrl}/provisioning`);
        const dashboard = (await page.textContent("main")) ?? "";
        assert.match(dashboard, /Directory to Salesforce/, "its channel is on the dashboard");
        assert.match(dashboard, /IDLE|RUNNING/, "with its state");

        // The one link the banner says to open, in the same browser: Portico's sign-in, then the org.
        const start = /in the same browser as the console:\n +open +(\S+)/.exec(banner)?.[1] ?? "";
        const password = /sign in as "integration" with the password (\S+) /.exec(banner)?.[1] ?? "";
        assert.ok(start && password, banner);
        await page.goto(start);
        assert.equal(await page.title(), "Sign in");
        await page.getByLabel("Username").fill("integration");
        await page.getByLabel("Password").fill(password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL((url) => url.href.startsWith(`http://127.0.0.1:${emulator}/`));
        assert.equal(await page.title(), "Signed in", "the org's landing page");
        assert.equal(await page.locator("#username").textContent(), `integration@${domain}`);
      } finally {
        await browser.dispose();
      }
    } finally {
      assert.equal(await stopProcess(demo.child, "SIGTERM"), 0);
    }
  });

  it("with --ldap, provisions the people from slapd, signs one in with the LDAP password, and leaves nothing behind", async () => {
    const cwd = join(dir, "ldap");
    mkdirSync(cwd);
    const [runtime, admin, emulator, ldap] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const slapdDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("portico-demo-slapd-"));
    const before = new Set(slapdDirs());
    const demo = await startProcess(
      process.execPath,
      [bin, "demo", "--ldap"],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? "",
          DEMO_RUNTIME_PORT: String(runtime),
          DEMO_ADMIN_PORT: String(admin),
          DEMO_EMULATOR_PORT: String(emulator),
          DEMO_LDAP_PORT: String(ldap),
        },
      },
      (output) => output.includes("Ctrl-C stops the demo"),
    );
    let ours: string[] = [];
    try {
      const banner = demo.output();
      ours = slapdDirs().filter((name) => !before.has(name));
      assert.equal(ours.length, 1, "slapd runs from a temp dir of its own");
      assert.match(banner, new RegExp(`LDAP directory +ldap://127\\.0\\.0\\.1:${ldap} `));
      const user = /LDAP users sign in the same way: "(\w+)"/.exec(banner)?.[1] ?? "";
      const password = /with the LDAP password (\S+)/.exec(banner)?.[1] ?? "";
      assert.ok(user && password, banner);
      const org = (await (await fetch(`http://127.0.0.1:${emulator}/_emulator/org`)).json()) as {
        adminUsername: string;
      };
      const domain = org.adminUsername.slice(org.adminUsername.indexOf("@") + 1);

      // The people in slapd's group reach the org through the channel on the LDAP data store.
      await until("the LDAP people reaching the org", async () => {
        const names = await activeUsernames(emulator);
        return [user, "margaret"].every((uid) => names.includes(`${uid}@${domain}`));
      });
      // One of them signs in to the org with the LDAP password, checked by a bind against slapd.
      const start = /\n +open +(\S+)/.exec(banner)?.[1] ?? "";
      const { landed } = await signInThroughSso(start, runtime, user, password);
      assert.equal(landed.status, 200, await landed.text());
      const validation = (await (
        await fetch(`http://127.0.0.1:${emulator}/_emulator/sso/validations/last`)
      ).json()) as { status: string; username?: string };
      assert.deepEqual([validation.status, validation.username], ["Success", `${user}@${domain}`]);

      // The banner's command adds grace to slapd and its group; the channel brings her over.
      const command = /\n +(ldapmodify \S.*)\n/.exec(banner)?.[1] ?? "";
      const [tool = "", ...args] = command.split(" ");
      assert.equal(tool, "ldapmodify", banner);
      const added = await runProcess(`/usr/bin/${tool}`, args, {
        cwd,
        env: { PATH: process.env.PATH ?? "" },
      });
      assert.equal(added.code, 0, added.output);
      await until("grace reaching the org", async () =>
        (await activeUsernames(emulator)).includes(`grace@${domain}`),
      );
    } finally {
      assert.equal(await stopProcess(demo.child, "SIGTERM"), 0);
    }
    // Nothing left behind: slapd stopped, its files gone.
    assert.ok(await portReleased(ldap), "slapd no longer listens");
    assert.deepEqual(
      slapdDirs().filter((name) => ours.includes(name)),
      [],
    );
  });

  it("--ldap without slapd names the Debian package to install", () => {
    // The demo checks this before it touches a port or its data dir (scripts/demo.ts).
    throwsCode(
      () => requireTool("/nonexistent/sbin/slapd", "slapd"),
      "CLI_TOOL_MISSING",
      /^slapd is not installed \(\/nonexistent\/sbin\/slapd\): install the Debian package slapd/,
    );
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
