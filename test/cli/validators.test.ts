import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { type CliTestServer, parseJsonOutput, salesforceConnection, startCliServer } from "../support/cli.ts";

/**
 * `portico validators`: LDAP password credential validators and the sign-in form's order, over
 * `/passwordCredentialValidators` and `/idp/adapters/htmlform`. No directory is needed to
 * configure them; the data store only has to exist. Failures carry the registry's codes.
 */

type Field = { name: string; value: string };

describe("portico validators", () => {
  let server: CliTestServer;
  let work: string;
  const run = (argv: string[], options: { stdin?: string } = {}) =>
    server.run(argv, { cwd: work, ...options });
  const filter = `(uid=${usernamePlaceholder})`;

  before(async () => {
    server = await startCliServer();
    work = mkdtempSync(join(tmpdir(), "portico-cli-pcv-"));
    // A directory that does not answer: configuring validators never connects to it.
    const store = await run([
      "datastores",
      "create",
      "--id",
      "corp",
      "--name",
      "Corporate",
      "--host",
      "127.0.0.1:1",
      "--anonymous",
    ]);
    assert.equal(store.code, 0, store.stderr);
  });
  after(async () => {
    await server?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("creates a validator from flags, not yet in the sign-in form", async () => {
    const result = await run([
      "validators",
      "create",
      "--id",
      "corpLdap",
      "--name",
      "Corporate LDAP",
      "--data-store",
      "corp",
      "--search-base",
      "ou=people,dc=example,dc=com",
      "--search-filter",
      filter,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created validator "corpLdap"/);
    assert.match(result.stdout, /search filter: +\(uid=\$\{username\}\)/);
    assert.match(result.stdout, /sign-in form: +not listed/);
    assert.match(result.stdout, /portico validators order corpLdap,PorticoDirectory/);
  });

  it("creates one from a PingFederate-shaped file, and refuses a file with flags or no name", async () => {
    writeFileSync(
      join(work, "pcv.json"),
      JSON.stringify({
        id: "backupLdap",
        name: "Backup LDAP",
        pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
        configuration: {
          fields: [
            { name: "LDAP Datastore", value: "corp" },
            { name: "Search Base", value: "ou=people,dc=example,dc=com" },
            { name: "Search Filter", value: `(mail=${usernamePlaceholder})` },
          ],
        },
      }),
    );
    const created = await run(["validators", "create", "--file", "pcv.json", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(parseJsonOutput(created).id, "backupLdap");
    const both = await run(["validators", "create", "--file", "pcv.json", "--data-store", "corp"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^portico: CLI_USAGE: give --file or the validator's flags, not both/);
    const nameless = await run(["validators", "create", "--data-store", "corp"]);
    assert.equal(nameless.code, 2);
    assert.match(nameless.stderr, /CLI_USAGE: give --name, or --file/);
  });

  it("passes the API's refusal through: an unknown data store, a filter without the username", async () => {
    const base = ["validators", "create", "--name", "Bad", "--search-base", "dc=example,dc=com"];
    const store = await run([...base, "--data-store", "nope", "--search-filter", filter]);
    assert.equal(store.code, 1);
    assert.match(store.stderr, /^portico: PCV_INVALID: .*no data store "nope".* \(HTTP 422\)\n$/);
    const json = await run([...base, "--data-store", "corp", "--search-filter", "(uid=ada)", "--json"]);
    assert.equal(json.code, 1);
    assert.equal(json.stdout, "");
    const { error } = JSON.parse(json.stderr) as { error: { code: string; message: string } };
    assert.equal(error.code, "PCV_INVALID");
    assert.match(error.message, /must use \$\{username\}/);
  });

  it("sets and shows the sign-in form's order, and refuses an unknown validator", async () => {
    const set = await run(["validators", "order", "corpLdap, PorticoDirectory"]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      set.stdout,
      "The sign-in form now tries, in order:\n  1. corpLdap\n  2. PorticoDirectory (the built-in directory)\n",
    );
    const shown = await run(["validators", "order"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^The sign-in form tries, in order:\n {2}1\. corpLdap\n/);
    const ghost = await run(["validators", "order", "corpLdap,ghost"]);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /^portico: ADAPTER_INVALID: .*no password credential validator "ghost"/);
    const empty = await run(["validators", "order", ","]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /CLI_USAGE: name at least one validator/);
  });

  it("lists validators with their place in the form, and shows one", async () => {
    const list = await run(["validators", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /backupLdap +Backup LDAP +corp +ou=people,dc=example,dc=com +\(mail=\$\{username\}\) +-\n/,
    );
    assert.match(
      list.stdout,
      /corpLdap +Corporate LDAP +corp +ou=people,dc=example,dc=com +\(uid=\$\{username\}\) +1\n/,
    );
    assert.match(list.stdout, /Sign-in form: corpLdap, PorticoDirectory\n$/);
    const get = await run(["validators", "get", "corpLdap"]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /sign-in form: +tried 1 of 2/);
    const missing = await run(["validators", "get", "nope"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^portico: PCV_NOT_FOUND: .* \(HTTP 404\)\n$/);
  });

  it("updates the fields given and keeps the others", async () => {
    const updated = await run([
      "validators",
      "update",
      "corpLdap",
      "--scope",
      "one-level",
      "--case-sensitive",
      "--json",
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    const fields = (parseJsonOutput(updated).configuration as { fields: Field[] }).fields;
    const value = (name: string) => fields.find((f) => f.name === name)?.value;
    assert.equal(value("Scope of Search"), "One Level");
    assert.equal(value("Case-Sensitive Matching"), "true");
    assert.equal(value("Search Filter"), filter);
    assert.equal(value("LDAP Datastore"), "corp");
    assert.equal(parseJsonOutput(updated).name, "Corporate LDAP");
  });

  it("tells which validator found the user in sso test, and which ones before it could not answer", async () => {
    const user = await run(["users", "add", "ada", "--mail", "ada@acme.example.com"]);
    assert.equal(user.code, 0, user.stderr);
    const connection = salesforceConnection({
      id: "acme",
      entityId: "https://acme.my.salesforce.com",
      name: "Acme",
      clientSecret: "cli-validators-secret",
    });
    const created = await run(["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(connection),
    });
    assert.equal(created.code, 0, created.stderr);
    const result = await run([
      "sso",
      "test",
      "--partner",
      "https://acme.my.salesforce.com",
      "--subject",
      "ada",
    ]);
    assert.match(
      result.stdout,
      /\nFound by the credential validator PorticoDirectory \(the built-in directory\); before it: corpLdap unavailable \(LDAP_TCP\)\.\n/,
    );
  });

  it("deletes a validator once the form no longer lists it", async () => {
    const inUse = await run(["validators", "delete", "corpLdap"]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /^portico: PCV_IN_USE: .*sign-in form/);
    assert.equal((await run(["validators", "order", "PorticoDirectory"])).code, 0);
    const deleted = await run(["validators", "delete", "corpLdap"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'Deleted validator "corpLdap".\n');
    const store = await run(["datastores", "list", "--json"]);
    assert.equal(store.code, 0, store.stderr);
  });
});
