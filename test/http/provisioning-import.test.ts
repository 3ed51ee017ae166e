import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { addStaff, provisioningConnection, staffChannel } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

type Json = Record<string, any>;

/**
 * A configuration import restores connections with active channels as they were exported. A
 * channel that cannot run on the new server is named in the import's report, and shows STOPPED
 * with the reason, instead of running half-configured or refusing the whole restore.
 */
describe("importing a configuration whose channels are active", () => {
  let sf: SalesforceEmulator;
  let source: TestServer;
  let target: TestServer;
  let bundle: Json;

  const staffStatus = async (server: TestServer) => {
    const listed = await server.request("GET", "/provisioning/channels");
    assert.equal(listed.statusCode, 200, listed.body);
    return (listed.json().items as Json[]).find((c) => c.channelName === "staff") as Json;
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    source = await startTestServer();
    const inactive = provisioningConnection(sf, "org", [staffChannel({ active: false })]);
    const saved = await source.request("POST", "/idp/spConnections", inactive);
    assert.equal(saved.statusCode, 201, saved.body);
    const exported = await source.request("GET", "/portico/config/export");
    assert.equal(exported.statusCode, 200, exported.body);
    bundle = exported.json();
  });
  after(async () => {
    await target?.dispose();
    await source?.dispose();
    await sf?.close();
  });

  const withChannel = (edit: (document: SpConnection) => void): Json => {
    const copy = structuredClone(bundle);
    const document = copy.spConnections[0] as SpConnection;
    const channel = document.outboundProvision?.channels[0];
    assert.ok(channel);
    channel.active = true;
    edit(document);
    return copy;
  };

  it("imports a channel missing a required field, names the field, and shows the channel STOPPED", async () => {
    target = await startTestServer({ masterKey: source.masterKeyText });
    await addStaff(target.context, "u", 2);
    const imported = await target.request(
      "POST",
      "/portico/config/import",
      withChannel((document) => {
        const channel = document.outboundProvision?.channels[0];
        if (channel)
          channel.attributeMapping = channel.attributeMapping.filter((m) => m.fieldName !== "LastName");
      }),
    );
    assert.equal(imported.statusCode, 200, imported.body);
    const report = imported.json();
    assert.deepEqual(report.spConnectionsImported, ["org"]);
    assert.equal(report.channelProblems.length, 1, imported.body);
    assert.equal(report.channelProblems[0].spConnection, "org");
    assert.match(report.channelProblems[0].message, /LastName/);

    const run = await target.request("POST", "/provisioning/connections/org/channels/staff/run", {
      wait: true,
    });
    assert.ok(run.statusCode >= 400, `a channel that cannot run is refused: ${run.body}`);
    const status = await staffStatus(target);
    assert.equal(status.state, "STOPPED");
    assert.match(status.stateReason, /LastName/);
    assert.equal(status.users.ACTIVE, 0);
    const created = await sf.asAdmin<{ totalSize: number }>(
      "GET",
      `query?q=${encodeURIComponent("SELECT Id FROM User WHERE Username LIKE '%@acme.example.com'")}`,
    );
    assert.equal(created.totalSize, 0, "nobody was provisioned by a half-configured channel");
  });

  it("reports nothing for a channel that can run, which then provisions", async () => {
    await target?.dispose();
    target = await startTestServer({ masterKey: source.masterKeyText });
    await addStaff(target.context, "u", 2);
    const imported = await target.request(
      "POST",
      "/portico/config/import",
      withChannel(() => {}),
    );
    assert.equal(imported.statusCode, 200, imported.body);
    assert.deepEqual(imported.json().channelProblems, []);
    const run = await target.request("POST", "/provisioning/connections/org/channels/staff/run", {
      wait: true,
    });
    assert.equal(run.statusCode, 200, run.body);
    assert.equal((await staffStatus(target)).users.ACTIVE, 2);
  });
});
