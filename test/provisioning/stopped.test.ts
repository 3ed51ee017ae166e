import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AppError } from "../../src/lib/errors.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { startProvisioning } from "../../src/services/provisioning/background.ts";
import { assertCode, rejectedAppError } from "../support/errors.ts";
import {
  assertStaffInOrg,
  channelStatus,
  connectionId,
  cycle,
  saveProvisioning,
  staff,
} from "../support/provisioning-faults.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * A channel whose configuration can no longer run — a field the org made required since the
 * channel was activated, a target setting whose secret is gone — shows STOPPED with the reason
 * in `GET /provisioning/channels`, calls Salesforce for nothing, and runs again once fixed.
 */
describe("a channel whose configuration cannot run", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;

  /** A cycle that must be refused: resolves to the refusal. */
  const refusedCycle = async (): Promise<AppError> => {
    await sf.clearRequests();
    const refusal = await rejectedAppError(cycle(server));
    assert.deepEqual(await sf.requests("/services/data"), [], "the cycle did not call Salesforce");
    return refusal;
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    await staff(server, "s", 2);
    await saveProvisioning(server, sf);
    assert.equal((await cycle(server)).state.status, "IDLE");
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("stops when the org made a field required that the mapping leaves out, and resumes once it is mapped", async () => {
    await sf.control("POST", "/fields", { object: "User", name: "Badge__c", required: true });
    const refreshed = await server.request("POST", `/provisioning/connections/${connectionId}/refreshFields`);
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    await staff(server, "t", 1);

    assertCode(await refusedCycle(), "PROV_CONFIG_INVALID");
    const stopped = await channelStatus(server);
    assert.equal(stopped.state, "STOPPED");
    assert.match(stopped.stateReason ?? "", /Badge__c/);

    // The background runner leaves it stopped too: nothing reaches Salesforce.
    await sf.clearRequests();
    const scheduler = startProvisioning(server.context, { tickMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await staff(server, "u", 1);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await scheduler.stop();
    assert.deepEqual(await sf.requests("/services/data"), []);
    assert.equal((await channelStatus(server)).state, "STOPPED");

    await saveProvisioning(server, sf, {
      channel: {
        attributeMapping: [
          ...defaultBuiltinMapping(),
          { fieldName: "Badge__c", saasFieldInfo: { defaultValue: "B-1" } },
        ],
      },
    });
    const resumed = await cycle(server);
    assert.equal(resumed.state.status, "IDLE", resumed.state.statusReason ?? "");
    assert.equal(resumed.summary.counts.CREATE, 2, "t1 and u1, held back while stopped");
    assert.equal((await channelStatus(server)).state, "IDLE");
    await assertStaffInOrg(sf, "t", 1);
    await assertStaffInOrg(sf, "u", 1);
  });

  it("stops when the target's secret is gone from the stored connection, and resumes once it is set again", async () => {
    // As a restored backup or another node's older copy could leave it: the setting is missing.
    const record = await server.context.store.connections.get(connectionId);
    assert.ok(record?.document.outboundProvision);
    const provision = record.document.outboundProvision;
    await server.context.store.connections.update({
      ...record,
      document: {
        ...record.document,
        outboundProvision: {
          ...provision,
          targetSettings: provision.targetSettings.filter((s) => s.name !== "CLIENT_SECRET"),
        },
      },
    });
    await staff(server, "v", 1);

    await refusedCycle();
    const stopped = await channelStatus(server);
    assert.equal(stopped.state, "STOPPED", JSON.stringify(stopped));
    assert.match(stopped.stateReason ?? "", /CLIENT_SECRET/);

    await saveProvisioning(server, sf, {
      channel: {
        attributeMapping: [
          ...defaultBuiltinMapping(),
          { fieldName: "Badge__c", saasFieldInfo: { defaultValue: "B-1" } },
        ],
      },
    });
    const resumed = await cycle(server);
    assert.equal(resumed.state.status, "IDLE", resumed.state.statusReason ?? "");
    assert.equal(resumed.summary.counts.CREATE, 1);
    await assertStaffInOrg(sf, "v", 1);
  });
});
