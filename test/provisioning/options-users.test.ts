import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { addGroupMember, removeGroupMember } from "../../src/services/directory/groups.ts";
import { disableUser, enableUser, updateUser } from "../../src/services/directory/users.ts";
import {
  acme,
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * The Provisioning Options of the Target tab (spec §5.1), each on and off, against the emulated
 * org: what lands in Salesforce, and the warning an option leaves when it blocks an action
 * (spec §5.1 "General rule": a warning, never a failed cycle).
 */
describe("provisioning options: User Create, Update, Disable, Provision Disabled Users, Freeze", () => {
  let bench: ProvisioningBench;
  // Department is create-only here, to prove such a field is never updated (spec §5.4).
  const mapping = defaultBuiltinMapping().map((m) =>
    m.fieldName === "Department" ? { ...m, saasFieldInfo: { ...m.saasFieldInfo, createOnly: true } } : m,
  );
  const configure = async (settings: Record<string, string> = {}) => {
    const saved = await bench.configure({
      settings,
      channels: [staffChannel({ attributeMapping: mapping })],
    });
    assert.ok(saved.statusCode < 300, saved.body);
  };
  const directory = () => bench.server.context;
  /** The warning a blocked action leaves: a SKIP event that did not succeed, and a log line. */
  const warningFor = async (uid: string, cause: RegExp) => {
    const [skip] = await bench.events({ sourceId: uid, type: "SKIP" });
    assert.equal(skip?.success, false, `a warning event for ${uid}`);
    assert.match(skip?.cause ?? "", cause);
    assert.match(bench.server.logs(), new RegExp(`${uid}: ${cause.source}`));
  };

  before(async () => {
    bench = await startProvisioningBench();
    await staffGroup(directory(), []);
    await configure();
  });
  after(async () => bench?.dispose());

  it("User Create off: a new user in scope is not created; a warning says so and the cycle succeeds", async () => {
    await configure({ CREATE_USERS: "false" });
    await bench.person("cora");
    const report = await bench.run();
    assert.equal(await bench.sfUser(acme("cora")), undefined);
    assert.equal(report.state.status, "IDLE");
    assert.equal(report.summary.failures, 0);
    await warningFor("cora", /User Create is off, so the user is not created/);
  });

  it("User Create on again: the user skipped while it was off is created at the next cycle", async () => {
    await configure();
    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE, 1, JSON.stringify(report.summary));
    const cora = await bench.sfUser(acme("cora"), ["Department"]);
    assert.equal(cora?.IsActive, true);
  });

  it("User Update on: a mapped change is pushed; a create-only field and an unmapped attribute are not", async () => {
    await bench.person("uma", { department: "Sales" });
    await bench.run();
    await updateUser(directory(), testActor, "uma", {
      attributes: { title: "Lead", department: "Marketing", description: "not mapped" },
    });
    const report = await bench.run();
    assert.equal(report.summary.counts.UPDATE, 1);
    const [event] = await bench.events({ sourceId: "uma", type: "UPDATE" });
    assert.deepEqual(event?.detail, { fields: ["Title"] }, "only the mapped, updatable field");
    const uma = await bench.sfUser(acme("uma"), ["Title", "Department"]);
    assert.equal(uma?.Title, "Lead");
    assert.equal(uma?.Department, "Sales", "create-only: set when created, never updated");

    await updateUser(directory(), testActor, "uma", { attributes: { description: "still not mapped" } });
    const quiet = await bench.run();
    assert.deepEqual(quiet.summary.counts, {}, "an unmapped attribute's change is ignored");
    assert.equal(quiet.summary.apiCalls, 0);
  });

  it("User Update off: a change is not pushed, and a warning names the fields; on again, it is", async () => {
    await configure({ UPDATE_USERS: "false" });
    await updateUser(directory(), testActor, "uma", { attributes: { title: "Director" } });
    const report = await bench.run();
    assert.equal(report.summary.failures, 0);
    assert.equal((await bench.sfUser(acme("uma"), ["Title"]))?.Title, "Lead");
    await warningFor("uma", /User Update is off, so Title not updated/);

    await configure();
    await bench.run();
    assert.equal((await bench.sfUser(acme("uma"), ["Title"]))?.Title, "Director");
  });

  it("User Disable on: a disabled user and one who leaves scope are deactivated, never deleted", async () => {
    await bench.person("dina");
    await bench.person("dirk");
    await bench.run();
    await disableUser(directory(), testActor, "dina");
    await removeGroupMember(directory(), testActor, "salesforce-users", "dirk");
    const report = await bench.run();
    assert.equal(report.summary.counts.DEACTIVATE, 2);
    assert.equal((await bench.sfUser(acme("dina")))?.IsActive, false);
    assert.equal((await bench.sfUser(acme("dirk")))?.IsActive, false);
  });

  it("returning users are reactivated with User Update on, and stay inactive with a warning when it is off", async () => {
    await configure({ UPDATE_USERS: "false" });
    await enableUser(directory(), testActor, "dina");
    await bench.run();
    assert.equal((await bench.sfUser(acme("dina")))?.IsActive, false);
    await warningFor("dina", /User Update is off, so the returning user is not reactivated/);

    await configure();
    await addGroupMember(directory(), testActor, "salesforce-users", "dirk");
    const report = await bench.run();
    assert.equal(report.summary.counts.REACTIVATE, 2, JSON.stringify(report.summary));
    assert.equal((await bench.sfUser(acme("dina")))?.IsActive, true);
    assert.equal((await bench.sfUser(acme("dirk")))?.IsActive, true);
  });

  it("User Disable off: a disabled user stays active, with a warning; on again, it is deactivated", async () => {
    await configure({ DISABLE_USERS: "false" });
    await disableUser(directory(), testActor, "dina");
    const report = await bench.run();
    assert.equal(report.summary.failures, 0);
    assert.equal((await bench.sfUser(acme("dina")))?.IsActive, true);
    await warningFor("dina", /User Disable is off, so the user who was disabled stays active/);

    await configure();
    await bench.run();
    assert.equal((await bench.sfUser(acme("dina")))?.IsActive, false);
    await enableUser(directory(), testActor, "dina");
    await bench.run();
  });

  it("Freeze instead of disable: the login is frozen and the user stays active; unfrozen on return", async () => {
    await configure({ FREEZE_USER_FLAG: "true" });
    await disableUser(directory(), testActor, "dina");
    await removeGroupMember(directory(), testActor, "salesforce-users", "dirk");
    const report = await bench.run();
    assert.equal(report.summary.counts.FREEZE, 2, JSON.stringify(report.summary));
    assert.equal(report.summary.counts.DEACTIVATE ?? 0, 0);
    for (const uid of ["dina", "dirk"]) {
      const user = await bench.sfUser(acme(uid));
      assert.equal(user?.IsActive, true, `${uid} keeps the licence`);
      assert.equal(await bench.isFrozen(String(user?.Id)), true, `${uid} is frozen`);
    }

    await enableUser(directory(), testActor, "dina");
    await addGroupMember(directory(), testActor, "salesforce-users", "dirk");
    const back = await bench.run();
    assert.equal(back.summary.counts.UNFREEZE, 2, JSON.stringify(back.summary));
    for (const uid of ["dina", "dirk"]) {
      const user = await bench.sfUser(acme(uid));
      assert.equal(await bench.isFrozen(String(user?.Id)), false, `${uid} is unfrozen`);
    }
    await configure();
  });

  it("Provision Disabled Users on: a disabled user entering scope is created inactive", async () => {
    await configure({ PROVISION_DISABLED_USERS: "true" });
    await bench.person("pia", {}, { enabled: false });
    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE, 1);
    const pia = await bench.sfUser(acme("pia"));
    assert.equal(pia?.IsActive, false);
  });

  it("Provision Disabled Users off: a disabled user entering scope is ignored, and created once enabled", async () => {
    await configure({ PROVISION_DISABLED_USERS: "false" });
    await bench.person("pax", {}, { enabled: false });
    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE ?? 0, 0);
    assert.equal(report.summary.failures, 0);
    assert.equal(await bench.sfUser(acme("pax")), undefined);
    const [skip] = await bench.events({ sourceId: "pax", type: "SKIP" });
    assert.match(skip?.cause ?? "", /disabled and Provision Disabled Users is off/);

    await enableUser(directory(), testActor, "pax");
    assert.equal((await bench.run()).summary.counts.CREATE, 1);
    assert.equal((await bench.sfUser(acme("pax")))?.IsActive, true);
  });
});
