import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { authenticateUser } from "../../src/services/directory/users.ts";
import { type CliResult, type CliTestServer, parseJsonOutput, startCliServer } from "../support/cli.ts";

const adaPassword = "Ada-stdin-Passphrase-1815";
const gracePassword = "Grace-flag-Passphrase-1906";
const csvPassword = "Katherine-CSV-Passphrase-1918";
const oneLineError = (code: string, status: number) =>
  new RegExp(`^portico: ${code}: [^\\n]+\\(HTTP ${status}\\)\\n$`);

describe("portico users and groups", () => {
  let server: CliTestServer;
  let work: string;
  const outputs: CliResult[] = [];
  const run = async (argv: string[], options: { stdin?: string } = {}) => {
    const result = await server.run(argv, { cwd: work, ...options });
    outputs.push(result);
    return result;
  };
  const signsIn = async (uid: string, password: string) =>
    (await authenticateUser(server.server.context, uid, password))?.uid;
  const uids = async () =>
    (parseJsonOutput(await run(["users", "list", "--json"])).items as { uid: string }[]).map((u) => u.uid);

  before(async () => {
    server = await startCliServer();
    work = mkdtempSync(join(tmpdir(), "portico-cli-users-"));
  });
  after(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("creates a group, then a user with named flags, --attr, a password from stdin and the group", async () => {
    const made = await run(["groups", "add", "Engineering", "--description", "Builders"]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout, 'Created group "Engineering" (no members).\n');

    const result = await run(
      [
        "users",
        "add",
        "ada",
        "--mail",
        "ada@acme.com",
        "--given-name",
        "Ada",
        "--sn",
        "Lovelace",
        "--phone",
        "+44 20 7946 0001",
        "--language",
        "en-GB",
        "--attr",
        "costCenter=R&D",
        "--attr",
        "costCenter=Math",
        "--group",
        "engineering",
        "--password-stdin",
      ],
      { stdin: `${adaPassword}\n` },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Created user "ada" (enabled, password set, groups: Engineering).\n');
    assert.equal(
      await signsIn("ada", adaPassword),
      "ada",
      "the line end of stdin is not part of the password",
    );

    const shown = await run(["users", "get", "ada"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^uid: +ada$/m);
    assert.match(shown.stdout, /^groups: +Engineering$/m);
    assert.match(shown.stdout, /^telephoneNumber: \+44 20 7946 0001$/m);
    assert.match(shown.stdout, /^preferredLanguage: en-GB$/m);
    assert.match(shown.stdout, /^costCenter: +R&D; Math$/m);
    const json = parseJsonOutput(await run(["users", "get", "ada", "--json"]));
    assert.deepEqual(json.costCenter, ["R&D", "Math"]);
    assert.equal(json.hasPassword, true);
  });

  it("lists users in a table and as JSON", async () => {
    const added = await run([
      "users",
      "add",
      "grace",
      "--cn",
      "Grace Hopper",
      "--mail",
      "grace@acme.com",
      "--disabled",
      "--user-password",
      gracePassword,
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'Created user "grace" (disabled, password set).\n');
    const table = await run(["users", "list"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^UID +NAME +MAIL +ENABLED +GROUPS$/);
    assert.match(lines[2] ?? "", /^ada +Ada Lovelace +ada@acme\.com +yes +Engineering$/);
    assert.match(lines[3] ?? "", /^grace +Grace Hopper +grace@acme\.com +no +-$/);
    assert.deepEqual(await uids(), ["ada", "grace"]);
    const filtered = parseJsonOutput(await run(["users", "list", "--json", "--filter", "HOPPER"]));
    assert.deepEqual(
      (filtered.items as { uid: string }[]).map((u) => u.uid),
      ["grace"],
    );
  });

  it("enables, disables and sets passwords", async () => {
    assert.equal(await signsIn("grace", gracePassword), undefined, "created disabled");
    const enabled = await run(["users", "enable", "grace"]);
    assert.equal(enabled.stdout, 'Enabled user "grace": they can sign in again.\n');
    assert.equal(await signsIn("grace", gracePassword), "grace");
    const changed = await run(["users", "set-password", "grace", "--password-stdin"], {
      stdin: "Grace-new-Passphrase\r\n",
    });
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, 'Set the password of user "grace".\n');
    assert.equal(await signsIn("grace", "Grace-new-Passphrase"), "grace");
    const disabled = await run(["users", "disable", "GRACE"]);
    assert.equal(disabled.stdout, 'Disabled user "grace": they can no longer sign in.\n');
    assert.equal(await signsIn("grace", "Grace-new-Passphrase"), undefined);

    const none = await run(["users", "set-password", "grace"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^portico: CLI_USAGE: give --password-stdin or --user-password\n$/);
    const short = await run(["users", "set-password", "grace", "--user-password", "short"]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, oneLineError("DIR_INVALID", 422));
    assert.match(short.stderr, /password: must be at least 8 characters/);
  });

  it("refuses a bad user in one line, naming the field", async () => {
    const result = await run(["users", "add", "bob", "--mail", "bob at acme"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, oneLineError("DIR_INVALID", 422));
    assert.match(result.stderr, /mail: must be an email address/);
    const control = await run(["users", "add", "bob", "--attr", "title=Boss\u0007"]);
    assert.match(control.stderr, /title: contains U\+0007/);
    const missing = await run(["users", "get", "nobody"]);
    assert.match(missing.stderr, oneLineError("DIR_USER_NOT_FOUND", 404));
    const usage = await run(["users", "add", "bob", "--attr", "no-equals-sign"]);
    assert.equal(usage.code, 2);
    assert.deepEqual(await uids(), ["ada", "grace"]);
  });

  it("imports users from a CSV file", async () => {
    writeFileSync(
      join(work, "people.csv"),
      [
        "uid,mail,givenName,sn,password,enabled,groups",
        `katherine,katherine@nasa.gov,Katherine,Johnson,${csvPassword},true,Engineering;Computing`,
        'mary,mary@nasa.gov,Mary,"Jackson, Jr.",,false,',
        "",
      ].join("\n"),
    );
    const result = await run(["users", "import", "--csv", "people.csv"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "Imported 2 user(s); created group(s) Computing.\n");
    assert.equal(await signsIn("katherine", csvPassword), "katherine");
    const mary = parseJsonOutput(await run(["users", "get", "mary", "--json"]));
    assert.equal(mary.sn, "Jackson, Jr.");
    assert.equal(mary.enabled, false);
    const engineering = parseJsonOutput(await run(["groups", "get", "Engineering", "--json"]));
    assert.deepEqual(engineering.members, ["ada", "katherine"]);
  });

  it("imports nothing from a CSV with a bad row, and says which line and column", async () => {
    const before = await uids();
    const groups = (await run(["groups", "list"])).stdout;
    const csv = "uid,mail,groups\nnew1,new1@acme.com,NewGroup\nnew2,new2@acme.com,\nnew3,oops,\n";
    const result = await run(["users", "import", "--csv", "-"], { stdin: csv });
    assert.equal(result.code, 1);
    assert.match(result.stderr, oneLineError("DIR_CSV_INVALID", 422));
    assert.match(result.stderr, /line 4, column mail: must be an email address/);
    assert.deepEqual(await uids(), before);
    assert.equal((await run(["groups", "list"])).stdout, groups, "no group was created either");
    const missing = await run(["users", "import", "--csv", "nope.csv"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read nope\.csv: no such file/);
  });

  it("manages groups: list, get, add-member, remove-member, delete", async () => {
    const table = await run(["groups", "list"]);
    assert.match(table.stdout, /^CN +DESCRIPTION +MEMBERS$/m);
    assert.match(table.stdout, /^Computing +- +1$/m);
    assert.match(table.stdout, /^Engineering +Builders +2$/m);
    const added = await run(["groups", "add-member", "computing", "mary"]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'Group "Computing" now has members: katherine, mary.\n');
    const removed = await run(["groups", "remove-member", "Computing", "katherine"]);
    assert.equal(removed.stdout, 'Removed "katherine" from group "Computing".\n');
    const shown = await run(["groups", "get", "Computing"]);
    assert.match(shown.stdout, /^members: +mary$/m);
    const ghost = await run(["groups", "add", "Ghosts", "--member", "casper"]);
    assert.match(ghost.stderr, oneLineError("DIR_INVALID", 422));
    assert.match(ghost.stderr, /members\[0\]: no user "casper"/);
    assert.equal((await run(["groups", "delete", "Computing"])).stdout, 'Deleted group "Computing".\n');
    assert.deepEqual(parseJsonOutput(await run(["users", "get", "mary", "--json"])).groups, []);
  });

  it("deletes a user and its memberships", async () => {
    const result = await run(["users", "delete", "ada"]);
    assert.equal(result.stdout, 'Deleted user "ada".\n');
    const engineering = parseJsonOutput(await run(["groups", "get", "Engineering", "--json"]));
    assert.deepEqual(engineering.members, ["katherine"]);
  });

  it("never prints a password or its hash", () => {
    assert.ok(outputs.length > 20);
    for (const output of outputs) {
      for (const secret of [adaPassword, gracePassword, csvPassword, "Grace-new-Passphrase", "scrypt$"]) {
        assert.ok(
          !output.stdout.includes(secret) && !output.stderr.includes(secret),
          `${secret} was printed`,
        );
      }
    }
  });
});
