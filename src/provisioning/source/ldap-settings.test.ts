import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChannelSource } from "../../domain/channel.ts";
import { directoryPresets } from "../../ldap/presets.ts";
import { changeFilter, laterMark, markOf } from "./ldap-changes.ts";
import { compileLdapSource } from "./ldap-settings.ts";

const at = "outboundProvision.channels[0]";
const source = (edit: Partial<ChannelSource> = {}): ChannelSource => ({
  dataSource: { id: "corp" },
  baseDn: "dc=example,dc=com",
  userSourceLocation: { groupDN: "cn=staff,ou=groups,dc=example,dc=com", nestedSearch: true },
  ...edit,
});
const fields = (
  edit: Partial<ChannelSource>,
  ldapType: keyof typeof directoryPresets | undefined = "GENERIC",
) =>
  compileLdapSource(source(edit), ldapType ? directoryPresets[ldapType] : undefined, at).problems.map(
    (p) => p.field,
  );

describe("an LDAP channel's source settings", () => {
  it("fills what the channel leaves out from the data store's preset, and keeps what it names", () => {
    const { settings, problems } = compileLdapSource(
      source({
        changeDetectionSettings: { userObjectClass: "person" },
        accountManagementSettings: { accountStatusAttributeName: "employeeType", flagComparisonValue: "off" },
      }),
      directoryPresets.GENERIC,
      at,
    );
    assert.deepEqual(problems, []);
    assert.equal(settings?.preset.changeDetectionSettings.userObjectClass, "person");
    assert.equal(settings?.preset.changeDetectionSettings.timeStampAttributeName, "modifyTimestamp");
    assert.equal(settings?.preset.accountManagementSettings.accountStatusAttributeName, "employeeType");
    assert.equal(
      settings?.preset.accountManagementSettings.accountStatusAlgorithm,
      "ACCOUNT_STATUS_ALGORITHM_FLAG",
    );
    assert.equal(settings?.preset.guidAttributeName, "entryUUID");
    assert.deepEqual(settings?.users, { groupDn: "cn=staff,ou=groups,dc=example,dc=com", nested: true });
    assert.equal(settings?.groups, undefined);
  });

  it("names each field that is missing or wrong", () => {
    assert.deepEqual(fields({ baseDn: " " }), [`${at}.channelSource.baseDn`]);
    assert.deepEqual(fields({ userSourceLocation: { nestedSearch: true } }), [
      `${at}.channelSource.userSourceLocation`,
    ]);
    assert.deepEqual(fields({ userSourceLocation: { filter: "(uid=ada" } }), [
      `${at}.channelSource.userSourceLocation.filter`,
    ]);
    assert.deepEqual(fields({ userSourceLocation: { groupDN: "staff" } }), [
      `${at}.channelSource.userSourceLocation.groupDN`,
    ]);
    assert.deepEqual(fields({ guidAttributeName: "uid)(x=*" }), [`${at}.channelSource.guidAttributeName`]);
    // USN change detection on a directory whose preset has no USN attribute.
    assert.deepEqual(fields({ changeDetectionSettings: { changedUsersAlgorithm: "ACTIVE_DIRECTORY_USN" } }), [
      `${at}.channelSource.changeDetectionSettings.usnAttributeName`,
    ]);
    // The flag algorithm without the value that marks the account, on Active Directory.
    assert.deepEqual(
      fields(
        { accountManagementSettings: { accountStatusAlgorithm: "ACCOUNT_STATUS_ALGORITHM_FLAG" } },
        "ACTIVE_DIRECTORY",
      ),
      [`${at}.channelSource.accountManagementSettings.flagComparisonValue`],
    );
  });

  it("checks, without a data store, only what holds for every directory", () => {
    assert.deepEqual(fields({}, undefined), []);
    assert.deepEqual(fields({ baseDn: "" }, undefined), [`${at}.channelSource.baseDn`]);
    assert.deepEqual(
      fields({ changeDetectionSettings: { changedUsersAlgorithm: "ACTIVE_DIRECTORY_USN" } }, undefined),
      [`${at}.channelSource.changeDetectionSettings.usnAttributeName`],
    );
  });

  it("finds groups under their own base DN, or the channel's", () => {
    const own = compileLdapSource(
      source({ groupSourceLocation: { groupDN: "ou=groups,dc=example,dc=com", filter: "(cn=sales*)" } }),
      directoryPresets.GENERIC,
      at,
    ).settings;
    assert.deepEqual(own?.groups, {
      baseDn: "ou=groups,dc=example,dc=com",
      filter: "(cn=sales*)",
      nested: false,
    });
    const base = compileLdapSource(
      source({ groupSourceLocation: {} }),
      directoryPresets.GENERIC,
      at,
    ).settings;
    assert.equal(base?.groups?.baseDn, "dc=example,dc=com");
  });
});

describe("change detection", () => {
  const ad = directoryPresets.ACTIVE_DIRECTORY.changeDetectionSettings;
  const generic = directoryPresets.GENERIC.changeDetectionSettings;

  it("asks Active Directory for the USNs after the watermark: each change has its own", () => {
    assert.equal(changeFilter(ad, ""), "(uSNChanged=*)");
    assert.equal(changeFilter(ad, "12345"), "(uSNChanged>=12346)");
    assert.equal(laterMark(ad, "9", "10"), "10", "USNs compare as numbers, not text");
    assert.equal(laterMark(ad, "12345", ""), "12345");
    assert.equal(markOf(ad, { USNCHANGED: ["77"] }), "77");
  });

  it("asks for timestamps at or after the watermark, so a second change in the same second is not lost", () => {
    assert.equal(changeFilter(generic, ""), "(modifyTimestamp=*)");
    assert.equal(changeFilter(generic, "20261203134500Z"), "(modifyTimestamp>=20261203134500Z)");
    assert.equal(laterMark(generic, "20261203134500Z", "20261203134501Z"), "20261203134501Z");
    assert.equal(laterMark(generic, "20261203134501Z", "20261203134500Z"), "20261203134501Z");
    // AD's whenChanged carries a fraction: it orders with the digits, not the text.
    const whenChanged = { ...ad, changedUsersAlgorithm: "TIMESTAMP" as const };
    assert.equal(laterMark(whenChanged, "20261203134500.0Z", "20261203134500Z"), "20261203134500.0Z");
    assert.equal(laterMark(whenChanged, "20261203134459.0Z", "20261203134500Z"), "20261203134500Z");
    assert.equal(
      changeFilter(generic, "2026*)(x=*"),
      "(modifyTimestamp=*)",
      "no filter text from a watermark",
    );
  });
});
