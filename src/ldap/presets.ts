import type { LdapType } from "../domain/data-store.ts";

/**
 * What each kind of directory (`ldapType`) is like: the defaults a channel's `channelSource`
 * starts from, in PingFederate's field names (pingfederate-salesforce-spec.md §2.5), and how
 * nested group membership is found. Active Directory resolves nesting itself with the matching
 * rule LDAP_MATCHING_RULE_IN_CHAIN; elsewhere Portico expands groups itself, with cycle
 * protection (membership.ts).
 */
export type DirectoryPreset = {
  readonly guidAttributeName: string;
  readonly guidBinary: boolean;
  readonly changeDetectionSettings: {
    readonly userObjectClass: string;
    readonly groupObjectClass: string;
    readonly changedUsersAlgorithm: "ACTIVE_DIRECTORY_USN" | "TIMESTAMP" | "TIMESTAMP_NO_NEGATION";
    readonly usnAttributeName?: string;
    readonly timeStampAttributeName: string;
  };
  readonly groupMembershipDetection: {
    readonly memberOfGroupAttributeName: string;
    readonly groupMemberAttributeName: string;
  };
  readonly accountManagementSettings: {
    readonly accountStatusAttributeName: string;
    readonly accountStatusAlgorithm: "ACCOUNT_STATUS_ALGORITHM_AD" | "ACCOUNT_STATUS_ALGORITHM_FLAG";
    /** FLAG: the value that decides; the account is `flagComparisonStatus` (enabled?) when it matches. */
    readonly flagComparisonValue?: string;
    readonly flagComparisonStatus?: boolean;
    /** Enabled or not when the attribute is absent or (FLAG) does not match. */
    readonly defaultStatus: boolean;
  };
  /** How nested groups are resolved. */
  readonly nestedGroups: "MATCHING_RULE_IN_CHAIN" | "EXPAND";
  /** Attributes read as bytes whatever the data store lists. */
  readonly binaryAttributes: readonly string[];
};

/** LDAP_MATCHING_RULE_IN_CHAIN: Active Directory walks nested membership itself (MS-ADTS §3.1.1.3.4.4). */
export const inChainMatchingRule = "1.2.840.113556.1.4.1941";

const pingDirectory: DirectoryPreset = {
  guidAttributeName: "entryUUID",
  guidBinary: false,
  changeDetectionSettings: {
    userObjectClass: "inetOrgPerson",
    groupObjectClass: "groupOfUniqueNames",
    changedUsersAlgorithm: "TIMESTAMP_NO_NEGATION",
    timeStampAttributeName: "modifyTimestamp",
  },
  groupMembershipDetection: {
    memberOfGroupAttributeName: "isMemberOf",
    groupMemberAttributeName: "uniqueMember",
  },
  accountManagementSettings: {
    accountStatusAttributeName: "nsaccountlock",
    accountStatusAlgorithm: "ACCOUNT_STATUS_ALGORITHM_FLAG",
    flagComparisonValue: "true",
    flagComparisonStatus: false,
    defaultStatus: true,
  },
  nestedGroups: "EXPAND",
  binaryAttributes: [],
};

export const directoryPresets: Readonly<Record<LdapType, DirectoryPreset>> = {
  ACTIVE_DIRECTORY: {
    guidAttributeName: "objectGUID",
    guidBinary: true,
    changeDetectionSettings: {
      userObjectClass: "user",
      groupObjectClass: "group",
      changedUsersAlgorithm: "ACTIVE_DIRECTORY_USN",
      usnAttributeName: "uSNChanged",
      timeStampAttributeName: "whenChanged",
    },
    groupMembershipDetection: { memberOfGroupAttributeName: "memberOf", groupMemberAttributeName: "member" },
    // userAccountControl bit 0x2, ACCOUNTDISABLE (MS-ADTS §2.2.16).
    accountManagementSettings: {
      accountStatusAttributeName: "userAccountControl",
      accountStatusAlgorithm: "ACCOUNT_STATUS_ALGORITHM_AD",
      defaultStatus: true,
    },
    nestedGroups: "MATCHING_RULE_IN_CHAIN",
    binaryAttributes: ["objectGUID", "objectSid"],
  },
  PING_DIRECTORY: pingDirectory,
  UNBOUNDID_DS: pingDirectory,
  ORACLE_UNIFIED_DIRECTORY: {
    ...pingDirectory,
    accountManagementSettings: {
      ...pingDirectory.accountManagementSettings,
      accountStatusAttributeName: "ds-pwp-account-disabled",
    },
  },
  // Oracle Directory Server Enterprise Edition (the Sun/iPlanet line).
  ORACLE_DIRECTORY_SERVER: {
    ...pingDirectory,
    guidAttributeName: "nsUniqueId",
    changeDetectionSettings: { ...pingDirectory.changeDetectionSettings, userObjectClass: "person" },
  },
  // OpenLDAP and other RFC 4512 servers: groupOfNames/member, memberOf from the memberof overlay,
  // and ppolicy's pwdAccountLockedTime, whose value 000001010000Z marks an account an
  // administrator locked for good.
  GENERIC: {
    guidAttributeName: "entryUUID",
    guidBinary: false,
    changeDetectionSettings: {
      userObjectClass: "inetOrgPerson",
      groupObjectClass: "groupOfNames",
      changedUsersAlgorithm: "TIMESTAMP",
      timeStampAttributeName: "modifyTimestamp",
    },
    groupMembershipDetection: { memberOfGroupAttributeName: "memberOf", groupMemberAttributeName: "member" },
    accountManagementSettings: {
      accountStatusAttributeName: "pwdAccountLockedTime",
      accountStatusAlgorithm: "ACCOUNT_STATUS_ALGORITHM_FLAG",
      flagComparisonValue: "000001010000Z",
      flagComparisonStatus: false,
      defaultStatus: true,
    },
    nestedGroups: "EXPAND",
    binaryAttributes: [],
  },
};

const valuesOf = (attributes: Readonly<Record<string, readonly string[]>>, name: string) => {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(attributes)) if (key.toLowerCase() === wanted) return values;
  return [];
};

/** Whether an entry's account is enabled, by the preset's (or a channel's) account status rule. */
export const isAccountEnabled = (
  rule: DirectoryPreset["accountManagementSettings"],
  attributes: Readonly<Record<string, readonly string[]>>,
): boolean => {
  const [value] = valuesOf(attributes, rule.accountStatusAttributeName);
  if (value === undefined) return rule.defaultStatus;
  if (rule.accountStatusAlgorithm === "ACCOUNT_STATUS_ALGORITHM_AD") {
    const flags = Number.parseInt(value, 10);
    return Number.isNaN(flags) ? rule.defaultStatus : (flags & 0x2) === 0;
  }
  return value.toLowerCase() === (rule.flagComparisonValue ?? "").toLowerCase()
    ? (rule.flagComparisonStatus ?? false)
    : rule.defaultStatus;
};
