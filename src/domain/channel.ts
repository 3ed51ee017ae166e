import { type Static, Type } from "@sinclair/typebox";
import { closed, optional, union } from "./typebox.ts";

/**
 * A provisioning channel in PingFederate's shape (pingfederate-salesforce-spec.md §2.5): one
 * source, the connection's Salesforce org as target, and how each Salesforce field is filled.
 * PingFederate requires every source field for its LDAP stores; Portico fills those a channel
 * leaves out from the data store's preset (provisioning/source/ldap-settings.ts), and for its
 * built-in directory (`dataSource.id` = `builtin`) all but `dataSource` are optional, with
 * defaults in provisioning/model/channel-config.ts.
 */

export const builtinDataSourceId = "builtin";

export const changedUsersAlgorithms = ["ACTIVE_DIRECTORY_USN", "TIMESTAMP", "TIMESTAMP_NO_NEGATION"] as const;
export const accountStatusAlgorithms = [
  "ACCOUNT_STATUS_ALGORITHM_AD",
  "ACCOUNT_STATUS_ALGORITHM_FLAG",
] as const;

export const ChangeDetectionSettings = closed({
  userObjectClass: optional(Type.String({ minLength: 1, maxLength: 256 })),
  groupObjectClass: optional(Type.String({ minLength: 1, maxLength: 256 })),
  changedUsersAlgorithm: optional(union(changedUsersAlgorithms)),
  usnAttributeName: optional(Type.String({ minLength: 1, maxLength: 256 })),
  timeStampAttributeName: optional(Type.String({ minLength: 1, maxLength: 256 })),
});

export const GroupMembershipDetection = closed({
  memberOfGroupAttributeName: optional(Type.String({ minLength: 1, maxLength: 256 })),
  groupMemberAttributeName: optional(Type.String({ minLength: 1, maxLength: 256 })),
});

export const AccountManagementSettings = closed({
  accountStatusAttributeName: optional(Type.String({ minLength: 1, maxLength: 256 })),
  accountStatusAlgorithm: optional(union(accountStatusAlgorithms)),
  flagComparisonValue: optional(Type.String({ maxLength: 256 })),
  flagComparisonStatus: optional(Type.Boolean()),
  defaultStatus: optional(Type.Boolean()),
});

/** Who (or which groups) a channel covers: the members of a group, or the entries a filter matches. */
export const SourceLocation = closed({
  groupDN: optional(Type.String({ minLength: 1, maxLength: 2048 })),
  filter: optional(Type.String({ minLength: 1, maxLength: 4096 })),
  nestedSearch: optional(Type.Boolean()),
});

export const ChannelSource = closed({
  dataSource: closed({
    id: Type.String({ minLength: 1, maxLength: 64 }),
    location: optional(Type.String({ description: "read-only, ignored on input" })),
  }),
  guidAttributeName: optional(Type.String({ minLength: 1, maxLength: 256 })),
  guidBinary: optional(Type.Boolean()),
  changeDetectionSettings: optional(ChangeDetectionSettings),
  groupMembershipDetection: optional(GroupMembershipDetection),
  accountManagementSettings: optional(AccountManagementSettings),
  baseDn: optional(Type.String({ maxLength: 2048 })),
  userSourceLocation: optional(SourceLocation),
  groupSourceLocation: optional(SourceLocation),
});

export const characterCases = ["LOWER", "UPPER", "NONE"] as const;
export const fieldParsers = ["EXTRACT_CN_FROM_DN", "EXTRACT_USERNAME_FROM_EMAIL", "NONE"] as const;

/** How one Salesforce field is filled (PingFederate's `SaasFieldConfiguration`). */
export const SaasFieldInfo = closed({
  attributeNames: optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 16 })),
  defaultValue: optional(Type.String({ maxLength: 4096 })),
  expression: optional(Type.String({ maxLength: 4096 })),
  createOnly: optional(Type.Boolean()),
  trim: optional(Type.Boolean()),
  characterCase: optional(union(characterCases)),
  parser: optional(union(fieldParsers)),
  masked: optional(Type.Boolean()),
});

export const AttributeMapping = closed({
  fieldName: Type.String({ minLength: 1, maxLength: 256 }),
  saasFieldInfo: SaasFieldInfo,
});

export const Channel = closed({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  active: Type.Boolean(),
  maxThreads: optional(Type.Integer({ minimum: 1, maximum: 16, default: 1 })),
  timeout: optional(Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: "seconds" })),
  channelSource: ChannelSource,
  attributeMapping: Type.Array(AttributeMapping, { maxItems: 500 }),
});

export type Channel = Static<typeof Channel>;
export type ChannelSource = Static<typeof ChannelSource>;
export type SourceLocation = Static<typeof SourceLocation>;
export type SaasFieldInfo = Static<typeof SaasFieldInfo>;
export type AttributeMapping = Static<typeof AttributeMapping>;
