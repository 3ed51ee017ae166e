import { Type } from "@sinclair/typebox";
import {
  accountStatusAlgorithms,
  builtinDataSourceId,
  type Channel,
  type ChannelSource,
  changedUsersAlgorithms,
  type SourceLocation,
} from "../../domain/channel.ts";
import type { ChannelForm } from "../views/outbound-channels.ts";
import type { Problem } from "../views/outbound-common.ts";

/**
 * The channel form and the channel document: one read into the other and back, and the
 * services' problems (`….channelSource.userSourceLocation.filter`) put next to the field.
 */

const Text = Type.Optional(Type.String({ maxLength: 4096 }));
export const ChannelBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    name: Type.String({ maxLength: 256 }),
    dataSource: Type.String({ minLength: 1, maxLength: 64 }),
    maxThreads: Text,
    timeout: Text,
    guidAttributeName: Text,
    guidBinary: Text,
    userObjectClass: Text,
    groupObjectClass: Text,
    changedUsersAlgorithm: Text,
    usnAttributeName: Text,
    timeStampAttributeName: Text,
    memberOfGroupAttributeName: Text,
    groupMemberAttributeName: Text,
    accountStatusAttributeName: Text,
    accountStatusAlgorithm: Text,
    flagComparisonValue: Text,
    flagComparisonStatus: Text,
    defaultStatus: Text,
    baseDn: Text,
    usersGroupDN: Text,
    usersNested: Text,
    usersFilter: Text,
    groupsGroupDN: Text,
    groupsNested: Text,
    groupsFilter: Text,
  },
  { additionalProperties: false },
);

type Body = Readonly<Record<string, string | undefined>>;

const given = (value: string | undefined) => {
  const text = value?.trim();
  return text === undefined || text === "" ? undefined : text;
};

/** `{ key: value }` when the value is given, `{}` otherwise (optional properties stay absent). */
const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });

const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | undefined =>
  values.find((v) => v === value);

const location = (body: Body, prefix: "users" | "groups"): SourceLocation | undefined => {
  const groupDN = given(body[`${prefix}GroupDN`]);
  const filter = given(body[`${prefix}Filter`]);
  if (groupDN === undefined && filter === undefined) return undefined;
  return {
    ...opt("groupDN", groupDN),
    ...opt("filter", filter),
    ...(body[`${prefix}Nested`] === "true" ? { nestedSearch: true } : {}),
  };
};

const whole = (text: string | undefined) => {
  const value = given(text);
  return value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : undefined;
};

/** Problems of the form itself, before the channel is read (numbers that are not numbers). */
export const formProblems = (body: Body): Problem[] =>
  (
    [
      ["maxThreads", "Max Threads", 16],
      ["timeout", "Timeout", 3600],
    ] as const
  ).flatMap(([name, label, max]) => {
    const value = given(body[name]);
    const n = whole(value);
    return value === undefined || (n !== undefined && n >= 1 && n <= max)
      ? []
      : [{ field: name, message: `${label} must be a whole number from 1 to ${max}` }];
  });

/** The channel a posted form describes; `existing` keeps what the form does not show (mapping, status). */
export const channelFromForm = (body: Body, existing: Channel | undefined): Channel => {
  const dataSource = body.dataSource ?? builtinDataSourceId;
  const isLdap = dataSource !== builtinDataSourceId;
  const users = location(body, "users");
  const groups = location(body, "groups");
  const source: ChannelSource = {
    dataSource: { id: dataSource },
    ...(isLdap
      ? {
          ...opt("guidAttributeName", given(body.guidAttributeName)),
          guidBinary: body.guidBinary === "true",
          changeDetectionSettings: {
            ...opt("userObjectClass", given(body.userObjectClass)),
            ...opt("groupObjectClass", given(body.groupObjectClass)),
            ...opt("changedUsersAlgorithm", oneOf(changedUsersAlgorithms, body.changedUsersAlgorithm)),
            ...opt("usnAttributeName", given(body.usnAttributeName)),
            ...opt("timeStampAttributeName", given(body.timeStampAttributeName)),
          },
          groupMembershipDetection: {
            ...opt("memberOfGroupAttributeName", given(body.memberOfGroupAttributeName)),
            ...opt("groupMemberAttributeName", given(body.groupMemberAttributeName)),
          },
          accountManagementSettings: {
            ...opt("accountStatusAttributeName", given(body.accountStatusAttributeName)),
            ...opt("accountStatusAlgorithm", oneOf(accountStatusAlgorithms, body.accountStatusAlgorithm)),
            ...opt("flagComparisonValue", given(body.flagComparisonValue)),
            ...opt(
              "flagComparisonStatus",
              body.flagComparisonStatus === undefined ? undefined : body.flagComparisonStatus === "true",
            ),
            ...opt(
              "defaultStatus",
              body.defaultStatus === undefined ? undefined : body.defaultStatus === "true",
            ),
          },
          ...opt("baseDn", given(body.baseDn)),
        }
      : {}),
    ...opt("userSourceLocation", users),
    ...opt("groupSourceLocation", groups),
  };
  return {
    name: given(body.name) ?? "",
    active: existing?.active ?? false,
    ...opt("maxThreads", whole(body.maxThreads)),
    ...opt("timeout", whole(body.timeout)),
    channelSource: source,
    attributeMapping: existing?.attributeMapping ?? [],
  };
};

