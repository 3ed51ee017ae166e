import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { updateUser } from "../../src/services/directory/users.ts";
import {
  acme,
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * Permission sets (spec §5.1 "Permission set management", §5.4 last row): the mapped sets, by
 * API name or label, are assigned; Merge never removes an assignment, Overwrite makes the
 * assignments equal to the mapped ones; the set a profile owns is never touched.
 */
describe("permission sets by Merge and by Overwrite", () => {
  let bench: ProvisioningBench;
  const channel = staffChannel({
    attributeMapping: [
      ...defaultBuiltinMapping(),
      { fieldName: "PermissionSets", saasFieldInfo: { attributeNames: ["permissionSet"] } },
    ],
  });
  const configure = async (management?: string) => {
    const saved = await bench.configure({
      settings: { PERMISSION_SET_MANAGEMENT: management },
      channels: [channel],
    });
    assert.ok(saved.statusCode < 300, saved.body);
  };
  const userId = async (uid: string) => String((await bench.sfUser(acme(uid)))?.Id);
  /** The API names of a user's permission sets; the profile's own set as "(profile)". */
  const setsOf = async (uid: string) =>
    (
      await bench.query<{ PermissionSet: { Name: string; IsOwnedByProfile: boolean } }>(
        `SELECT PermissionSet.Name, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE AssigneeId = '${await userId(uid)}'`,
      )
    )
      .map((a) => (a.PermissionSet.IsOwnedByProfile ? "(profile)" : a.PermissionSet.Name))
      .sort();
  const assignInSalesforce = async (uid: string, name: string) => {
    const [set] = await bench.query<{ Id: string }>(`SELECT Id FROM PermissionSet WHERE Name = '${name}'`);
    await bench.sf.asAdmin("POST", "sobjects/PermissionSetAssignment", {
      AssigneeId: await userId(uid),
      PermissionSetId: set?.Id,
    });
  };

  before(async () => {
    bench = await startProvisioningBench();
    await staffGroup(bench.server.context, []);
    await configure();
  });
  after(async () => bench?.dispose());

  it("assigns the mapped sets to a new user, by API name or by label", async () => {
    await bench.person("pam", { permissionSet: ["Sales_Ops", "Marketing Analytics"] });
    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE, 1, JSON.stringify(await bench.events({ success: false })));
    assert.deepEqual(await setsOf("pam"), ["(profile)", "Marketing_Analytics", "Sales_Ops"]);
  });

  it("Merge: adds a newly mapped set and keeps every assignment Salesforce has", async () => {
    await assignInSalesforce("pam", "API_Access");
    await updateUser(bench.server.context, testActor, "pam", {
      attributes: { permissionSet: ["Sales_Ops"] },
    });
    await bench.run();
    assert.deepEqual(await setsOf("pam"), ["(profile)", "API_Access", "Marketing_Analytics", "Sales_Ops"]);
    await updateUser(bench.server.context, testActor, "pam", {
      attributes: { permissionSet: ["Sales_Ops", "API Access", "Service_Console"] },
    });
    const report = await bench.run();
    assert.equal(report.summary.failures, 1, "Service_Console is not a set of this org");
    const [event] = await bench.events({ sourceId: "pam", success: false });
    assert.match(event?.cause ?? "", /no permission set named "Service_Console"/);
    assert.deepEqual(await setsOf("pam"), ["(profile)", "API_Access", "Marketing_Analytics", "Sales_Ops"]);
  });

  it("Overwrite: removes the assignments not mapped, keeps the profile's own set", async () => {
    await updateUser(bench.server.context, testActor, "pam", {
      attributes: { permissionSet: ["Sales_Ops"] },
    });
    await configure("Overwrite permission sets in Salesforce");
    const report = await bench.run();
    assert.equal(report.summary.counts.PERMISSION_SETS, 1, JSON.stringify(report.summary));
    assert.deepEqual(await setsOf("pam"), ["(profile)", "Sales_Ops"]);
  });

  it("Overwrite: an assignment made in Salesforce is taken back at the next full pass", async () => {
    await assignInSalesforce("pam", "Marketing_Analytics");
    await bench.run("staff", { full: true });
    assert.deepEqual(await setsOf("pam"), ["(profile)", "Sales_Ops"]);
  });

  it("Overwrite with no sets mapped for a user removes all but the profile's", async () => {
    await updateUser(bench.server.context, testActor, "pam", { attributes: { permissionSet: null } });
    await bench.run();
    assert.deepEqual(await setsOf("pam"), ["(profile)"]);
  });
});
