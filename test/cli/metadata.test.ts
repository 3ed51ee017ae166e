import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type CliResult,
  type CliTestServer,
  cliAdminPassword,
  parseJsonOutput,
  startCliServer,
} from "../support/cli.ts";

const fixtures = fileURLToPath(new URL("../fixtures/metadata/", import.meta.url));
const salesforceMetadata = "SAMLSP-0LE5g000000CaJx.xml";
const orgAcs = "https://acme.my.salesforce.com?so=00D5g000004AbCd";
// The metadata writes the community ACS with `&amp;`; the connection holds the decoded URL.
const communityAcs = "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm";
const endpoint = "http://localhost:9031/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Facme.my.salesforce.com";

type Endpoint = { url: string; index: number; isDefault?: boolean };
const endpointsOf = (connection: Record<string, unknown>) =>
  (connection.spBrowserSso as { ssoServiceEndpoints: Endpoint[] }).ssoServiceEndpoints;

describe("portico metadata convert", () => {
  let server: CliTestServer;
  const outputs: CliResult[] = [];
  // Relative file names resolve against the caller's working directory, here the fixture folder.
  const run = async (argv: string[]) => {
    const result = await server.run(argv, { cwd: fixtures });
    outputs.push(result);
    return result;
  };
  const connectionCount = async () =>
    (parseJsonOutput(await run(["connections", "list", "--json"])).items as unknown[]).length;

  before(async () => {
    server = await startCliServer();
  });
  after(() => server.dispose());

  it("prints the converted connection as JSON and stores nothing without --create", async () => {
    const result = await run([
      "metadata",
      "convert",
      salesforceMetadata,
      "--template",
      "salesforce-provisioner",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const connection = parseJsonOutput(result);
    assert.equal(connection.entityId, "https://acme.my.salesforce.com");
    assert.deepEqual(
      endpointsOf(connection).map((e) => [e.index, e.url, e.isDefault]),
      [
        [0, orgAcs, true],
        [1, communityAcs, false],
      ],
    );
    assert.match(result.stderr, /Nothing was stored/);
    assert.equal(await connectionCount(), 0);
  });

  it("prints the whole conversion result with --json, with --name and --id applied", async () => {
    const result = await run([
      "metadata",
      "convert",
      salesforceMetadata,
      "--json",
      "--name",
      "Acme",
      "--id",
      "acme",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const converted = parseJsonOutput(result);
    assert.equal(converted.signatureStatus, "UNSIGNED");
    assert.match(String(converted.certSubjectDn), /CN=SelfSignedCert_10Jun2025_212024/);
    const connection = converted.connection as Record<string, unknown>;
    assert.equal(connection.name, "Acme");
    assert.equal(connection.id, "acme");
    assert.equal(await connectionCount(), 0);
  });

  it("with --create stores the connection and prints the ACS list and the SSO Application Endpoint", async () => {
    const result = await run([
      "metadata",
      "convert",
      salesforceMetadata,
      "--template",
      "salesforce-provisioner",
      "--create",
      "--name",
      "Acme production",
      "--id",
      "acme-prod",
      "--activate",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Created SP connection "Acme production" \(id acme-prod\), active\.\n/);
    assert.ok(result.stdout.includes("  Entity ID: https://acme.my.salesforce.com\n"), result.stdout);
    assert.ok(result.stdout.includes(`  ACS [0] (default) ${orgAcs}\n`), result.stdout);
    assert.ok(result.stdout.includes(`  ACS [1] ${communityAcs}\n`), result.stdout);
    assert.ok(result.stdout.includes(`  SSO Application Endpoint: ${endpoint}\n`), result.stdout);
    assert.match(result.stdout, /Identity Provider Login URL/);
    assert.match(result.stdout, /portico keys export-cert default-signing/);

    const stored = parseJsonOutput(await run(["connections", "get", "acme-prod"]));
    assert.equal(stored.active, true);
    assert.equal(stored.name, "Acme production");
    assert.deepEqual(
      endpointsOf(stored).map((e) => [e.index, e.url, e.isDefault]),
      [
        [0, orgAcs, true],
        [1, communityAcs, false],
      ],
    );
  });

  it("with --create --json prints the created connection", async () => {
    await run(["connections", "deactivate", "acme-prod"]);
    assert.equal((await run(["connections", "delete", "acme-prod"])).code, 0);
    const result = await run(["metadata", "convert", salesforceMetadata, "--create", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const created = parseJsonOutput(result);
    assert.equal(typeof created.id, "string");
    assert.equal(created.active, false);
    assert.equal(
      (created.spBrowserSso as { ssoApplicationEndpoint: string }).ssoApplicationEndpoint,
      endpoint,
    );
  });

  it("says on standard error what of the metadata the connection leaves out, even with --create --json", async () => {
    const metadata = readFileSync(`${fixtures}${salesforceMetadata}`, "utf8")
      .replace('entityID="https://acme.my.salesforce.com"', 'entityID="https://artifact.my.salesforce.com"')
      .replace(
        "</md:SPSSODescriptor>",
        '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://acme.my.salesforce.com/artifact" index="7"/></md:SPSSODescriptor>',
      );
    const printed = await server.run(["metadata", "convert", "-"], { stdin: metadata });
    outputs.push(printed);
    assert.equal(printed.code, 0, printed.stderr);
    const warning =
      "warning: AssertionConsumerService https://acme.my.salesforce.com/artifact (index 7) uses HTTP-Artifact; Portico answers only over HTTP-POST, so it was left out.\n";
    assert.ok(printed.stderr.startsWith(warning), printed.stderr);
    assert.equal(
      parseJsonOutput(printed).entityId,
      "https://artifact.my.salesforce.com",
      "stdout stays the document",
    );

    const created = await server.run(["metadata", "convert", "-", "--create", "--json", "--id", "artifact"], {
      stdin: metadata,
    });
    outputs.push(created);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stderr, warning);
    assert.deepEqual(
      endpointsOf(parseJsonOutput(created)).map((e) => e.index),
      [0, 1],
    );
    await run(["connections", "delete", "artifact"]);
  });

  it("refuses hostile metadata in one line with the server's code, and stores nothing", async () => {
    const before = await connectionCount();
    for (const [file, code] of [
      ["xxe-external-entity.xml", "XML_DOCTYPE_FORBIDDEN"],
      ["no-acs.xml", "SAML_METADATA_NO_ACS"],
      ["two-roots.xml", "XML_MULTIPLE_ROOTS"],
    ] as const) {
      const result = await run(["metadata", "convert", file, "--create"]);
      assert.equal(result.code, 1, file);
      assert.match(result.stderr, new RegExp(`^portico: ${code}: [^\\n]+\\(HTTP 4\\d\\d\\)\\n$`), file);
      assert.equal(result.stdout, "");
    }
    assert.equal(await connectionCount(), before);
  });

  it("exits 2 for a missing file, a missing argument or an unknown option", async () => {
    const missing = await run(["metadata", "convert", "SAMLSP-nope.xml"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^portico: CLI_USAGE: cannot read SAMLSP-nope\.xml: no such file\n$/);
    assert.equal((await run(["metadata", "convert"])).code, 2);
    assert.equal((await run(["metadata", "convert", salesforceMetadata, "--bogus"])).code, 2);
  });

  it("never printed the admin password", () => {
    for (const { stdout, stderr } of outputs)
      assert.equal(`${stdout}${stderr}`.includes(cliAdminPassword), false);
  });
});
