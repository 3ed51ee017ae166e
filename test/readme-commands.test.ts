import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { demoVariables } from "../src/cli/demo-setup.ts";
import { startCliServer } from "./support/cli.ts";
import { freePort } from "./support/federation.ts";
import { killLeftovers, startProcess } from "./support/processes.ts";
import { commandBlockWith, readme, readmeSection } from "./support/readme.ts";

const root = new URL("..", import.meta.url).pathname;

describe("the README's commands for people without a Salesforce org", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-readme-"));
  after(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("run the emulator, download its metadata and create the connection from it", async () => {
    const [emulatorCommand, curl] = commandBlockWith("_emulator/sso/metadata");
    assert.deepEqual(emulatorCommand?.slice(0, 5), ["npm", "run", "emulator", "--", "--port"]);
    const documentedPort = emulatorCommand?.[5] ?? "";
    const port = String(await freePort());
    const withPort = (words: string[]) =>
      words.map((word) => word.replace(`:${documentedPort}/`, `:${port}/`));

    await startProcess(
      "npm",
      [...(emulatorCommand ?? []).slice(1, 5), port],
      { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir } },
      (output) => output.includes("Salesforce emulator listening on"),
    );
    const [curlBinary, ...curlArgs] = withPort(curl ?? []);
    assert.equal(curlBinary, "curl");
    await promisify(execFile)("curl", ["--fail", "--silent", ...curlArgs], { cwd: dir });
    const file = curlArgs[curlArgs.indexOf("-o") + 1] ?? "";
    assert.ok(existsSync(join(dir, file)), `${file} was downloaded`);

    // Step 3's command, given the emulator's file as the README says.
    const [convert] = commandBlockWith("metadata convert");
    assert.deepEqual(convert?.slice(0, 4), ["npx", "portico", "metadata", "convert"]);
    const args = (convert ?? []).slice(2);
    args[2] = file;
    const server = await startCliServer();
    try {
      const result = await server.run(args, { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Created SP connection "Salesforce Production" \(id \S+\), active\./);
      assert.ok(result.stdout.includes(`Entity ID: http://127.0.0.1:${port}`), result.stdout);
      assert.match(result.stdout, /idp\/startSSO\.ping\?PartnerSpId=/, "step 4's SSO Application Endpoint");
    } finally {
      await server.dispose();
    }
  });
});

describe("the README's notes for operators", () => {
  it("Production lists the admin listener's address and the way back in", () => {
    const production = readmeSection("Production");
    assert.ok(production.includes("`PORTICO_ADMIN_HOST`"));
    assert.ok(production.includes("portico admin reset-password"));
  });

  it("documents each demo variable with its default", () => {
    const rows = readme
      .split("\n")
      .filter((line) => line.startsWith("| `DEMO_"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    assert.deepEqual(
      rows.map((cells) => [cells[1], cells[2]]),
      Object.entries(demoVariables).map(([name, value]) => [`\`${name}\``, `\`${value}\``]),
    );
  });

  it("lists every top-level command", () => {
    const list = readmeSection("The CLI").split("\n")[3] ?? "";
    for (const name of ["serve", "demo", "admin reset-password"]) assert.ok(list.includes(name), name);
  });
});
