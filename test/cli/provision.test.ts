import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliTestServer, startCliServer } from "../support/cli.ts";
import {
  clientCredentialsSettings,
  connectionWithTarget,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";

describe("portico provision (the Salesforce target)", () => {
  let sf: SalesforceEmulator;
  let cli: CliTestServer;

  before(async () => {
    sf = await startSalesforceEmulator();
    cli = await startCliServer();
    const document = connectionWithTarget("acme", clientCredentialsSettings(sf));
    const created = await cli.run(["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(document),
    });
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await cli.dispose();
    await sf.close();
  });

  it("test prints who Portico acts as in which org", async () => {
    const result = await cli.run(["provision", "test", "acme"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Connection "acme" reaches Salesforce\./);
    assert.ok(result.stdout.includes(`organization  ${sf.org.orgId}`), result.stdout);
    assert.ok(result.stdout.includes(`API user      ${sf.org.adminUsername} (profile System Administrator)`));
    assert.match(result.stdout, /permissions {3}API Enabled, Manage Users/);
    const json = await cli.run(["provision", "test", "acme", "--json"]);
    assert.equal(JSON.parse(json.stdout).organizationId, sf.org.orgId);
  });

  it("test fails with one line carrying the reason's code, and exit code 1", async () => {
    await sf.control("PUT", "/connected-app", { runAsUsername: null });
    try {
      const result = await cli.run(["provision", "test", "acme"]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^portico: PROV_TARGET_AUTH_FAILED: .*Client Credentials Flow.*\(HTTP 422\)\n$/,
      );
      assert.equal(result.stdout, "");
    } finally {
      await sf.control("PUT", "/connected-app", { runAsUsername: sf.org.adminUsername });
    }
  });

  it("connect prints the callback URL to register and the URL to open", async () => {
    const result = await cli.run(["provision", "connect", "acme"]);
    assert.equal(result.code, 0, result.stderr);
    const [callback, , authorize] = result.stdout.split("\n");
    assert.match(
      callback ?? "",
      /^Callback URL to register in the connected app: http:\/\/127\.0\.0\.1:\d+\/pf-admin-api\/v1\/provisioning\/oauth\/callback$/,
    );
    assert.ok(authorize?.startsWith(`${sf.url}/services/oauth2/authorize?`), authorize);
  });
});
