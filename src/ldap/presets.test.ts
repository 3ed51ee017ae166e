import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ldapTypes } from "../domain/data-store.ts";
import { directoryPresets, isAccountEnabled } from "./presets.ts";

describe("directory presets", () => {
  it("has one for every ldapType PingFederate knows", () => {
    for (const type of ldapTypes) assert.ok(directoryPresets[type], type);
  });

  it("Active Directory: objectGUID in binary, USN change detection, nesting by the in-chain rule", () => {
    const ad = directoryPresets.ACTIVE_DIRECTORY;
    assert.equal(ad.guidAttributeName, "objectGUID");
    assert.equal(ad.guidBinary, true);
    assert.equal(ad.changeDetectionSettings.changedUsersAlgorithm, "ACTIVE_DIRECTORY_USN");
    assert.equal(ad.changeDetectionSettings.usnAttributeName, "uSNChanged");
    assert.equal(ad.nestedGroups, "MATCHING_RULE_IN_CHAIN");
  });

  it("reads AD's userAccountControl ACCOUNTDISABLE bit", () => {
    const rule = directoryPresets.ACTIVE_DIRECTORY.accountManagementSettings;
    assert.equal(isAccountEnabled(rule, { userAccountControl: ["512"] }), true);
    assert.equal(isAccountEnabled(rule, { useraccountcontrol: ["514"] }), false);
    assert.equal(isAccountEnabled(rule, { userAccountControl: ["66050"] }), false);
    assert.equal(isAccountEnabled(rule, {}), true);
  });

  it("reads a flag attribute: nsaccountlock=true disables, anything else keeps the default", () => {
    const rule = directoryPresets.PING_DIRECTORY.accountManagementSettings;
    assert.equal(isAccountEnabled(rule, { nsAccountLock: ["TRUE"] }), false);
    assert.equal(isAccountEnabled(rule, { nsAccountLock: ["false"] }), true);
    assert.equal(isAccountEnabled(rule, {}), true);
    const openldap = directoryPresets.GENERIC.accountManagementSettings;
    assert.equal(isAccountEnabled(openldap, { pwdAccountLockedTime: ["000001010000Z"] }), false);
  });
});
