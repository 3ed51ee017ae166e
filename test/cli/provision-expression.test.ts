import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliTestServer, parseJsonOutput, startCliServer } from "../support/cli.ts";
import { addStaff } from "../support/provisioning.ts";

/** `portico provision expression`: an expression tried on one directory user. */
describe("portico provision expression", () => {
  let cli: CliTestServer;
  before(async () => {
    cli = await startCliServer();
    await addStaff(cli.server.context, "u", 1);
  });
  after(() => cli.dispose());

  it("prints the attributes the expression read and its values", async () => {
    const run = await cli.run([
      "provision",
      "expression",
      'Lower([givenName]) & "." & Left([sn], 3)',
      "--subject",
      "u1",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '  [givenName] = "u"\n  [sn] = "Number1"\n"u.Num"\n');
    const json = parseJsonOutput(
      await cli.run(["provision", "expression", "[memberOf]", "--subject", "u1", "--json"]),
    );
    assert.deepEqual(json.values, ["salesforce-users"]);
  });

  it("reads the expression from standard input with --file -", async () => {
    const run = await cli.run(["provision", "expression", "--file", "-", "--subject", "u1"], {
      stdin: 'Coalesce([title], "no title")\n',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '  [title] = (no value)\n"no title"\n');
  });

  it("a parse error prints its code and the caret under the position, and exits non-zero", async () => {
    const run = await cli.run(["provision", "expression", "Left([uid] 8)", "--subject", "u1"]);
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /^portico: EXPR_SYNTAX: expression: expected "," or "\)" .* at line 1, column 12\nLeft\(\[uid\] 8\)\n {11}\^/,
    );
    const both = await cli.run(["provision", "expression", "[uid]", "--file", "x", "--subject", "u1"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /CLI_USAGE: give the expression as an argument or with --file, not both/);
  });
});
