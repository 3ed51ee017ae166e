import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type CliTestServer, startCliServer } from "../support/cli.ts";

/** `portico metadata convert --jit-profile` and the JIT section of `portico sso test` (issue 9, item 7). */

const metadataFile = fileURLToPath(
  new URL("../fixtures/metadata/SAMLSP-0LE5g000000CaJx.xml", import.meta.url),
);
const partner = ["--partner", "https://acme.my.salesforce.com"];

describe("portico sso test with a JIT contract", () => {
  let server: CliTestServer;
  before(async () => {
    server = await startCliServer();
    const user = await server.run([
      "users",
      "add",
      "ada",
      "--attr",
      "mail=ada@acme.example.com",
      "--attr",
      "givenName=Ada",
      "--attr",
      "sn=Lovelace",
    ]);
    assert.equal(user.code, 0, user.stderr);
    const converted = await server.run([
      "metadata",
      "convert",
      metadataFile,
      "--jit-profile",
      "Standard User",
      "--id",
      "acme",
      "--create",
      "--activate",
    ]);
    assert.equal(converted.code, 0, converted.stderr);
  });
  after(() => server.dispose());

  it("prints the User.* attributes Salesforce would create the user from", async () => {
    const result = await server.run(["sso", "test", ...partner, "--subject", "ada"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /\nJust-in-Time provisioning \(what Salesforce creates or updates the user from\)\n/,
    );
    assert.match(result.stdout, /\n {2}User\.LastName +Lovelace\n/);
    assert.match(result.stdout, /\n {2}User\.ProfileId +Standard User\n/);
    assert.match(
      result.stdout,
      /\n {2}✔ Salesforce JIT attributes: The user sends every attribute Salesforce requires/,
    );
  });
});