const str = (value: string | boolean | number | undefined) => (value === undefined ? "" : String(value));

/** The form showing `channel`, its source settings over `preset` (the data store's defaults). */
export const formFromChannel = (
  channel: Pick<Channel, "name" | "maxThreads" | "timeout"> & { channelSource: ChannelSource },
  preset: Omit<ChannelSource, "dataSource"> | undefined,
): ChannelForm => {
  const s = channel.channelSource;
  const detection = { ...preset?.changeDetectionSettings, ...s.changeDetectionSettings };
  const membership = { ...preset?.groupMembershipDetection, ...s.groupMembershipDetection };
  const account = { ...preset?.accountManagementSettings, ...s.accountManagementSettings };
  return {
    name: channel.name,
    dataSource: s.dataSource.id,
    maxThreads: str(channel.maxThreads ?? 1),
    timeout: str(channel.timeout ?? 60),
    guidAttributeName: str(s.guidAttributeName ?? preset?.guidAttributeName),
    guidBinary: str(s.guidBinary ?? preset?.guidBinary),
    userObjectClass: str(detection.userObjectClass),
    groupObjectClass: str(detection.groupObjectClass),
    changedUsersAlgorithm: str(detection.changedUsersAlgorithm),
    usnAttributeName: str(detection.usnAttributeName),
    timeStampAttributeName: str(detection.timeStampAttributeName),
    memberOfGroupAttributeName: str(membership.memberOfGroupAttributeName),
    groupMemberAttributeName: str(membership.groupMemberAttributeName),
    accountStatusAttributeName: str(account.accountStatusAttributeName),
    accountStatusAlgorithm: str(account.accountStatusAlgorithm),
    flagComparisonValue: str(account.flagComparisonValue),
    flagComparisonStatus: str(account.flagComparisonStatus),
    defaultStatus: str(account.defaultStatus),
    baseDn: str(s.baseDn),
    usersGroupDN: str(s.userSourceLocation?.groupDN),
    usersNested: str(s.userSourceLocation?.nestedSearch),
    usersFilter: str(s.userSourceLocation?.filter),
    groupsGroupDN: str(s.groupSourceLocation?.groupDN),
    groupsNested: str(s.groupSourceLocation?.nestedSearch),
    groupsFilter: str(s.groupSourceLocation?.filter),
  };
};

/** The form field a problem's path names (`….channelSource.userSourceLocation.filter` → usersFilter). */
export const formFieldOf = (path: string | undefined): string | undefined => {
  if (path === undefined) return undefined;
  const location = /\.(user|group)SourceLocation(?:\.(groupDN|filter|nestedSearch))?$/.exec(path);
  if (location) {
    const part = location[2] === "filter" ? "Filter" : location[2] === "nestedSearch" ? "Nested" : "GroupDN";
    return `${location[1]}s${part}`;
  }
  if (/\.dataSource\.id$/.test(path)) return "dataSource";
  return /\.([A-Za-z]+)$/.exec(path)?.[1] ?? (path.includes(".") ? undefined : path);
};

export const fieldErrorsOf = (problems: readonly Problem[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const name = formFieldOf(p.field);
    if (name !== undefined) out[name] = out[name] ? `${out[name]}; ${p.message}` : p.message;
  }
  return out;
};
