import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { disableUser } from "../../src/services/directory/users.ts";
import { putOutboundProvisioningSettings } from "../../src/services/provisioning/server-settings.ts";
import { type CliTestServer, parseJsonOutput, startCliServer } from "../support/cli.ts";
import { addStaff, provisioningConnection } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { testActor } from "../support/service-context.ts";

/**
 * `portico provision run|retry|confirm` exit with the cycle's outcome, so a script or a cron job
 * notices: 0 when it ended IDLE, 3 (CLI_CYCLE_HELD) when deactivations are held for confirmation,
 * 1 (CLI_CYCLE_FAILED) on ERROR or STOPPED — each after the usual output, with one line on
 * standard error that names the code.
 */
describe("portico provision run's exit code", () => {
  let sf: SalesforceEmulator;
  let cli: CliTestServer;

  before(async () => {
    sf = await startSalesforceEmulator();
    cli = await startCliServer();
    await addStaff(cli.server.context, "x", 4);
    const created = await cli.run(["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(provisioningConnection(sf, "org")),
    });
    assert.equal(created.code, 0, created.stderr);
    await putOutboundProvisioningSettings(cli.server.context, testActor, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 1, percent: 1 },
    });
  });
  after(async () => {
    await cli.dispose();
    await sf.close();
  });

  it("is 0 when the cycle ends IDLE", async () => {
    const run = await cli.run(["provision", "run", "org", "staff"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^org\/staff: full cycle ended IDLE\n/);
    assert.equal(run.stderr, "");
  });

  it("is 1 when Salesforce stays unavailable (ERROR), with the JSON still printed", async () => {
    await sf.control("POST", "/faults", { kind: "503", count: 20, path: "/composite/sobjects" });
    await addStaff(cli.server.context, "y", 1);
    try {
      const run = await cli.run(["provision", "run", "org", "staff", "--json"]);
      assert.equal(run.code, 1, run.stderr);
      assert.equal((parseJsonOutput(run).state as { status: string }).status, "ERROR");
      // Progress lines may come first on standard error; the failure is one line, the last, and
      // with --json it is the CLI's {"error": {code, message}}.
      const failure = run.stderr.split("\n").filter((line) => line.startsWith('{"error"'));
      assert.equal(failure.length, 1, run.stderr);
      const { error } = JSON.parse(failure[0] ?? "") as { error: { code: string; message: string } };
      assert.equal(error.code, "CLI_CYCLE_FAILED");
      assert.match(error.message, /^org\/staff: the cycle ended ERROR: .*unavailable/);
      assert.ok(run.stderr.endsWith(`${failure[0]}\n`));
    } finally {
      await sf.control("DELETE", "/faults");
    }
    const again = await cli.run(["provision", "run", "org", "staff"]);
    assert.equal(again.code, 0, again.stderr);
  });

  it("is 3 when deactivations are held, and confirm's is 0 once they go through", async () => {
    for (const uid of ["x1", "x2", "x3"]) await disableUser(cli.server.context, testActor, uid);
    const run = await cli.run(["provision", "run", "org", "staff"]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /cycle ended HELD\n/);
    assert.match(run.stdout, /confirm with: portico provision confirm org staff/);
    assert.match(
      run.stderr,
      /^portico: CLI_CYCLE_HELD: org\/staff: the cycle ended HELD: \d+ deactivation\(s\) held/m,
    );
    const confirmed = await cli.run(["provision", "confirm", "org", "staff"]);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(confirmed.stdout, /cycle ended IDLE\n/);
  });

  it("is 1 when the channel is STOPPED, and the reason is on standard error", async () => {
    await sf.control("POST", "/fields", { object: "User", name: "Region__c", required: true });
    const refreshed = await cli.run(["provision", "fields", "org", "--refresh"]);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    const run = await cli.run(["provision", "run", "org", "staff"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^portico: PROV_CONFIG_INVALID: .*Region__c/);
    const status = parseJsonOutput(await cli.run(["provision", "status", "--json"]));
    assert.equal((status.items as { state: string }[])[0]?.state, "STOPPED");
  });
});
