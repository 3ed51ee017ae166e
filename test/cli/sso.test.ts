import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type CliTestServer,
  parseJsonOutput,
  runPortico,
  salesforceConnection,
  startCliServer,
} from "../support/cli.ts";

const entityId = "https://acme.my.salesforce.com";
const partner = ["--partner", entityId];

describe("portico sso test", () => {
  let server: CliTestServer;
  const run = (argv: string[]) => server.run(argv);

  before(async () => {
    server = await startCliServer();
    const user = await run(["users", "add", "ada", "--mail", "ada@acme.example.com"]);
    assert.equal(user.code, 0, user.stderr);
    const connection = salesforceConnection({
      id: "acme",
      entityId,
      name: "Acme production",
      clientSecret: "cli-sso-test-secret",
    });
    const created = await server.run(["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(connection),
    });
    assert.equal(created.code, 0, created.stderr);
  });
  after(() => server.dispose());

  it("prints the Response, a summary and the checklist, and exits 1 while the connection is inactive", async () => {
    const result = await run(["sso", "test", ...partner, "--subject", "ada"]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /\n {6}<saml:NameID Format="[^"]+">ada@acme\.example\.com<\/saml:NameID>/);
    assert.match(result.stdout, /\n {2}NameID +ada@acme\.example\.com\n/);
    assert.match(result.stdout, /\n {2}✘ Connection active: The connection "Acme production" is inactive/);
    assert.match(result.stdout, /\n {2}✔ Signature: The Response is signed \(RSA-SHA256\)/);
    assert.match(result.stdout, /\n1 of 13 checks fails\.\n$/);
    assert.equal(result.stderr, "portico: CLI_SSO_TEST_FAILED: failing checks: Connection active\n");
  });

  it("exits 0 when every check passes", async () => {
    const activated = await run(["connections", "activate", "acme"]);
    assert.equal(activated.code, 0, activated.stderr);
    const result = await run(["sso", "test", ...partner, "--subject", "ada"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.doesNotMatch(result.stdout, /✘/);
    for (const name of ["Audience", "Recipient", "Subject", "Validity window", "Issuer"]) {
      assert.match(result.stdout, new RegExp(`\\n {2}✔ ${name}: `), name);
    }
    assert.match(result.stdout, /\n {2}Audience +https:\/\/acme\.my\.salesforce\.com\n/);
    assert.match(result.stdout, /\n {2}Recipient +https:\/\/acme\.my\.salesforce\.com\?so=00D5g000004AbCd\n/);
    assert.match(result.stdout, /\nAll 13 checks pass\.\n$/);
    assert.doesNotMatch(result.stdout, /PRIVATE KEY/);
  });

  it("prints the API's JSON with --json, and the exact signed bytes with --raw", async () => {
    const json = await run(["sso", "test", ...partner, "--subject", "ada", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = parseJsonOutput(json) as { ok: boolean; xml: string; checks: { ok: boolean }[] };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.checks.length, 13);
    assert.ok(parsed.checks.every((c) => c.ok));

    const raw = await run(["sso", "test", ...partner, "--subject", "ada", "--raw"]);
    assert.equal(raw.code, 0, raw.stderr);
    const signed = /\n(<samlp:Response [^\n]*<\/samlp:Response>)\n/.exec(raw.stdout)?.[1];
    assert.ok(signed, "the signed Response on one line");
    assert.match(signed, /<ds:SignatureValue>/);
    assert.match(raw.stdout, /exact signed bytes/);
  });

  it("uses another ACS with --acs-index", async () => {
    const result = await run(["sso", "test", ...partner, "--subject", "ada", "--acs-index", "1", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      parseJsonOutput(result).acsUrl,
      "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm",
    );
  });

  it("reports a test that cannot run as one line with the error code", async () => {
    const unknownUser = await run(["sso", "test", ...partner, "--subject", "nobody"]);
    assert.equal(unknownUser.code, 1);
    assert.equal(unknownUser.stdout, "");
    assert.match(unknownUser.stderr, /^portico: DIR_USER_NOT_FOUND: .*"nobody".* \(HTTP 404\)\n$/);

    const wrongAdmin = await run(["sso", "test", ...partner, "--subject", "ada", "--user", "mallory"]);
    assert.equal(wrongAdmin.code, 1);
    assert.match(
      wrongAdmin.stderr,
      /^portico: AUTH_INVALID_CREDENTIALS: /,
      "--user names the admin account, as on every command",
    );

    const unknownAcs = await run(["sso", "test", ...partner, "--subject", "ada", "--acs-index", "5"]);
    assert.equal(unknownAcs.code, 1);
    assert.match(unknownAcs.stderr, /^portico: SAML_ACS_UNKNOWN: .*index 5/);
  });

  it("says that the Response it prints is signed with a throwaway key, which no SP accepts", async () => {
    const result = await run(["sso", "test", ...partner, "--subject", "ada", "--raw"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /\(The exact signed bytes\.\)\nThis Response is signed with a throwaway key made for this test alone, not with the connection's key, so Salesforce \(or any SP that trusts Portico\) refuses it\./,
    );
    const json = parseJsonOutput(await run(["sso", "test", ...partner, "--subject", "ada", "--json"]));
    assert.equal(json.usable, false);
    assert.match(result.stdout, /\n {2}Signed +Response, with the throwaway key\n/);
  });

  it("signs with the connection's key only with --allow-usable-assertion, for an admin account's password", async () => {
    const argv = ["sso", "test", ...partner, "--subject", "ada", "--allow-usable-assertion"];
    const usable = await run([...argv, "--json"]);
    assert.equal(usable.code, 0, usable.stderr);
    const result = parseJsonOutput(usable) as { usable: boolean; notice: string };
    assert.equal(result.usable, true);
    assert.match(
      result.notice,
      /signed with the connection's key: posted to .* before .*, it signs "ada" in/,
    );
    const printed = await run(argv);
    assert.match(printed.stdout, /it signs "ada" in\. Keep it like a password/);

    const created = parseJsonOutput(await run(["tokens", "create", "--name", "sso script", "--json"]));
    const withToken = await run([...argv, "--token", String(created.token)]);
    assert.equal(withToken.code, 1);
    assert.equal(withToken.stdout, "");
    assert.match(
      withToken.stderr,
      /^portico: AUTH_FORBIDDEN: .*ADMIN account signed in with its password.* \(HTTP 403\)\n$/,
    );
  });

  it("refuses the old spelling, --user for the directory user, rather than read it as the admin account", async () => {
    const old = await run(["sso", "test", ...partner, "--user", "ada"]);
    assert.equal(old.code, 2);
    assert.equal(old.stdout, "");
    assert.match(
      old.stderr,
      /CLI_USAGE: .*--subject <uid>; --user names the admin account \(did you mean --subject ada\?\)/,
    );
    const adminUser = await run(["sso", "test", ...partner, "--subject", "ada", "--admin-user", "admin"]);
    assert.equal(adminUser.code, 2);
    assert.match(
      adminUser.stderr,
      /CLI_USAGE: sso test takes the admin account as --user .*no longer --admin-user/,
    );
    const help = await runPortico(["sso", "test", "--help"]);
    assert.match(help.stdout, /--subject <uid> +the user to test, as they would type it on the/);
    assert.match(help.stdout, /--user <name> +admin account/);
    assert.doesNotMatch(help.stdout, /--admin-user/);
  });

  it("treats a bad or missing option as a usage error and documents the exit status", async () => {
    assert.equal((await run(["sso", "test", ...partner, "--subject", "ada", "--acs-index", "x"])).code, 2);
    assert.equal((await run(["sso", "test", ...partner])).code, 2);
    const help = await runPortico(["sso", "test", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit status: 0 when every check passes, 1 when a check fails/);
  });
});
