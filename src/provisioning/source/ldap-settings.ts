import type { ChannelSource, SourceLocation } from "../../domain/channel.ts";
import { parseLdapFilter } from "../../ldap/filter.ts";
import type { DirectoryPreset } from "../../ldap/presets.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";

/**
 * A channel's `channelSource` on an LDAP data store, in PingFederate's shape (spec §2.5), read
 * over its data store's preset: each field the channel leaves out takes the preset's value, so
 * a channel names only what differs. Problems name the field. Pure.
 */

export type LdapSourceSettings = {
  /** Users and groups are searched under it. */
  readonly baseDn: string;
  /** By group (its members, through nested groups when `nested`), by filter, or both. */
  readonly users: { readonly groupDn?: string; readonly filter?: string; readonly nested: boolean };
  /** Groups provisioned as public groups, found under `baseDn` by `filter`; undefined: none. */
  readonly groups?: { readonly baseDn: string; readonly filter?: string; readonly nested: boolean };
  /** The preset with the channel's fields over it. */
  readonly preset: DirectoryPreset;
};

const blank = (text: string | undefined) => text === undefined || text.trim() === "";

const checkedFilter = (where: SourceLocation, field: string, problems: ErrorDetail[]) => {
  if (where.filter === undefined) return undefined;
  try {
    parseLdapFilter(where.filter);
    return where.filter.trim();
  } catch (error) {
    problems.push({
      field: `${field}.filter`,
      message: error instanceof AppError ? error.message : "not a filter",
    });
    return undefined;
  }
};

/** An attribute description (RFC 4512 §2.5): a name or an OID, with options; never filter syntax. */
const attributeName = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;

const looksLikeDn = (text: string) => /^[A-Za-z][A-Za-z0-9-]*\s*=/.test(text.trim());

/**
 * The channel's source settings. Without a preset (the data store is not known yet, as when a
 * document is checked on its own), only what holds for every directory is checked.
 */
export const compileLdapSource = (
  source: ChannelSource,
  preset: DirectoryPreset | undefined,
  at: string,
): { settings: LdapSourceSettings | undefined; problems: ErrorDetail[] } => {
  const problems: ErrorDetail[] = [];
  const field = `${at}.channelSource`;
  if (blank(source.baseDn))
    problems.push({
      field: `${field}.baseDn`,
      message: "an LDAP source needs the base DN its users and groups are searched under",
    });
  const users = source.userSourceLocation;
  let userFilter: string | undefined;
  if (!users || (blank(users.groupDN) && blank(users.filter))) {
    problems.push({
      field: `${field}.userSourceLocation`,
      message: "choose the users by a group DN (groupDN) or by a filter",
    });
  } else {
    userFilter = checkedFilter(users, `${field}.userSourceLocation`, problems);
    if (users.groupDN !== undefined && !looksLikeDn(users.groupDN))
      problems.push({
        field: `${field}.userSourceLocation.groupDN`,
        message: `"${users.groupDN}" is not a DN (e.g. cn=salesforce-users,ou=groups,dc=example,dc=com)`,
      });
  }
  const groups = source.groupSourceLocation;
  const groupFilter = groups ? checkedFilter(groups, `${field}.groupSourceLocation`, problems) : undefined;
  if (groups?.groupDN !== undefined && !looksLikeDn(groups.groupDN))
    problems.push({
      field: `${field}.groupSourceLocation.groupDN`,
      message: `"${groups.groupDN}" is not a DN: it is the base DN groups are searched under`,
    });

  const detection = { ...preset?.changeDetectionSettings, ...source.changeDetectionSettings };
  const membership = { ...preset?.groupMembershipDetection, ...source.groupMembershipDetection };
  const account = { ...preset?.accountManagementSettings, ...source.accountManagementSettings };
  const names: [string, string | undefined][] = [
    ["guidAttributeName", source.guidAttributeName],
    ["changeDetectionSettings.usnAttributeName", source.changeDetectionSettings?.usnAttributeName],
    [
      "changeDetectionSettings.timeStampAttributeName",
      source.changeDetectionSettings?.timeStampAttributeName,
    ],
    ["groupMembershipDetection.memberOfGroupAttributeName", membership.memberOfGroupAttributeName],
    ["groupMembershipDetection.groupMemberAttributeName", membership.groupMemberAttributeName],
    [
      "accountManagementSettings.accountStatusAttributeName",
      source.accountManagementSettings?.accountStatusAttributeName,
    ],
  ];
  for (const [path, value] of names)
    if (value !== undefined && !attributeName.test(value))
      problems.push({ field: `${field}.${path}`, message: `"${value}" is not an attribute name` });
  const explicit = source.changeDetectionSettings?.changedUsersAlgorithm !== undefined;
  const need = (ok: boolean, path: string, message: string) => {
    if (!ok) problems.push({ field: `${field}.${path}`, message });
  };
  if (preset || explicit) {
    if (detection.changedUsersAlgorithm === "ACTIVE_DIRECTORY_USN")
      need(
        !blank(detection.usnAttributeName),
        "changeDetectionSettings.usnAttributeName",
        "required when changedUsersAlgorithm is ACTIVE_DIRECTORY_USN (uSNChanged on Active Directory)",
      );
    else if (detection.changedUsersAlgorithm !== undefined)
      need(
        !blank(detection.timeStampAttributeName),
        "changeDetectionSettings.timeStampAttributeName",
        `required when changedUsersAlgorithm is ${detection.changedUsersAlgorithm} (modifyTimestamp on most directories)`,
      );
  }
  if (
    (preset || source.accountManagementSettings?.accountStatusAlgorithm !== undefined) &&
    account.accountStatusAlgorithm === "ACCOUNT_STATUS_ALGORITHM_FLAG"
  )
    need(
      account.flagComparisonValue !== undefined,
      "accountManagementSettings.flagComparisonValue",
      "required when accountStatusAlgorithm is ACCOUNT_STATUS_ALGORITHM_FLAG: the value that marks the account",
    );
  if (source.guidBinary === true && source.guidAttributeName === undefined && preset && !preset.guidBinary)
    problems.push({
      field: `${field}.guidBinary`,
      message: `the directory's GUID attribute (${preset.guidAttributeName}) is text; name a binary guidAttributeName or leave guidBinary out`,
    });

  if (!preset || problems.length > 0 || !users) return { settings: undefined, problems };
  const baseDn = (source.baseDn ?? "").trim();
  return {
    settings: {
      baseDn,
      users: {
        ...(blank(users.groupDN) ? {} : { groupDn: (users.groupDN ?? "").trim() }),
        ...(userFilter === undefined ? {} : { filter: userFilter }),
        nested: users.nestedSearch === true,
      },
      ...(groups
        ? {
            groups: {
              baseDn: blank(groups.groupDN) ? baseDn : (groups.groupDN ?? "").trim(),
              ...(groupFilter === undefined ? {} : { filter: groupFilter }),
              nested: groups.nestedSearch === true,
            },
          }
        : {}),
      preset: {
        ...preset,
        guidAttributeName: source.guidAttributeName ?? preset.guidAttributeName,
        guidBinary: source.guidBinary ?? preset.guidBinary,
        changeDetectionSettings: detection as DirectoryPreset["changeDetectionSettings"],
        groupMembershipDetection: membership as DirectoryPreset["groupMembershipDetection"],
        accountManagementSettings: account as DirectoryPreset["accountManagementSettings"],
      },
    },
    problems,
  };
};
