import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliResult, type CliTestServer, parseJsonOutput, startCliServer } from "../support/cli.ts";
import { baseDn, type Slapd, serviceDn, servicePassword, startSlapd } from "../support/slapd.ts";

describe("portico datastores", () => {
  let slapd: Slapd;
  let server: CliTestServer;
  let work: string;
  const outputs: CliResult[] = [];
  const run = async (argv: string[], options: { stdin?: string } = {}) => {
    const result = await server.run(argv, { cwd: work, ...options });
    outputs.push(result);
    return result;
  };

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    server = await startCliServer();
    work = mkdtempSync(join(tmpdir(), "portico-cli-ds-"));
    writeFileSync(join(work, "ca.pem"), slapd.caPem);
  });
  after(async () => {
    await server?.dispose();
    await slapd?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("creates a data store from flags, the password from standard input", async () => {
    const result = await run(
      [
        "datastores",
        "create",
        "--id",
        "corp",
        "--name",
        "Corporate directory",
        "--type",
        "GENERIC",
        "--host",
        "127.0.0.1:1",
        "--host",
        slapd.hostname,
        "--bind-dn",
        serviceDn,
        "--bind-password-stdin",
        "--starttls",
        "--ca-file",
        "ca.pem",
      ],
      { stdin: `${servicePassword}\n` },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created data store "corp"/);
    assert.match(result.stdout, /security: +StartTLS/);
    assert.match(result.stdout, /password: +set \(sealed\)/);
  });

  it("lists and shows it, never with the password", async () => {
    const list = await run(["datastores", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /corp +Corporate directory +GENERIC +127\.0\.0\.1:1 localhost:\d+ +StartTLS/);
    const json = parseJsonOutput(await run(["datastores", "get", "corp", "--json"]));
    assert.equal(json.userDN, serviceDn);
    assert.equal(json.password, undefined);
  });

  it("tests it: fails over to the second host and reports each stage", async () => {
    const result = await run(["datastores", "test", "corp", "--base-dn", baseDn]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /OK via localhost:\d+ \(DNS → TCP → TLS → BIND → SEARCH/);
    assert.match(result.stdout, /skipped 127\.0\.0\.1:1: LDAP_TCP/);
  });

  it("reports the failed stage with its code and a non-zero exit", async () => {
    const result = await run(["datastores", "test", "corp", "--base-dn", `ou=missing,${baseDn}`]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /LDAP_SEARCH: .*ou=missing,dc=example,dc=com.*does not exist/);
  });

  it("creates from a PingFederate-shaped file, and refuses --file with flags", async () => {
    writeFileSync(
      join(work, "store.json"),
      JSON.stringify({
        type: "LDAP",
        ldapType: "PING_DIRECTORY",
        hostnames: [slapd.hostname],
        bindAnonymously: true,
      }),
    );
    const created = await run([
      "datastores",
      "create",
      "--file",
      "store.json",
      "--name",
      "Anonymous",
      "--json",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(parseJsonOutput(created).ldapType, "PING_DIRECTORY");
    const both = await run(["datastores", "create", "--file", "store.json", "--host", "x"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /CLI_USAGE: give --file or the data store flags/);
  });

  it("never prints the bind password", () => {
    for (const output of outputs) assert.ok(!`${output.stdout}${output.stderr}`.includes(servicePassword));
  });
});
