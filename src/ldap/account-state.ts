import type { LdapType } from "../domain/data-store.ts";
import { directoryPresets, isAccountEnabled } from "./presets.ts";

/**
 * Why a directory will not let an account sign in, read two ways: from the data code in Active
 * Directory's bind error ("…AcceptSecurityContext error, data 775, v4563"), and from the entry's
 * own attributes (AD's userAccountControl, msDS-User-Account-Control-Computed, lockoutTime,
 * accountExpires and pwdLastSet; OpenLDAP's
 * ppolicy pwdAccountLockedTime and pwdReset; shadowExpire; the preset's account-status flag).
 * The user is told none of this apart (one message); the audit log and the logs are.
 */
export type AccountState = "LOCKED" | "DISABLED" | "EXPIRED" | "PASSWORD_EXPIRED" | "MUST_CHANGE_PASSWORD";

/** The attributes to ask for besides the user's own (most are operational: only sent when named). */
export const accountStateAttributes = [
  "userAccountControl",
  "msDS-User-Account-Control-Computed",
  "lockoutTime",
  "accountExpires",
  "pwdLastSet",
  "pwdAccountLockedTime",
  "pwdReset",
  "shadowExpire",
  "nsaccountlock",
  "ds-pwp-account-disabled",
  "memberOf",
  "isMemberOf",
] as const;

/** [MS-ADTS] / KB: the sub-codes of LDAP result 49 that Active Directory writes after "data". */
const adDataCodes: Readonly<Record<string, AccountState | "INVALID">> = {
  "525": "INVALID", // no such user
  "52e": "INVALID", // wrong password
  "530": "DISABLED", // not permitted to sign in at this time
  "531": "DISABLED", // not permitted to sign in at this workstation
  "532": "PASSWORD_EXPIRED",
  "533": "DISABLED",
  "701": "EXPIRED",
  "773": "MUST_CHANGE_PASSWORD",
  "775": "LOCKED",
};

/**
 * What an AD bind error's data code says: the account's state, or INVALID for a wrong password or
 * an unknown user; undefined when the server gave no code (not AD).
 */
export const verdictOfBindError = (message: string): AccountState | "INVALID" | undefined => {
  const code = /\bdata ([0-9a-f]{3,4})\b/i.exec(message)?.[1]?.toLowerCase();
  return code === undefined ? undefined : adDataCodes[code];
};

const first = (attributes: Readonly<Record<string, readonly string[]>>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(attributes)) if (key.toLowerCase() === wanted) return values[0];
  return undefined;
};

/** Windows FILETIME (100 ns since 1601) to milliseconds since 1970. */
const fileTimeMs = (value: string): number => Number(BigInt(value) / 10_000n) - 11_644_473_600_000;
const neverExpires = new Set(["0", "9223372036854775807"]);

/** What the entry says stops the account, if anything. */
export const stateFromEntry = (
  attributes: Readonly<Record<string, readonly string[]>>,
  ldapType: LdapType,
  now: Date,
): AccountState | undefined => {
  const uac = first(attributes, "userAccountControl");
  if (uac !== undefined && /^\d+$/.test(uac)) {
    const flags = Number(uac);
    if (flags & 0x2) return "DISABLED";
    if (flags & 0x10) return "LOCKED";
  }
  // AD works out whether a lockout is still on (UF_LOCKOUT, 0x10) and whether the password has
  // expired (UF_PASSWORD_EXPIRED, 0x800000) in a constructed attribute (MS-ADTS §3.1.1.4.5.17).
  // lockoutTime stays set after a lockout has run out, until the next good sign-in clears it, so
  // it is read only from a server that does not compute the flags.
  const computed = first(attributes, "msDS-User-Account-Control-Computed");
  const computedFlags = computed !== undefined && /^\d+$/.test(computed) ? Number(computed) : undefined;
  if (computedFlags !== undefined) {
    if (computedFlags & 0x10) return "LOCKED";
  } else {
    const lockout = first(attributes, "lockoutTime");
    if (lockout !== undefined && /^\d+$/.test(lockout) && lockout !== "0") return "LOCKED";
  }
  if (first(attributes, "pwdAccountLockedTime") !== undefined) return "LOCKED";
  if (!isAccountEnabled(directoryPresets[ldapType].accountManagementSettings, attributes)) return "DISABLED";
  const expires = first(attributes, "accountExpires");
  if (expires !== undefined && /^\d+$/.test(expires) && !neverExpires.has(expires)) {
    if (fileTimeMs(expires) <= now.getTime()) return "EXPIRED";
  }
  const shadow = first(attributes, "shadowExpire");
  if (shadow !== undefined && /^\d+$/.test(shadow) && shadow !== "-1") {
    if (Number(shadow) * 86_400_000 <= now.getTime()) return "EXPIRED";
  }
  // AD flags a must-change password (pwdLastSet 0) as expired too: must-change is the truer name.
  if (first(attributes, "pwdLastSet") === "0") return "MUST_CHANGE_PASSWORD";
  if (first(attributes, "pwdReset")?.toUpperCase() === "TRUE") return "MUST_CHANGE_PASSWORD";
  if (computedFlags !== undefined && computedFlags & 0x800000) return "PASSWORD_EXPIRED";
  return undefined;
};
