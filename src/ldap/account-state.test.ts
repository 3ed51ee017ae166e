import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stateFromEntry, verdictOfBindError } from "./account-state.ts";

const now = new Date("2026-06-01T00:00:00Z");
/** FILETIME of a date: 100 ns ticks since 1601-01-01. */
const fileTime = (iso: string) => String((BigInt(Date.parse(iso)) + 11_644_473_600_000n) * 10_000n);

describe("account states", () => {
  it("reads Active Directory's data codes from a refused bind", () => {
    const ad = (code: string) =>
      `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${code}, v4563`;
    assert.equal(verdictOfBindError(ad("775")), "LOCKED");
    assert.equal(verdictOfBindError(ad("532")), "PASSWORD_EXPIRED");
    assert.equal(verdictOfBindError(ad("773")), "MUST_CHANGE_PASSWORD");
    assert.equal(verdictOfBindError(ad("701")), "EXPIRED");
    assert.equal(verdictOfBindError(ad("533")), "DISABLED");
    assert.equal(verdictOfBindError(ad("52e")), "INVALID", "a wrong password is just that");
    assert.equal(verdictOfBindError(ad("525")), "INVALID", "no such user");
    assert.equal(verdictOfBindError("Invalid credentials (LDAP result 49)"), undefined, "not AD: no word");
  });

  it("reads AD's userAccountControl, lockoutTime, accountExpires and pwdLastSet", () => {
    const ad = (attributes: Record<string, string>) =>
      stateFromEntry(
        Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, [v]])),
        "ACTIVE_DIRECTORY",
        now,
      );
    assert.equal(ad({ userAccountControl: "512" }), undefined);
    assert.equal(ad({ userAccountControl: "514" }), "DISABLED");
    assert.equal(ad({ userAccountControl: "528" }), "LOCKED");
    assert.equal(ad({ userAccountControl: "512", lockoutTime: fileTime("2026-05-31T23:00:00Z") }), "LOCKED");
    assert.equal(ad({ userAccountControl: "512", lockoutTime: "0" }), undefined);
    // A lockout that has run out: AD still shows when it began, but no longer computes UF_LOCKOUT.
    const lapsed = { userAccountControl: "512", lockoutTime: fileTime("2026-05-31T23:00:00Z") };
    assert.equal(ad({ ...lapsed, "msDS-User-Account-Control-Computed": "0" }), undefined);
    assert.equal(ad({ ...lapsed, "msDS-User-Account-Control-Computed": "16" }), "LOCKED");
    const computed = (flags: number, more: Record<string, string> = {}) =>
      ad({ userAccountControl: "512", "msDS-User-Account-Control-Computed": String(flags), ...more });
    assert.equal(computed(0x800000), "PASSWORD_EXPIRED");
    assert.equal(computed(0x800000, { pwdLastSet: "0" }), "MUST_CHANGE_PASSWORD", "AD flags both");
    assert.equal(ad({ accountExpires: fileTime("2026-05-01T00:00:00Z") }), "EXPIRED");
    assert.equal(ad({ accountExpires: fileTime("2027-05-01T00:00:00Z") }), undefined);
    assert.equal(ad({ accountExpires: "9223372036854775807" }), undefined, "never");
    assert.equal(ad({ pwdLastSet: "0" }), "MUST_CHANGE_PASSWORD");
  });

  it("reads OpenLDAP's ppolicy lock and reset, and shadowExpire", () => {
    const generic = (attributes: Record<string, string>) =>
      stateFromEntry(
        Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, [v]])),
        "GENERIC",
        now,
      );
    assert.equal(generic({ pwdAccountLockedTime: "20260531120000Z" }), "LOCKED");
    assert.equal(generic({ pwdReset: "TRUE" }), "MUST_CHANGE_PASSWORD");
    assert.equal(generic({ shadowExpire: "1" }), "EXPIRED");
    assert.equal(generic({ shadowExpire: "99999" }), undefined);
    assert.equal(generic({}), undefined);
  });
});
