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

  it("npm run demo releases its three ports", async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const [runtimePort, adminPort, emulatorPort] = ports;
    const started = await startProcess(
      "npm",
      ["run", "demo"],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? dir,
          DEMO_DATA_DIR: join(dir, "demo"),
          DEMO_RUNTIME_PORT: String(runtimePort),
          DEMO_ADMIN_PORT: String(adminPort),
          DEMO_EMULATOR_PORT: String(emulatorPort),
        },
      },
      (output) => output.includes("Ctrl-C stops the demo"),
    );
    await stopProcess(started.child, "SIGTERM");
    for (const port of ports)
      assert.ok(await portReleased(port), `port ${port} is released:\n${started.output()}`);
  });
});
