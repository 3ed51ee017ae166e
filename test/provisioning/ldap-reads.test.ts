import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCycle } from "../../src/provisioning/engine/cycle.ts";
import { channelRuntimeFor } from "../../src/services/provisioning/channel-runtime.ts";
import { ldapChannel, orgState, replaceValue, setUpLdapBench } from "../support/ldap-channel.ts";
import type { ProvisioningBench } from "../support/provisioning.ts";
import { bulkUid, entry, groupDn, type Slapd, startSlapd, userDn } from "../support/slapd.ts";

/**
 * What an LDAP channel reads, counted by slapd itself (cn=Monitor's entries sent): an
 * incremental cycle reads the changed entries, not the scope, even when a group outside the scope
 * changed; a full pass streams the users, and one cut off part-way deprovisions no one.
 */
describe("what an LDAP channel reads from slapd", () => {
  let slapd: Slapd;
  let bench: ProvisioningBench;
  const staff = Array.from({ length: 40 }, (_, i) => bulkUid(i));

  before(async () => {
    slapd = await startSlapd({
      bulkUsers: staff.length,
      moreEntries: entry(
        { objectClass: "groupOfNames", cn: "staff", member: staff.map(userDn) },
        groupDn("staff"),
      ),
    });
    bench = await setUpLdapBench(slapd, ldapChannel({ userSourceLocation: { groupDN: groupDn("staff") } }));
    const full = await bench.run();
    assert.equal(full.state.status, "IDLE", full.state.statusReason ?? "");
    assert.equal(full.summary.counts.CREATE, staff.length);
  });
  after(async () => {
    await bench?.dispose();
    await slapd?.dispose();
  });

  /** Entries slapd sent while `work` ran, less what reading the counter costs. */
  const entriesRead = async (work: () => Promise<unknown>) => {
    const first = await slapd.entriesSent();
    const overhead = (await slapd.entriesSent()) - first;
    const before = await slapd.entriesSent();
    await work();
    return (await slapd.entriesSent()) - before - overhead;
  };

  it("reads the changed entries in an incremental cycle, not the scope, when a user or group outside it changed", async () => {
    const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));
    // The entries stamped in the watermark's second are read again by design, so that a change
    // made later in that same second is not lost. The seed and the full pass shared a second;
    // one change a second later moves the watermark past them.
    await nextSecond();
    await slapd.modify(replaceValue(userDn("user040"), "title", "Settled"));
    await bench.run();
    // Nothing changed: the scope group's entry, and user040 (in the watermark's second).
    const idle = await entriesRead(() => bench.run());
    assert.equal(idle, 2);
    await nextSecond();
    await slapd.modify(replaceValue(userDn("user005"), "title", "Principal"));
    await slapd.modify(replaceValue(userDn("dave"), "title", "Outside the scope"));
    await slapd.modify(
      [
        `dn: ${groupDn("platform")}`,
        "changetype: modify",
        "add: member",
        `member: ${userDn("ada")}`,
        "",
      ].join("\n"),
    );
    let report: Awaited<ReturnType<ProvisioningBench["run"]>> | undefined;
    const read = await entriesRead(async () => {
      report = await bench.run();
    });
    assert.equal(report?.summary.kind, "incremental");
    assert.equal(report?.summary.counts.UPDATE, 1);
    assert.equal((await bench.sfUser("user005@example.com", ["Title"]))?.Title, "Principal");
    // user005, dave and the group platform, besides what an idle cycle reads: none of the 40 in
    // scope, and no check of the scope for dave, whom the channel never held.
    assert.equal(read, idle + 3);
  });

  it("finds who left and who joined when the scope group itself changed", async () => {
    await slapd.modify(
      [
        `dn: ${groupDn("staff")}`,
        "changetype: modify",
        "delete: member",
        `member: ${userDn("user007")}`,
        "-",
        "add: member",
        `member: ${userDn("bob")}`,
        "",
      ].join("\n"),
    );
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, ["user007", "bob", "user008"]), {
      user007: false,
      bob: true,
      user008: true,
    });
  });

  it("deprovisions no one when the directory stops after the first page of a full pass", async () => {
    // The real source, read in pages of 5, and slapd stopped once the first page came in.
    const runtime = await channelRuntimeFor(bench.server.context, bench.connectionId, "staff");
    const { source } = runtime;
    const cutOff = {
      async *users() {
        for await (const page of source.users(5)) {
          yield page;
          await slapd.stop();
        }
      },
    };
    try {
      const report = await runCycle({ ...runtime, source: { ...source, ...cutOff } }, { full: true });
      assert.equal(report.state.status, "ERROR");
      assert.match(report.state.statusReason ?? "", /LDAP_TCP/);
      assert.equal(report.summary.counts.DEACTIVATE ?? 0, 0);
    } finally {
      await slapd.start();
    }
    const active = await orgState(bench, staff.slice(0, 10));
    assert.deepEqual(
      Object.entries(active).filter(([uid, state]) => state !== (uid !== "user007")),
      [],
      "everyone in scope still active (user007 left the group earlier)",
    );
    assert.equal((await bench.run("staff", { full: true })).state.status, "IDLE");
  });
});
