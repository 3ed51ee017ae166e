import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ldapChannel, orgState, replaceValue, setUpLdapBench } from "../support/ldap-channel.ts";
import type { ProvisioningBench } from "../support/provisioning.ts";
import { type Slapd, startSlapd, userDn } from "../support/slapd.ts";

/**
 * Changes read by USN (ACTIVE_DIRECTORY_USN), against slapd with AD's uSNChanged attribute, which
 * the test advances on each change as a domain controller does. The incremental cycle reads the
 * entries whose USN is past the watermark, and only those: an entry changed without a new USN
 * (which AD never does) is not read, so the USN, not the timestamp, is what is followed.
 */
describe("an LDAP channel following uSNChanged", () => {
  let slapd: Slapd;
  let bench: ProvisioningBench;
  const usn = (uid: string, value: number, extra: string[] = []) =>
    [
      `dn: ${userDn(uid)}`,
      "changetype: modify",
      `replace: uSNChanged`,
      `uSNChanged: ${value}`,
      "-",
      ...extra,
      "",
    ].join("\n");

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    for (const uid of ["bob", "carol"])
      await slapd.modify(
        [
          `dn: ${userDn(uid)}`,
          "changetype: modify",
          "add: objectClass",
          "objectClass: porticoTestAdIdentifiers",
          "",
        ].join("\n"),
      );
    for (const [i, uid] of ["ada", "bob", "carol"].entries()) {
      await slapd.modify(replaceValue(userDn(uid), "departmentNumber", "usn"));
      await slapd.modify(usn(uid, 101 + i));
    }
    bench = await setUpLdapBench(
      slapd,
      ldapChannel({
        userSourceLocation: { filter: "(departmentNumber=usn)" },
        changeDetectionSettings: {
          changedUsersAlgorithm: "ACTIVE_DIRECTORY_USN",
          usnAttributeName: "uSNChanged",
        },
      }),
    );
  });
  after(async () => {
    await bench?.dispose();
    await slapd?.dispose();
  });

  it("takes the highest USN as the watermark of a full pass", async () => {
    const report = await bench.run();
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.state.watermark, "103");
    assert.deepEqual(await orgState(bench, ["ada", "bob", "carol"]), { ada: true, bob: true, carol: true });
  });

  it("reads the entries past the watermark, and only those", async () => {
    await slapd.modify(usn("bob", 104, ["replace: title", "title: Seen by USN", "-"]));
    await slapd.modify(replaceValue(userDn("carol"), "title", "No new USN"));
    const report = await bench.run();
    assert.equal(report.summary.kind, "incremental");
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.state.watermark, "104");
    assert.equal((await bench.sfUser("bob@example.com", ["Title"]))?.Title, "Seen by USN");
    assert.equal((await bench.sfUser("carol@example.com", ["Title"]))?.Title ?? null, null);
  });

  it("deactivates a user whose change takes them out of the filter", async () => {
    await slapd.modify(usn("ada", 105, ["replace: departmentNumber", "departmentNumber: elsewhere", "-"]));
    const report = await bench.run();
    assert.equal(report.state.status, "IDLE", report.state.statusReason ?? "");
    assert.equal(report.state.watermark, "105");
    assert.deepEqual(await orgState(bench, ["ada", "bob", "carol"]), { ada: false, bob: true, carol: true });
  });
});
