import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type CliResult,
  type CliTestServer,
  cliAdminPassword,
  parseJsonOutput,
  salesforceConnection,
  startCliServer,
} from "../support/cli.ts";

const clientSecret = "sf-client-secret-bundle-3Kd8Pq";

describe("portico config export and import", () => {
  let source: CliTestServer;
  let fresh: CliTestServer;
  let work: string;
  const outputs: CliResult[] = [];
  const run = async (server: CliTestServer, argv: string[], options: { stdin?: string } = {}) => {
    const result = await server.run(argv, { cwd: work, ...options });
    outputs.push(result);
    return result;
  };
  const ok = async (server: CliTestServer, argv: string[], options: { stdin?: string } = {}) => {
    const result = await run(server, argv, options);
    assert.equal(result.code, 0, `${argv.join(" ")}: ${result.stderr}`);
    return result;
  };

  before(async () => {
    source = await startCliServer();
    fresh = await startCliServer({ masterKey: source.masterKey });
    work = mkdtempSync(join(tmpdir(), "portico-cli-config-"));
    // Both servers generated their own "default-signing" on first start; the import replaces the
    // fresh server's (unused) one with the source's, which the connection signs with.
    await ok(source, ["keys", "generate", "--id", "acme-signing", "--cn", "idp.acme.example", "--default"]);
    const document = salesforceConnection({
      id: "acme-prod",
      entityId: "https://acme.my.salesforce.com",
      name: "Acme production",
      clientSecret,
    });
    await ok(source, ["connections", "create", "--file", "-"], { stdin: JSON.stringify(document) });
  });
  after(async () => {
    await Promise.all([source.dispose(), fresh.dispose()]);
    rmSync(work, { recursive: true, force: true });
  });

  it("exports the configuration as one JSON document on standard output, secrets only encrypted", async () => {
    const bundle = parseJsonOutput(await ok(source, ["config", "export"]));
    assert.equal(bundle.formatVersion, 1);
    assert.equal(bundle.defaultSigningKeyId, "acme-signing");
    const keys = bundle.keyPairs as { id: string; encryptedPrivateKey: string }[];
    assert.deepEqual(keys.map((k) => k.id).sort(), ["acme-signing", "default-signing"]);
    for (const key of keys) assert.ok(key.encryptedPrivateKey);
    assert.deepEqual(
      (bundle.spConnections as { id: string }[]).map((c) => c.id),
      ["acme-prod"],
    );
  });

  it("writes the document to a file with --out", async () => {
    const result = await ok(source, ["config", "export", "--out", "bundle.json"]);
    assert.match(
      result.stdout,
      /^Wrote 2 key pair\(s\), 0 data store\(s\), 0 credential validator\(s\) and 1 SP connection\(s\) to .*bundle\.json\./,
    );
    assert.equal(JSON.parse(readFileSync(join(work, "bundle.json"), "utf8")).formatVersion, 1);
  });

  it("imports the document into a fresh server sharing the master key, which then holds the same configuration", async () => {
    const result = await ok(fresh, ["config", "import", "bundle.json"]);
    const lines = result.stdout.split("\n");
    assert.deepEqual(lines[0]?.replace("Imported key pairs: ", "").split(", ").sort(), [
      "acme-signing",
      "default-signing",
    ]);
    assert.deepEqual(lines.slice(1), [
      "  replacing this server's unused key pairs of the same id: default-signing",
      "Key pairs already present: none",
      "Imported data stores: none",
      "Imported credential validators: none",
      "Sign-in form: left as it was",
      "Imported SP connections: acme-prod",
      "",
    ]);
    const original = parseJsonOutput(await ok(source, ["connections", "export", "acme-prod"]));
    const copy = parseJsonOutput(await ok(fresh, ["connections", "export", "acme-prod"]));
    assert.deepEqual(copy, original);
    for (const id of ["acme-signing", "default-signing"]) {
      const sourcePem = (await ok(source, ["keys", "export-cert", id])).stdout;
      assert.equal((await ok(fresh, ["keys", "export-cert", id])).stdout, sourcePem, id);
    }
    const keys = parseJsonOutput(await ok(fresh, ["keys", "list", "--json"])).items as {
      id: string;
      isDefault: boolean;
    }[];
    assert.equal(keys.find((k) => k.isDefault)?.id, "acme-signing");
  });

  it("refuses a second import of the same document, changing nothing", async () => {
    const before = (await ok(fresh, ["config", "export"])).stdout;
    const result = await run(fresh, ["config", "import", "-", "--json"], {
      stdin: readFileSync(join(work, "bundle.json"), "utf8"),
    });
    assert.equal(result.code, 1);
    // --json: the failure is JSON too, on standard error.
    const { error } = JSON.parse(result.stderr) as { error: { code: string; message: string } };
    assert.equal(error.code, "CONFIG_NOT_EMPTY");
    assert.match(error.message, /acme-prod.+\(HTTP 409\)$/);
    const afterExport = parseJsonOutput(await ok(fresh, ["config", "export"]));
    const beforeExport = JSON.parse(before) as Record<string, unknown>;
    assert.deepEqual({ ...afterExport, exportedAt: "" }, { ...beforeExport, exportedAt: "" });
  });

  it("prints the import report as JSON with --json", async () => {
    const empty = { formatVersion: 1, keyPairs: [], spConnections: [] };
    const report = parseJsonOutput(
      await ok(fresh, ["config", "import", "-", "--json"], { stdin: JSON.stringify(empty) }),
    );
    assert.deepEqual(report.spConnectionsImported, []);
    assert.deepEqual(report.keyPairsImported, []);
  });

  it("reports an invalid document in one line", async () => {
    const result = await run(fresh, ["config", "import", "-"], {
      stdin: JSON.stringify({ formatVersion: 2 }),
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^portico: [A-Z_]+: [^\n]+\(HTTP 4\d\d\)\n$/);
    assert.equal((await run(fresh, ["config", "import"])).code, 2);
  });

  it("never printed the client secret, a private key or the admin password", () => {
    for (const { stdout, stderr } of outputs) {
      const text = `${stdout}${stderr}`;
      assert.equal(text.includes(clientSecret), false);
      assert.equal(text.includes("PRIVATE KEY"), false);
      assert.equal(text.includes(cliAdminPassword), false);
    }
  });
});
