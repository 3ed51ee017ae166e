import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

const clientSecret = "sf-client-secret-never-print-7Q2w9E";
const oddSecret = "odd-refresh-token-never-print-3Xc8";
const endpoint = "http://localhost:9031/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Facme.my.salesforce.com";
const oneLineError = (code: string, status: number) =>
  new RegExp(`^portico: ${code}: [^\\n]+\\(HTTP ${status}\\)\\n$`);

type Setting = { name: string; value?: string; encryptedValue?: string };
const secretSetting = (document: Record<string, unknown>): Setting | undefined =>
  ((document.outboundProvision as { targetSettings: Setting[] }).targetSettings ?? []).find(
    (s) => s.name === "CLIENT_SECRET",
  );

describe("portico connections", () => {
  let a: CliTestServer;
  let b: CliTestServer;
  let work: string;
  const outputs: CliResult[] = [];
  const run = async (server: CliTestServer, argv: string[], options: { stdin?: string } = {}) => {
    const result = await server.run(argv, { cwd: work, ...options });
    outputs.push(result);
    return result;
  };

  before(async () => {
    a = await startCliServer();
    // The second server shares the master key, as a standby or a restored copy would.
    b = await startCliServer({ masterKey: a.masterKey });
    work = mkdtempSync(join(tmpdir(), "portico-cli-work-"));
  });
  after(async () => {
    await Promise.all([a.dispose(), b.dispose()]);
    rmSync(work, { recursive: true, force: true });
  });

  it("creates a connection from a file relative to the working directory and prints its SSO Application Endpoint", async () => {
    const document = salesforceConnection({
      id: "acme-prod",
      entityId: "https://acme.my.salesforce.com",
      name: "Acme production",
      clientSecret,
    });
    writeFileSync(join(work, "acme.json"), JSON.stringify(document));
    const result = await run(a, ["connections", "create", "--file", "acme.json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created SP connection "Acme production" \(id acme-prod\), inactive\./);
    assert.ok(result.stdout.includes(`SSO Application Endpoint: ${endpoint}`), result.stdout);
  });

  it("creates a connection from standard input with --file - and prints JSON with --json", async () => {
    const document = salesforceConnection({
      id: "globex",
      entityId: "https://globex.my.salesforce.com",
      name: "Globex",
      clientSecret,
    });
    const result = await run(a, ["connections", "create", "--file", "-", "--json"], {
      stdin: JSON.stringify(document),
    });
    assert.equal(result.code, 0, result.stderr);
    const created = parseJsonOutput(result);
    assert.equal(created.id, "globex");
    assert.equal(secretSetting(created)?.value, undefined);
    assert.ok(secretSetting(created)?.encryptedValue);
  });

  it("lists connections as a table, and as the API's JSON with --json", async () => {
    const table = await run(a, ["connections", "list"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^ID\s+NAME\s+ENTITY ID\s+ACTIVE\s+DEFAULT ACS$/);
    const row = lines.find((l) => l.startsWith("acme-prod"));
    assert.match(
      row ?? "",
      /acme-prod\s+Acme production\s+https:\/\/acme\.my\.salesforce\.com\s+no\s+https:\/\/acme\.my\.salesforce\.com\?so=00D5g000004AbCd$/,
    );
    assert.ok(lines.some((l) => l.startsWith("globex")));

    const json = parseJsonOutput(await run(a, ["connections", "list", "--json"]));
    assert.deepEqual((json.items as { id: string }[]).map((c) => c.id).sort(), ["acme-prod", "globex"]);
  });

  it("gets one connection as JSON, its client secret only encrypted", async () => {
    const result = await run(a, ["connections", "get", "acme-prod"]);
    assert.equal(result.code, 0, result.stderr);
    const connection = parseJsonOutput(result);
    assert.equal(connection.name, "Acme production");
    assert.equal(
      (connection.spBrowserSso as { ssoApplicationEndpoint: string }).ssoApplicationEndpoint,
      endpoint,
    );
    assert.ok(secretSetting(connection)?.encryptedValue);
    assert.equal(secretSetting(connection)?.value, undefined);
  });

  it("exports a document that imports unchanged into a second, empty server", async () => {
    const exported = await run(a, ["connections", "export", "acme-prod"]);
    assert.equal(exported.code, 0, exported.stderr);
    const document = parseJsonOutput(exported);
    for (const field of ["creationDate", "modificationDate"]) assert.equal(field in document, false, field);
    assert.equal("ssoApplicationEndpoint" in (document.spBrowserSso as object), false);

    const empty = await run(b, ["connections", "list"]);
    assert.equal(empty.stdout, "No SP connections.\n");
    const imported = await run(b, ["connections", "import", "--file", "-"], { stdin: exported.stdout });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Imported SP connection "Acme production" \(id acme-prod\)/);

    const again = await run(b, ["connections", "export", "acme-prod"]);
    assert.deepEqual(parseJsonOutput(again), document);
  });

  it("export --out writes the file; import --replace replaces the connection with the document's id", async () => {
    const written = await run(a, ["connections", "export", "globex", "--out", "globex.json"]);
    assert.equal(written.code, 0, written.stderr);
    assert.ok(written.stdout.includes(join(work, "globex.json")));

    const document = parseJsonOutput(await run(a, ["connections", "export", "globex"]));
    const renamed = { ...document, name: "Globex (renamed)" };
    const refused = await run(a, ["connections", "import", "--file", "-"], {
      stdin: JSON.stringify(renamed),
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, oneLineError("CONN_ID_TAKEN", 409));

    const replaced = await run(a, ["connections", "import", "--file", "-", "--replace"], {
      stdin: JSON.stringify(renamed),
    });
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, /Replaced SP connection "Globex \(renamed\)"/);
    const stored = parseJsonOutput(await run(a, ["connections", "get", "globex"]));
    assert.equal(stored.name, "Globex (renamed)");
    // The echoed encryptedValue kept the secret rather than replacing it.
    assert.equal(secretSetting(stored)?.encryptedValue, secretSetting(document)?.encryptedValue);
  });

  it("updates a connection from a file (PUT)", async () => {
    const document = parseJsonOutput(await run(a, ["connections", "export", "globex"]));
    const result = await run(a, ["connections", "update", "globex", "--file", "-"], {
      stdin: JSON.stringify({ ...document, name: "Globex EMEA" }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Updated SP connection "Globex EMEA" (id globex).\n');
  });

  it("activates and deactivates a connection, keeping the rest of it", async () => {
    const before = parseJsonOutput(await run(a, ["connections", "get", "acme-prod"]));
    const on = await run(a, ["connections", "activate", "acme-prod"]);
    assert.equal(on.code, 0, on.stderr);
    assert.equal(on.stdout, 'SP connection "Acme production" (id acme-prod) is now active.\n');
    const active = parseJsonOutput(await run(a, ["connections", "get", "acme-prod"]));
    assert.equal(active.active, true);
    assert.deepEqual(active.spBrowserSso, before.spBrowserSso);
    assert.equal(secretSetting(active)?.encryptedValue, secretSetting(before)?.encryptedValue);

    const refused = await run(a, ["connections", "delete", "acme-prod"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, oneLineError("CONN_ACTIVE", 422));

    const off = await run(a, ["connections", "deactivate", "acme-prod", "--json"]);
    assert.equal(parseJsonOutput(off).active, false);
  });

  it("deletes a connection; afterwards it is not found", async () => {
    const deleted = await run(a, ["connections", "delete", "globex"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'Deleted SP connection "globex".\n');
    const gone = await run(a, ["connections", "get", "globex"]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout, "");
    assert.match(gone.stderr, oneLineError("CONN_NOT_FOUND", 404));
  });

  it("reports an invalid document in one line naming the field, and stores nothing", async () => {
    const document = salesforceConnection({
      id: "broken",
      entityId: "https://broken.example.com",
      name: "Broken",
      clientSecret,
    });
    (document.spBrowserSso as { ssoServiceEndpoints: { isDefault: boolean }[] }).ssoServiceEndpoints.forEach(
      (e) => {
        e.isDefault = true;
      },
    );
    const result = await run(a, ["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(document),
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, oneLineError("CONN_INVALID", 422));
    assert.match(result.stderr, /ssoServiceEndpoints/);
    assert.equal((await run(a, ["connections", "get", "broken"])).code, 1);
  });

  it("refuses bad input files before calling the server", async () => {
    const missing = await run(a, ["connections", "create", "--file", "nope.json"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^portico: CLI_USAGE: cannot read nope\.json: no such file\n$/);
    const notJson = await run(a, ["connections", "create", "--file", "-"], { stdin: "<xml/>" });
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /^portico: REQ_MALFORMED_JSON: standard input is not JSON/);
    const noId = await run(a, ["connections", "import", "--file", "-", "--replace"], { stdin: "{}" });
    assert.equal(noId.code, 2);
  });

  it("exits 2 on bad usage", async () => {
    for (const argv of [
      ["connections", "create"],
      ["connections", "get"],
      ["connections", "list", "--bogus"],
      ["connections", "frobnicate"],
    ]) {
      const result = await run(a, argv);
      assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^portico: CLI_USAGE: .+ \(run with --help for usage\)\n$/);
    }
  });

  it("never prints a secret under a name of its own, in get or export", async () => {
    const document = salesforceConnection({
      id: "initech",
      entityId: "https://initech.my.salesforce.com",
      name: "Initech",
      clientSecret,
    });
    // Another connector's settings: Salesforce's refuses names it does not know.
    const provision = document.outboundProvision as { type: string; targetSettings: Setting[] };
    provision.type = "ExampleSaasProvisioner";
    provision.targetSettings.push(
      { name: "refresh_token", value: oddSecret },
      { name: "ACCOUNT_ID", value: "001Q" },
    );
    const created = await run(a, ["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(document),
    });
    assert.equal(created.code, 0, created.stderr);
    for (const argv of [
      ["connections", "get", "initech"],
      ["connections", "export", "initech"],
    ]) {
      const result = await run(a, argv);
      assert.equal(result.code, 0, result.stderr);
      const shown = (parseJsonOutput(result).outboundProvision as { targetSettings: Setting[] })
        .targetSettings;
      assert.equal(shown.find((s) => s.name === "refresh_token")?.value, undefined, argv.join(" "));
      assert.ok(shown.find((s) => s.name === "refresh_token")?.encryptedValue, argv.join(" "));
      assert.equal(shown.find((s) => s.name === "ACCOUNT_ID")?.value, "001Q");
    }
  });

  it("never printed the client secret or the admin password", () => {
    assert.ok(outputs.length > 20);
    for (const { stdout, stderr } of outputs) {
      for (const secret of [clientSecret, oddSecret, cliAdminPassword]) {
        assert.equal(stdout.includes(secret) || stderr.includes(secret), false);
      }
    }
  });
});
