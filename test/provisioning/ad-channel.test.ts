import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { channelRuntimeFor } from "../../src/services/provisioning/channel-runtime.ts";
import { adChannel, orgState, setUpLdapBench } from "../support/ldap-channel.ts";
import type { ProvisioningBench } from "../support/provisioning.ts";
import {
  addAdUserLdif,
  adGroupDn,
  adUser,
  adUserDn,
  disabledAccount,
  leaversDn,
  memberLdif,
  moveLdif,
  normalAccount,
  peopleDn,
  replaceLdif,
  type SambaDc,
  startSambaDc,
} from "../support/samba.ts";

/**
 * Channels whose source is a real Active Directory (Samba's AD DC), into the Salesforce
 * emulator, with the AD preset: users by a group through nested groups (AD's in-chain rule, a
 * cycle among them), objectGUID as the users' id, changes by uSNChanged, a disabled account
 * (userAccountControl), users leaving the scope by group or by a move to another OU, and a
 * channel by filter.
 */
describe("a channel on Active Directory (Samba AD DC)", () => {
  let dc: SambaDc;
  let bench: ProvisioningBench;
  const members = ["ada", "bob", "carol", "dave"];

  before(async () => {
    dc = await startSambaDc();
    bench = await setUpLdapBench(
      dc,
      adChannel({ userSourceLocation: { groupDN: adGroupDn("Salesforce Users"), nestedSearch: true } }),
    );
  });
  after(async () => {
    await bench?.dispose();
    await dc?.dispose();
  });

  const guidOf = (sAMAccountName: string) => dc.guidOf(sAMAccountName);
  const sourceIds = async (on: ProvisioningBench, channel = "staff") =>
    (
      await on.server.context.store.provisioning.listObjects({
        connectionId: on.connectionId,
        channel,
        kind: "user",
        limit: 100,
      })
    )
      .map((r) => r.sourceId)
      .sort();

  it("provisions the group's members through nested groups, known by objectGUID, with the AD preset's mapping", async () => {
    const report = await bench.run();
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.kind, "full");
    assert.deepEqual(await orgState(bench, [...members, "erin"]), {
      ada: true,
      bob: true,
      carol: true,
      dave: true,
      erin: "absent",
    });
    const ada = await bench.sfUser("ada@example.com", ["Alias", "FirstName", "LastName", "Title"]);
    assert.equal(ada?.FirstName, "Ada");
    assert.equal(ada?.LastName, "Lovelace");
    assert.equal(ada?.Alias, "ada");
    assert.equal(ada?.Title, "Countess");
    const guids = await Promise.all(members.map(guidOf));
    assert.deepEqual(await sourceIds(bench), guids.sort(), "objectGUIDs as AD writes them");
    assert.match(report.state.watermark ?? "", /^\d+$/, "the watermark is a USN");
  });

  it("reads only the entries changed since the watermark, by uSNChanged", async () => {
    const before = (await bench.run()).state.watermark ?? "";
    await dc.modify(replaceLdif(adUserDn("bob"), "title", "Chief Builder"));
    const { source } = await channelRuntimeFor(bench.server.context, bench.connectionId, "staff");
    const changes = await source.changesSince(before, 1000);
    assert.deepEqual([...changes.users.keys()], [await guidOf("bob")], "bob's entry, and no other");
    assert.equal(changes.groupsChanged, false);
    assert.ok(BigInt(changes.watermark) > BigInt(before), `${changes.watermark} > ${before}`);
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.summary.counts.UPDATE, 1);
    assert.equal((await bench.sfUser("bob@example.com", ["Title"]))?.Title, "Chief Builder");
    const again = await bench.run();
    assert.equal(again.summary.counts.UPDATE ?? 0, 0, "nothing changed, nothing sent");
    assert.equal(again.state.watermark, report.state.watermark);
  });

  it("deactivates an account AD disables (userAccountControl), and reactivates it", async () => {
    await dc.modify(replaceLdif(adUserDn("dave"), "userAccountControl", disabledAccount));
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.deepEqual(await orgState(bench, members), { ada: true, bob: true, carol: true, dave: false });
    await dc.modify(replaceLdif(adUserDn("dave"), "userAccountControl", normalAccount));
    await bench.run();
    assert.equal((await orgState(bench, ["dave"])).dave, true);
  });

  it("deactivates a user who leaves a nested group, and provisions one who joins", async () => {
    await dc.modify(memberLdif("Engineering", adUserDn("carol"), "delete"));
    await dc.modify(memberLdif("Platform", adUserDn("erin"), "add"));
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, [...members, "erin"]), {
      ada: true,
      bob: true,
      carol: false,
      dave: true,
      erin: true,
    });
  });

  it("deactivates a user moved out of the base DN in the next incremental cycle", async () => {
    await dc.modify(moveLdif(adUserDn("bob"), leaversDn));
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal((await orgState(bench, ["bob"])).bob, false);
    // Moved back, bob is the same user (same objectGUID): reactivated, not created again.
    await dc.modify(moveLdif(adUserDn("bob", leaversDn), peopleDn));
    await bench.run();
    assert.equal((await orgState(bench, ["bob"])).bob, true);
    assert.equal((await bench.query(`SELECT Id FROM User WHERE Email = 'bob@example.com'`)).length, 1);
  });

  it("deactivates a deleted user at the full pass (AD hides the tombstone from a plain search)", async () => {
    await dc.modify(`dn: ${adUserDn("ada")}\nchangetype: delete\n`);
    const incremental = await bench.run();
    assert.equal(incremental.state.status, "IDLE", incremental.state.statusReason ?? "");
    const full = await bench.run("staff", { full: true });
    assert.equal(full.state.status, "IDLE", full.state.statusReason ?? "");
    assert.deepEqual(await orgState(bench, ["ada", "bob", "dave"]), { ada: false, bob: true, dave: true });
  });

  it("chooses users by filter, and by direct membership of a group outside the base DN", async () => {
    const gina = adUser("gina", "Gina", "Sales");
    await dc.modify(addAdUserLdif(gina, peopleDn, ["department: Sales"]));
    await dc.modify(replaceLdif(adUserDn("carol"), "department", "Sales"));
    // A Portico of its own, so that no user is already another channel's.
    const other = await setUpLdapBench(dc, {
      ...adChannel({ userSourceLocation: { filter: "(department=Sales)" } }),
      name: "sales",
    });
    try {
      const saved = await other.configure({
        channels: [
          { ...adChannel({ userSourceLocation: { filter: "(department=Sales)" } }), name: "sales" },
          {
            ...adChannel({ userSourceLocation: { groupDN: adGroupDn("Platform"), nestedSearch: false } }),
            name: "platform",
          },
        ],
      });
      assert.ok(saved.statusCode < 300, saved.body);
      const sales = await other.run("sales");
      assert.equal(sales.state.status, "IDLE", sales.state.statusReason ?? "");
      assert.deepEqual(await sourceIds(other, "sales"), [await guidOf("carol"), await guidOf("gina")].sort());
      // Platform's own members are dave and erin; Salesforce Users, a group in it, is not followed.
      const platform = await other.run("platform");
      assert.equal(platform.state.status, "IDLE", platform.state.statusReason ?? "");
      assert.deepEqual(
        await sourceIds(other, "platform"),
        [await guidOf("dave"), await guidOf("erin")].sort(),
      );
    } finally {
      await other.dispose();
    }
  });
});
