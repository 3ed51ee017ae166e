import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { removeGroupMember } from "../../src/services/directory/groups.ts";
import {
  acme,
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * Several channels on one connection (spec §5.3), with the scopes a channel can have: the
 * members of a group, the users a filter matches, and all users. A user in the scope of two
 * channels is handled by one at a time, and created once.
 */
describe("several channels on one connection, and their scopes", () => {
  let bench: ProvisioningBench;
  const everyone = staffChannel({ name: "everyone", channelSource: { dataSource: { id: "builtin" } } });
  const sales = staffChannel({
    name: "sales",
    channelSource: { dataSource: { id: "builtin" }, userSourceLocation: { filter: "(department=Sales)" } },
  });
  const owners = async () =>
    Object.fromEntries(
      (
        await bench.server.context.store.provisioning.getObjects(bench.connectionId, "user", [
          "ann",
          "bea",
          "cal",
          "zed",
          "dee",
        ])
      ).map((row) => [row.sourceId, row.channel]),
    );
  const usersNamed = async (uid: string) =>
    (await bench.query<{ Id: string }>(`SELECT Id FROM User WHERE Username = '${acme(uid)}'`)).length;

  before(async () => {
    bench = await startProvisioningBench();
    await staffGroup(bench.server.context, []);
    const saved = await bench.configure({ channels: [staffChannel(), sales, everyone] });
    assert.equal(saved.statusCode, 201, saved.body);
    await bench.person("ann", { department: "Sales" });
    await bench.person("bea");
    await bench.person("cal", { department: "Sales" }, { groups: [] });
    await bench.person("zed", {}, { groups: [] });
  });
  after(async () => bench?.dispose());

  it("each channel creates the users of its scope that no other channel handles; none twice", async () => {
    const staff = await bench.run("staff");
    assert.equal(staff.summary.counts.CREATE, 2, "ann and bea: the group's members");
    const bySales = await bench.run("sales");
    assert.equal(bySales.summary.counts.CREATE, 1, "cal: the filter matches ann and cal, ann is taken");
    const all = await bench.run("everyone");
    assert.equal(all.summary.counts.CREATE, 1, "zed: every user, the others are taken");
    for (const uid of ["ann", "bea", "cal", "zed"]) assert.equal(await usersNamed(uid), 1, uid);
    assert.deepEqual(await owners(), { ann: "staff", bea: "staff", cal: "sales", zed: "everyone" });
    const [skip] = await bench.events({ channel: "everyone", sourceId: "ann", type: "SKIP" });
    assert.equal(skip?.cause, 'handled by the channel "staff"');
    assert.equal(skip?.success, true, "not a warning: nothing was blocked");
  });

  it("creates a new user once when two channels whose scopes hold it run at the same time", async () => {
    await bench.person("dee", { department: "Sales" });
    const reports = await Promise.all(["staff", "sales", "everyone"].map((name) => bench.run(name)));
    const created = reports.reduce((n, r) => n + (r.summary.counts.CREATE ?? 0), 0);
    assert.equal(await usersNamed("dee"), 1);
    assert.equal(created, 1, JSON.stringify(await bench.events({ sourceId: "dee" })));
    const [row] = await bench.server.context.store.provisioning.getObjects(bench.connectionId, "user", [
      "dee",
    ]);
    assert.equal(row?.status, "ACTIVE", `${row?.channel} owns dee`);
    assert.notEqual(row?.targetId, null);
  });

  it("hands a user over to another channel whose scope holds it once the first lets it go", async () => {
    await removeGroupMember(bench.server.context, testActor, "salesforce-users", "bea");
    const staff = await bench.run("staff");
    assert.equal(staff.summary.counts.DEACTIVATE, 1, "bea left the staff group");
    const all = await bench.run("everyone", { full: true });
    assert.equal(all.summary.counts.REACTIVATE, 1, JSON.stringify(all.summary));
    assert.equal((await bench.sfUser(acme("bea")))?.IsActive, true);
    assert.equal((await owners()).bea, "everyone");
    assert.equal(await usersNamed("bea"), 1);
  });

  it("forgets a channel taken out of the connection, so another channel adopts its users", async () => {
    const staffUsers = Object.entries(await owners()).filter(([, channel]) => channel === "staff");
    assert.ok(staffUsers.length > 0, "staff owns someone");
    const saved = await bench.configure({ channels: [sales, everyone] });
    assert.equal(saved.statusCode, 200, saved.body);
    const repo = bench.server.context.store.provisioning;
    assert.equal(await repo.getChannel(bench.connectionId, "staff"), undefined, "no state left behind");
    const all = await bench.run("everyone", { full: true });
    assert.equal(all.summary.counts.ADOPT, staffUsers.length, JSON.stringify(all.summary));
    for (const [uid] of staffUsers) {
      assert.equal((await owners())[uid], "everyone", uid);
      assert.equal(await usersNamed(uid), 1, `${uid} not created twice`);
    }
  });

  it("forgets every channel of a deleted connection", async () => {
    const current = await bench.server.request("GET", `/idp/spConnections/${bench.connectionId}`);
    const document = { ...JSON.parse(current.body), active: false };
    const off = await bench.server.request("PUT", `/idp/spConnections/${bench.connectionId}`, document);
    assert.equal(off.statusCode, 200, off.body);
    const deleted = await bench.server.request("DELETE", `/idp/spConnections/${bench.connectionId}`);
    assert.equal(deleted.statusCode, 204, deleted.body);
    const repo = bench.server.context.store.provisioning;
    assert.deepEqual(
      (await repo.listChannels()).filter((c) => c.connectionId === bench.connectionId),
      [],
    );
    assert.deepEqual(await repo.getObjects(bench.connectionId, "user", ["ann", "bea", "cal", "zed"]), []);
  });
});
