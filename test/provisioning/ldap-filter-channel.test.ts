import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ldapChannel, ldapStore, orgState, replaceValue, setUpLdapBench } from "../support/ldap-channel.ts";
import type { ProvisioningBench } from "../support/provisioning.ts";
import { adaObjectGuid, baseDn, type Slapd, startSlapd, userDn } from "../support/slapd.ts";

/**
 * A channel that chooses its users by filter, against a real slapd: who matches is provisioned, a
 * user whose entry stops matching is deactivated, a base DN with no users deprovisions no one,
 * and an Active Directory GUID (binary objectGUID) identifies users once the store reads it as bytes.
 */
describe("an LDAP channel by filter, against slapd", () => {
  let slapd: Slapd;
  let bench: ProvisioningBench;
  const sales = ldapChannel({ userSourceLocation: { filter: "(departmentNumber=sales)" } });

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 3 });
    for (const uid of ["ada", "carol"])
      await slapd.modify(replaceValue(userDn(uid), "departmentNumber", "sales"));
    bench = await setUpLdapBench(slapd, sales);
  });
  after(async () => {
    await bench?.dispose();
    await slapd?.dispose();
  });

  it("provisions the entries the filter matches, and no one else", async () => {
    const report = await bench.run();
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, ["ada", "bob", "carol", "dave"]), {
      ada: true,
      bob: "absent",
      carol: true,
      dave: "absent",
    });
  });

  it("deactivates a user whose entry no longer matches, and provisions one that now does", async () => {
    await slapd.modify(replaceValue(userDn("carol"), "departmentNumber", "engineering"));
    await slapd.modify(replaceValue(userDn("bob"), "departmentNumber", "sales"));
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, ["ada", "bob", "carol"]), { ada: true, bob: true, carol: false });
  });

  it("refuses a filter that is no filter, naming the field", async () => {
    const saved = await bench.configure({
      channels: [ldapChannel({ userSourceLocation: { filter: "(departmentNumber=sales" } })],
    });
    assert.equal(saved.statusCode, 422, saved.body);
    const problem = saved.json() as { errors: { field: string }[] };
    assert.deepEqual(
      problem.errors.map((e) => e.field),
      ["outboundProvision.channels[0].channelSource.userSourceLocation.filter"],
    );
  });

  it("deprovisions no one when the base DN answers no users, and says so", async () => {
    const saved = await bench.configure({
      channels: [{ ...sales, channelSource: { ...sales.channelSource, baseDn: `ou=services,${baseDn}` } }],
    });
    assert.ok(saved.statusCode < 300, saved.body);
    const report = await bench.run("staff", { full: true });
    assert.equal(report.state.status, "STOPPED");
    assert.match(
      report.state.statusReason ?? "",
      /answered no users in scope under "ou=services,dc=example,dc=com"/,
    );
    assert.deepEqual(await orgState(bench, ["ada", "bob"]), { ada: true, bob: true });
    const missing = await bench.configure({
      channels: [{ ...sales, channelSource: { ...sales.channelSource, baseDn: `ou=gone,${baseDn}` } }],
    });
    assert.ok(missing.statusCode < 300, missing.body);
    const gone = await bench.run("staff", { full: true });
    assert.equal(gone.state.status, "STOPPED");
    assert.match(gone.state.statusReason ?? "", /base DN "ou=gone,dc=example,dc=com" does not exist/);
    assert.deepEqual(await orgState(bench, ["ada", "bob"]), { ada: true, bob: true });
  });

  it("identifies users by a binary objectGUID once the data store reads it as bytes", async () => {
    const byGuid = ldapChannel({
      guidAttributeName: "objectGUID",
      guidBinary: true,
      userSourceLocation: { filter: "(uid=ada)" },
    });
    const saved = await bench.configure({ channels: [{ ...byGuid, name: "by-guid" }] });
    assert.ok(saved.statusCode < 300, saved.body);
    await assert.rejects(bench.run("by-guid"), /add it to the store's binaryAttributes/);
    const listed = await bench.server.request("GET", "/provisioning/channels");
    const { items } = listed.json() as {
      items: { channelName: string; state: string; stateReason: string }[];
    };
    const stopped = items.find((c) => c.channelName === "by-guid");
    assert.equal(stopped?.state, "STOPPED");
    assert.match(stopped?.stateReason ?? "", /guidAttributeName: objectGUID is read as text/);

    const updated = await bench.server.request("PUT", "/dataStores/corp", {
      ...ldapStore(slapd),
      binaryAttributes: ["objectGUID"],
    });
    assert.equal(updated.statusCode, 200, updated.body);
    const report = await bench.run("by-guid");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    const rows = await bench.server.context.store.provisioning.listObjects({
      connectionId: bench.connectionId,
      channel: "by-guid",
      kind: "user",
      limit: 10,
    });
    assert.deepEqual(
      rows.map((r) => r.sourceId),
      [adaObjectGuid],
    );
  });
});
