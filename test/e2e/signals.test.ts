import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort } from "../support/federation.ts";
import { killLeftovers, portReleased, startProcess, stopProcess } from "../support/processes.ts";

const root = new URL("../..", import.meta.url).pathname;

/**
 * SIGTERM to the process the user started — `npm start`, `npx portico serve` — must stop the
 * server and free both ports, although npm runs it under `sh -c` and signals only that shell.
 */
describe("SIGTERM to the command the user started", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-signals-"));
  after(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, command, args] of [
    ["npm start", "npm", ["start"]],
    ["npx portico serve", "npx", ["portico", "serve"]],
  ] as const) {
    it(`${name} releases both ports`, async () => {
      const [runtimePort, adminPort] = [await freePort(), await freePort()];
      const started = await startProcess(
        command,
        args,
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? dir,
            PORTICO_DATA_DIR: join(dir, name.replace(/\W+/g, "-")),
            PORTICO_RUNTIME_PORT: String(runtimePort),
            PORTICO_ADMIN_PORT: String(adminPort),
            PORTICO_ADMIN_PASSWORD: "signals-test-password",
            PORTICO_LOG_LEVEL: "warn",
          },
        },
        (output) => /Created the admin account/.test(output),
      );
      const heartbeat = await fetch(`http://127.0.0.1:${runtimePort}/pf/heartbeat.ping`);
      assert.equal(heartbeat.status, 200);

      await stopProcess(started.child, "SIGTERM");
      assert.ok(await portReleased(runtimePort), `the runtime port is released:\n${started.output()}`);
      assert.ok(await portReleased(adminPort), `the admin port is released:\n${started.output()}`);
    });
  }
});
