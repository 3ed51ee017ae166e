import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCycle } from "../../src/provisioning/engine/cycle.ts";
import { channelRuntimeFor } from "../../src/services/provisioning/channel-runtime.ts";
import { ldapChannel, orgState, replaceValue as replace, setUpLdapBench } from "../support/ldap-channel.ts";
import type { ProvisioningBench } from "../support/provisioning.ts";
import { groupDn, type Slapd, startSlapd, userDn } from "../support/slapd.ts";

/**
 * A channel whose source is a real OpenLDAP (slapd), into the Salesforce emulator: users by a
 * nested group, incremental changes by modifyTimestamp, a user leaving the group, an account
 * disabled by a flag attribute, and a directory that stops answering or loses the scope group,
 * which deprovisions no one and says why.
 */

describe("an LDAP channel by nested group, against slapd", () => {
  let slapd: Slapd;
  let bench: ProvisioningBench;
  const everyone = ["ada", "bob", "carol", "dave"];

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 3 });
    bench = await setUpLdapBench(
      slapd,
      ldapChannel({
        userSourceLocation: { groupDN: groupDn("salesforce-users"), nestedSearch: true },
        // A flag attribute of the channel's choosing marks a disabled account (PingFederate's FLAG).
        accountManagementSettings: {
          accountStatusAttributeName: "employeeType",
          accountStatusAlgorithm: "ACCOUNT_STATUS_ALGORITHM_FLAG",
          flagComparisonValue: "disabled",
          flagComparisonStatus: false,
          defaultStatus: true,
        },
      }),
    );
  });
  after(async () => {
    await bench?.dispose();
    await slapd?.dispose();
  });

  it("provisions the group's members through nested groups (a cycle among them ends), with the preset's mapping", async () => {
    const report = await bench.run();
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.kind, "full");
    assert.deepEqual(await orgState(bench, [...everyone, "user001"]), {
      ada: true,
      bob: true,
      carol: true,
      dave: true,
      user001: "absent",
    });
    const ada = await bench.sfUser("ada@example.com", ["Alias", "FirstName", "LastName", "Email"]);
    assert.equal(ada?.FirstName, "Ada");
    assert.equal(ada?.LastName, "Lovelace");
    assert.equal(ada?.Alias, "ada");
    assert.match(
      report.state.watermark ?? "",
      /^\d{14}Z$/,
      "the watermark is the directory's modifyTimestamp",
    );
  });

  it("reads changes by modifyTimestamp in an incremental cycle", async () => {
    await slapd.modify(replace(userDn("bob"), "title", "Chief Builder"));
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal((await bench.sfUser("bob@example.com", ["Title"]))?.Title, "Chief Builder");
    // The entries at the watermark's second are read again: nothing is sent twice.
    const again = await bench.run();
    assert.equal(again.summary.kind, "incremental");
    assert.equal(again.summary.counts.UPDATE ?? 0, 0);
  });

  it("deactivates an account the flag attribute disables, and only that one", async () => {
    await slapd.modify(replace(userDn("bob"), "employeeType", "disabled"));
    const report = await bench.run();
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: false, carol: true, dave: true });
    await slapd.modify(replace(userDn("bob"), "employeeType", "staff"));
    await bench.run();
    assert.equal((await orgState(bench, ["bob"])).bob, true);
  });

  it("deactivates a user moved out of the group in the next incremental cycle", async () => {
    await slapd.modify(
      [
        `dn: ${groupDn("engineering")}`,
        "changetype: modify",
        "delete: member",
        `member: ${userDn("carol")}`,
        "",
      ].join("\n"),
    );
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: true, carol: false, dave: true });
    // Back in the group, back in Salesforce.
    await slapd.modify(
      [
        `dn: ${groupDn("engineering")}`,
        "changetype: modify",
        "add: member",
        `member: ${userDn("carol")}`,
        "",
      ].join("\n"),
    );
    await bench.run();
    assert.equal((await orgState(bench, ["carol"])).carol, true);
  });

  it("deprovisions no one while the directory is down, says why, and resumes when it is back", async () => {
    await slapd.stop();
    try {
      const full = await bench.run("staff", { full: true });
      assert.equal(full.state.status, "STOPPED", full.state.statusReason ?? "");
      assert.match(
        full.state.statusReason ?? "",
        /Corporate LDAP" could not be read.*nobody is deprovisioned/,
      );
      const incremental = await bench.run();
      assert.notEqual(incremental.state.status, "IDLE");
      assert.match(incremental.state.statusReason ?? "", /LDAP_TCP|LDAP_TIMEOUT/);
      const listed = await bench.server.request("GET", "/provisioning/channels");
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: true, carol: true, dave: true });
    } finally {
      await slapd.start();
    }
    await slapd.modify(replace(userDn("dave"), "title", "Kernel"));
    const resumed = await bench.run();
    assert.equal(resumed.state.status, "IDLE", resumed.state.statusReason ?? "");
    assert.equal((await bench.sfUser("dave@example.com", ["Title"]))?.Title, "Kernel");
    assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: true, carol: true, dave: true });
  });

  it("deprovisions no one when the directory stops in the middle of a full pass", async () => {
    // The stop is timed by wrapping the channel's real source: after the position is taken (the
    // scope is not read yet), then after the last page of users came in (they are being applied).
    const cycleStoppingLdap = async (after: "watermark" | "lastPage") => {
      const runtime = await channelRuntimeFor(bench.server.context, bench.connectionId, "staff");
      const source = runtime.source;
      const stopped =
        after === "watermark"
          ? {
              watermark: async () => {
                const mark = await source.watermark();
                await slapd.stop();
                return mark;
              },
            }
          : {
              async *users(pageSize: number) {
                for await (const page of source.users(pageSize)) {
                  yield page;
                  await slapd.stop();
                }
              },
            };
      return runCycle({ ...runtime, source: { ...source, ...stopped } }, { full: true });
    };
    try {
      const early = await cycleStoppingLdap("watermark");
      assert.equal(early.state.status, "STOPPED");
      assert.match(early.state.statusReason ?? "", /could not be read.*nobody is deprovisioned/);
      assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: true, carol: true, dave: true });
    } finally {
      await slapd.start();
    }
    try {
      // The users were read whole before the stop: the pass ends on them, and no one leaves.
      const late = await cycleStoppingLdap("lastPage");
      assert.equal(late.state.status, "IDLE", late.state.statusReason ?? "");
      assert.equal(late.summary.counts.DEACTIVATE ?? 0, 0);
      assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: true, carol: true, dave: true });
    } finally {
      await slapd.start();
    }
    assert.equal((await bench.run()).state.status, "IDLE");
  });

  it("finds one user by uid or GUID, and a username made to inject a filter matches no one", async () => {
    const { source } = await channelRuntimeFor(bench.server.context, bench.connectionId, "staff");
    const ada = await source.getUser("ada");
    assert.equal(ada?.inScope, true);
    assert.equal((await source.getUser(ada?.user.id ?? ""))?.user.attributes.uid?.[0], "ada");
    assert.equal(await source.getUser("*)(uid=*"), undefined);
    assert.equal(await source.getUser("*"), undefined);
    assert.equal((await source.getUser("user001"))?.inScope, false);
  });

  it("deprovisions no one when the scope group vanishes, and says so", async () => {
    await slapd.modify([`dn: ${groupDn("salesforce-users")}`, "changetype: delete", ""].join("\n"));
    const full = await bench.run("staff", { full: true });
    assert.equal(full.state.status, "STOPPED");
    assert.match(full.state.statusReason ?? "", /scope group "cn=salesforce-users,.*" does not exist/);
    const incremental = await bench.run();
    assert.equal(incremental.state.status, "STOPPED");
    assert.deepEqual(await orgState(bench, everyone), { ada: true, bob: true, carol: true, dave: true });
  });
});
