import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  removeGroupMember,
} from "../../src/services/directory/groups.ts";
import {
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * Public groups (spec §5.4, group rows): directory groups in the channel's group scope become
 * Salesforce groups of type Regular with the members the channel provisions; membership follows
 * the directory; a group that leaves the scope is deleted. Without a group scope, no group is
 * touched.
 */
describe("public groups", () => {
  let bench: ProvisioningBench;
  const ctx = () => bench.server.context;
  const withGroups = staffChannel({
    channelSource: {
      dataSource: { id: "builtin" },
      userSourceLocation: { groupDN: "cn=salesforce-users,ou=groups" },
      groupSourceLocation: { filter: "(|(cn=team-*)(cn=Sales Team))" },
    },
  });
  const configure = async (channel = withGroups) => {
    const saved = await bench.configure({ channels: [channel] });
    assert.ok(saved.statusCode < 300, saved.body);
  };
  const sfGroups = (name: string) =>
    bench.query<{ Id: string; Name: string; DeveloperName: string; Type: string }>(
      `SELECT Id, Name, DeveloperName, Type FROM Group WHERE Name = '${name}'`,
    );
  /** The Usernames of a Salesforce group's members, sorted. */
  const membersOf = async (groupId: string) => {
    const rows = await bench.query<{ UserOrGroupId: string }>(
      `SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '${groupId}'`,
    );
    if (rows.length === 0) return [];
    const users = await bench.query<{ Username: string }>(
      `SELECT Username FROM User WHERE Id IN (${rows.map((r) => `'${r.UserOrGroupId}'`).join(", ")})`,
    );
    return users.map((u) => u.Username.split("@")[0]).sort();
  };
  const memberCount = async () => (await bench.query<{ Id: string }>("SELECT Id FROM GroupMember")).length;

  before(async () => {
    bench = await startProvisioningBench();
    await staffGroup(ctx(), []);
    for (const uid of ["ann", "ben", "cat", "dan"]) await bench.person(uid);
    await bench.person("out", {}, { groups: [] });
    await createGroup(ctx(), testActor, { cn: "team-red", members: ["ann", "ben", "out"] });
    await createGroup(ctx(), testActor, { cn: "Sales Team", members: ["cat"] });
    await createGroup(ctx(), testActor, { cn: "other", members: ["ann"] });
  });
  after(async () => bench?.dispose());

  it("with no group scope, provisions users and touches no group", async () => {
    await configure(staffChannel());
    const membersBefore = await memberCount();
    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE, 4);
    assert.equal(report.summary.counts.GROUP_CREATE ?? 0, 0);
    assert.deepEqual(await sfGroups("team-red"), []);
    assert.equal(await memberCount(), membersBefore);
  });

  it("creates the groups in scope with their provisioned members, and adopts one Salesforce has by name", async () => {
    await configure();
    const salesTeam = await sfGroups("Sales Team");
    const report = await bench.run();
    assert.equal(report.summary.counts.GROUP_CREATE, 1, JSON.stringify(report.summary));
    const [red] = await sfGroups("team-red");
    assert.equal(red?.Type, "Regular");
    assert.equal(red?.DeveloperName, "team_red");
    assert.deepEqual(await membersOf(String(red?.Id)), ["ann", "ben"], "out is not provisioned");
    assert.deepEqual(await sfGroups("Sales Team"), salesTeam, "the existing group, not a second one");
    assert.deepEqual(await membersOf(String(salesTeam[0]?.Id)), ["cat"]);
    assert.deepEqual(await sfGroups("other"), [], "out of the group scope");
  });

  it("follows membership changes made on the group", async () => {
    await addGroupMember(ctx(), testActor, "team-red", "dan");
    await removeGroupMember(ctx(), testActor, "team-red", "ann");
    const report = await bench.run();
    assert.equal(report.summary.counts.GROUP_MEMBERS, 1, JSON.stringify(report.summary));
    const [red] = await sfGroups("team-red");
    assert.deepEqual(await membersOf(String(red?.Id)), ["ben", "dan"]);
  });

  it("drops a member who is deprovisioned, and adds them back when they return", async () => {
    await removeGroupMember(ctx(), testActor, "salesforce-users", "ben");
    await bench.run();
    const [red] = await sfGroups("team-red");
    assert.deepEqual(await membersOf(String(red?.Id)), ["dan"]);
    await addGroupMember(ctx(), testActor, "salesforce-users", "ben");
    await bench.run();
    assert.deepEqual(await membersOf(String(red?.Id)), ["ben", "dan"]);
  });

  it("reads back a membership change that timed out but was carried out, and undoes it when the directory does", async () => {
    const [red] = await sfGroups("team-red");
    await addGroupMember(ctx(), testActor, "team-red", "cat");
    await configure({ ...withGroups, timeout: 1 });
    // The GroupMember insert, and each retry, held past the timeout and then carried out.
    await bench.sf.control("POST", "/faults", {
      kind: "slow",
      count: 4,
      hangMs: 1200,
      method: "POST",
      path: "/composite/sobjects",
    });
    const slow = await bench.run();
    assert.equal(slow.state.status, "ERROR", JSON.stringify(slow.summary));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(await membersOf(String(red?.Id)), ["ben", "cat", "dan"], "Salesforce did add cat");
    await configure();
    await removeGroupMember(ctx(), testActor, "team-red", "cat");
    const next = await bench.run();
    assert.equal(next.state.status, "IDLE", next.state.statusReason ?? "");
    assert.deepEqual(await membersOf(String(red?.Id)), ["ben", "dan"]);
  });

  it("deletes the Salesforce group when the directory group is deleted; a renamed group is a new one", async () => {
    // The built-in directory knows a group by its cn, which cannot change: a rename is a new group.
    const [red] = await sfGroups("team-red");
    await deleteGroup(ctx(), testActor, "team-red");
    await createGroup(ctx(), testActor, { cn: "team-crimson", members: ["ben", "dan"] });
    const report = await bench.run();
    assert.equal(report.summary.counts.GROUP_DELETE, 1, JSON.stringify(report.summary));
    assert.equal(report.summary.counts.GROUP_CREATE, 1);
    assert.deepEqual(await sfGroups("team-red"), []);
    assert.deepEqual(await bench.query(`SELECT Id FROM GroupMember WHERE GroupId = '${red?.Id}'`), []);
    const [crimson] = await sfGroups("team-crimson");
    assert.deepEqual(await membersOf(String(crimson?.Id)), ["ben", "dan"]);
  });

  it("with the group scope taken away again, touches no group, even one deleted in the directory", async () => {
    await configure(staffChannel());
    await deleteGroup(ctx(), testActor, "team-crimson");
    await addGroupMember(ctx(), testActor, "Sales Team", "ann");
    const membersBefore = await memberCount();
    const report = await bench.run();
    assert.equal(report.summary.counts.GROUP_DELETE ?? 0, 0);
    assert.equal(report.summary.counts.GROUP_MEMBERS ?? 0, 0);
    assert.equal((await sfGroups("team-crimson")).length, 1);
    assert.equal(await memberCount(), membersBefore);
  });
});
