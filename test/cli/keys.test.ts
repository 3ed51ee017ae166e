import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type CliResult,
  type CliTestServer,
  cliAdminPassword,
  parseJsonOutput,
  startCliServer,
} from "../support/cli.ts";

const metadataFixtures = fileURLToPath(new URL("../fixtures/metadata/", import.meta.url));
const keyFixtures = fileURLToPath(new URL("../fixtures/keys/", import.meta.url));
const pemKeyFile = join(metadataFixtures, "salesforce-sp-signing.key.pem");
const pemCertFile = join(metadataFixtures, "salesforce-sp-signing.crt.pem");
const p12File = join(keyFixtures, "legacy-rc2-3des.p12");
const p12Password = "legacy-fixture";

/** The subject line of `openssl x509`: an independent parser of what we export. */
const opensslSubject = (pem: string) =>
  execFileSync("openssl", ["x509", "-noout", "-subject"], { input: pem }).toString();

type KeyView = { id: string; isDefault: boolean; keyAlgorithm: string; keySize: number; subjectDN: string };

describe("portico keys", () => {
  let server: CliTestServer;
  let work: string;
  const outputs: CliResult[] = [];
  const run = async (argv: string[], options: { stdin?: string } = {}) => {
    const result = await server.run(argv, { cwd: work, ...options });
    outputs.push(result);
    return result;
  };
  const listed = async () => parseJsonOutput(await run(["keys", "list", "--json"])).items as KeyView[];

  before(async () => {
    server = await startCliServer();
    work = mkdtempSync(join(tmpdir(), "portico-cli-keys-"));
  });
  after(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("generates an RSA key pair with the subject and size asked for", async () => {
    const result = await run([
      "keys",
      "generate",
      "--id",
      "cli-rsa",
      "--cn",
      "Portico CLI test",
      "--org",
      "Example Corp",
      "--size",
      "3072",
      "--valid-days",
      "400",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Generated signing key pair "cli-rsa" \(CN=Portico CLI test, O=Example Corp, RSA 3072, expires \d{4}-\d\d-\d\d\)\.\n/,
    );
    assert.match(result.stdout, /portico keys export-cert cli-rsa/);
  });

  it("generates an EC key pair and prints JSON with --json", async () => {
    const key = parseJsonOutput(
      await run(["keys", "generate", "--id", "cli-ec", "--algorithm", "EC", "--json"]),
    );
    assert.equal(key.keyAlgorithm, "EC");
    assert.equal(key.id, "cli-ec");
  });

  it("lists key pairs as a table", async () => {
    const result = await run(["keys", "list"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^ID\s+SUBJECT\s+ALG\s+EXPIRES\s+DEFAULT\s+USED BY\s+WARNING$/);
    assert.match(
      lines.find((l) => l.startsWith("cli-rsa")) ?? "",
      /^cli-rsa\s+CN=Portico CLI test, O=Example Corp\s+RSA 3072\s+\d{4}-\d\d-\d\d\s+-$/,
    );
    assert.match(lines.find((l) => l.startsWith("default-signing")) ?? "", /RSA 2048\s+\S+\s+yes\s+-$/);
  });

  it("exports a certificate that openssl parses, to standard output or a file", async () => {
    const result = await run(["keys", "export-cert", "cli-rsa"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.match(opensslSubject(result.stdout), /CN ?= ?Portico CLI test/);

    const written = await run(["keys", "export-cert", "cli-rsa", "--out", "idp.crt"]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, `Wrote the certificate of "cli-rsa" to ${join(work, "idp.crt")}.\n`);
    assert.equal(readFileSync(join(work, "idp.crt"), "utf8"), result.stdout);
  });

  it("imports a PEM key with its certificate", async () => {
    const result = await run([
      "keys",
      "import",
      "--pem",
      pemKeyFile,
      "--cert",
      pemCertFile,
      "--id",
      "sf-pem",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Imported signing key pair "sf-pem" \([^)]*CN=SelfSignedCert_10Jun2025_212024[^)]*, RSA 2048, expires 2035-06-10\)/,
    );
    const pem = (await run(["keys", "export-cert", "sf-pem"])).stdout;
    assert.equal(pem.replace(/\s+/g, ""), readFileSync(pemCertFile, "utf8").replace(/\s+/g, ""));
  });

  it("imports a PEM key and certificate concatenated on standard input", async () => {
    const stdin = `${readFileSync(pemKeyFile, "utf8")}${readFileSync(pemCertFile, "utf8")}`;
    const result = await run(["keys", "import", "--pem", "-", "--id", "sf-pem-stdin", "--json"], { stdin });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(parseJsonOutput(result).id, "sf-pem-stdin");
  });

  it("imports a PKCS#12 file with its password, and refuses a wrong one", async () => {
    const result = await run([
      "keys",
      "import",
      "--p12",
      p12File,
      "--key-password",
      p12Password,
      "--id",
      "legacy",
      "--default",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /CN=Portico legacy PKCS#12 fixture/);
    assert.match(result.stdout, /, the default\)/);
    assert.equal((await listed()).find((k) => k.isDefault)?.id, "legacy");

    const wrong = await run([
      "keys",
      "import",
      "--p12",
      p12File,
      "--key-password",
      "not-it",
      "--id",
      "legacy-2",
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^portico: KEY_PKCS12_INVALID: [^\n]+\(HTTP 422\)\n$/);
  });

  it("sets the default key pair, and will not delete it", async () => {
    const result = await run(["keys", "default", "cli-rsa"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Signing key pair "cli-rsa" \(.*, the default\) is now the default\.\n$/);
    assert.equal((await listed()).find((k) => k.isDefault)?.id, "cli-rsa");

    const refused = await run(["keys", "delete", "cli-rsa"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^portico: KEY_IN_USE: [^\n]+\(HTTP 409\)\n$/);
  });

  it("deletes an unused key pair", async () => {
    const result = await run(["keys", "delete", "cli-ec"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Deleted signing key pair "cli-ec".\n');
    assert.equal(
      (await listed()).some((k) => k.id === "cli-ec"),
      false,
    );
    const again = await run(["keys", "export-cert", "cli-ec"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^portico: KEY_NOT_FOUND: /);
  });

  it("exits 2 on bad usage, before calling the server", async () => {
    for (const argv of [
      ["keys", "import"],
      ["keys", "import", "--pem", pemKeyFile, "--p12", p12File, "--key-password", "x"],
      ["keys", "import", "--p12", p12File],
      ["keys", "import", "--cert", pemCertFile],
      ["keys", "generate", "--size", "1024"],
      ["keys", "generate", "--algorithm", "DSA"],
      ["keys", "generate", "--algorithm", "EC", "--size", "2048"],
      ["keys", "generate", "--valid-days", "0"],
      ["keys", "export-cert"],
    ]) {
      const result = await run(argv);
      assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
    }
    assert.equal((await listed()).length, 5);
  });

  it("never printed a private key or a password", () => {
    const keyBody = readFileSync(pemKeyFile, "utf8").split("\n")[1] ?? "";
    assert.ok(keyBody.length > 40);
    for (const { stdout, stderr } of outputs) {
      const text = `${stdout}${stderr}`;
      assert.equal(text.includes("PRIVATE KEY"), false);
      assert.equal(text.includes(keyBody), false);
      assert.equal(text.includes(cliAdminPassword), false);
      assert.equal(text.includes(p12Password), false);
    }
  });
});
