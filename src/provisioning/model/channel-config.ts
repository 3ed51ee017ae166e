import type { AttributeMapping, Channel, SourceLocation } from "../../domain/channel.ts";
import type { LdapType } from "../../domain/data-store.ts";
import { type LdapFilter, parseLdapFilter } from "../../ldap/filter.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import type { BuiltinScope } from "../source/builtin.ts";
import { type CompiledMapping, compileMapping } from "./mapping.ts";

/**
 * A channel document, checked and compiled into what the engine runs. Problems name the field
 * (`outboundProvision.channels[1].channelSource.userSourceLocation.filter: …`). Pure.
 */

export type CompiledChannel = {
  readonly name: string;
  readonly active: boolean;
  readonly maxThreads: number;
  readonly timeoutMs: number;
  readonly dataSourceId: string;
  readonly scope: BuiltinScope;
  readonly mapping: CompiledMapping;
};

/** PingFederate's defaults (spec §2.5). */
export const channelDefaults = { maxThreads: 1, timeoutSeconds: 60 } as const;

/** `cn=sales,ou=groups,…` or `sales`: the built-in directory knows groups by cn. */
const groupName = (groupDN: string): string => {
  const match = /^\s*cn\s*=\s*((?:\\.|[^,])*)/i.exec(groupDN);
  return match ? (match[1] ?? "").replace(/\\(.)/g, "$1").trim() : groupDN.trim();
};

const location = (
  where: SourceLocation | undefined,
  field: string,
  problems: ErrorDetail[],
): { group?: string; filter?: LdapFilter } => {
  if (!where) return {};
  const out: { group?: string; filter?: LdapFilter } = {};
  if (where.groupDN !== undefined) out.group = groupName(where.groupDN);
  if (where.filter !== undefined) {
    try {
      out.filter = parseLdapFilter(where.filter);
    } catch (error) {
      problems.push({
        field: `${field}.filter`,
        message: error instanceof AppError ? error.message : "not a filter",
      });
    }
  }
  return out;
};

export const compileChannel = (
  channel: Channel,
  at: string,
): { channel: CompiledChannel; problems: ErrorDetail[] } => {
  const problems: ErrorDetail[] = [];
  const source = channel.channelSource;
  const users = location(source.userSourceLocation, `${at}.channelSource.userSourceLocation`, problems);
  const groups =
    source.groupSourceLocation === undefined
      ? undefined
      : location(source.groupSourceLocation, `${at}.channelSource.groupSourceLocation`, problems);
  const { mapping, problems: mappingProblems } = compileMapping(
    channel.attributeMapping,
    `${at}.attributeMapping`,
  );
  problems.push(...mappingProblems);
  return {
    channel: {
      name: channel.name,
      active: channel.active,
      maxThreads: channel.maxThreads ?? channelDefaults.maxThreads,
      timeoutMs: (channel.timeout ?? channelDefaults.timeoutSeconds) * 1000,
      dataSourceId: source.dataSource.id,
      scope: { users, groups },
      mapping,
    },
    problems,
  };
};

/**
 * What an active channel must have before it runs: a mapping it can carry out. (Inactive
 * channels, as PingFederate exports them, are kept as they are.) An LDAP source's own fields are
 * checked by source/ldap-settings.ts.
 */
export const activationProblems = (channel: CompiledChannel, at: string): ErrorDetail[] => {
  const problems: ErrorDetail[] = [];
  if (!channel.mapping.rules.some((r) => r.field === "Username")) {
    problems.push({
      field: `${at}.attributeMapping`,
      message: "Username must be mapped: it is how users are matched",
    });
  }
  return problems;
};

const map = (fieldName: string, info: AttributeMapping["saasFieldInfo"]): AttributeMapping => ({
  fieldName,
  saasFieldInfo: info,
});

/**
 * The mapping a new channel on the built-in directory starts from. Username is the directory's
 * `mail`, as the template's NameID is, so a provisioned user signs in through SSO at once.
 */
export const defaultBuiltinMapping = (): AttributeMapping[] => [
  map("Username", { attributeNames: ["mail"], trim: true }),
  map("Email", { attributeNames: ["mail"], trim: true }),
  map("FederationIdentifier", { attributeNames: ["mail"], trim: true }),
  map("FirstName", { attributeNames: ["givenName"], trim: true }),
  map("LastName", { attributeNames: ["sn", "cn", "uid"], trim: true }),
  map("Alias", { attributeNames: ["uid"], trim: true, createOnly: true }),
  map("CommunityNickname", { attributeNames: ["uid"], trim: true, createOnly: true }),
  map("Title", { attributeNames: ["title"] }),
  map("Department", { attributeNames: ["department"] }),
  map("Phone", { attributeNames: ["telephoneNumber"] }),
  map("EmployeeNumber", { attributeNames: ["employeeNumber"] }),
  map("TimeZoneSidKey", { attributeNames: ["timeZoneSidKey"], defaultValue: "America/Los_Angeles" }),
  map("LocaleSidKey", { attributeNames: ["localeSidKey"], defaultValue: "en_US" }),
  map("LanguageLocaleKey", { defaultValue: "en_US" }),
  map("EmailEncodingKey", { defaultValue: "UTF-8" }),
  map("ProfileId", { defaultValue: "Standard User" }),
];

/**
 * The mapping a new channel on an LDAP data store starts from, by its directory (spec §5:
 * Username ← mail, Alias ← the first 8 characters of uid, or of sAMAccountName on Active
 * Directory, …). Alias is an expression: Salesforce refuses one longer than 8.
 */
export const defaultLdapMapping = (ldapType: LdapType): AttributeMapping[] => {
  const login = ldapType === "ACTIVE_DIRECTORY" ? "sAMAccountName" : "uid";
  const employee = ldapType === "ACTIVE_DIRECTORY" ? "employeeID" : "employeeNumber";
  return [
    map("Username", { attributeNames: ["mail"], trim: true }),
    map("Email", { attributeNames: ["mail"], trim: true }),
    map("FederationIdentifier", { attributeNames: ["mail"], trim: true }),
    map("FirstName", { attributeNames: ["givenName"], trim: true }),
    map("LastName", { attributeNames: ["sn", "cn", login], trim: true }),
    map("Alias", { expression: `Left(Trim([${login}]), 8)`, createOnly: true }),
    map("CommunityNickname", { attributeNames: [login], trim: true, createOnly: true }),
    map("Title", { attributeNames: ["title"] }),
    map("Department", { attributeNames: ["department"] }),
    map("Phone", { attributeNames: ["telephoneNumber"] }),
    map("EmployeeNumber", { attributeNames: [employee] }),
    map("TimeZoneSidKey", { defaultValue: "America/Los_Angeles" }),
    map("LocaleSidKey", { defaultValue: "en_US" }),
    map("LanguageLocaleKey", { defaultValue: "en_US" }),
    map("EmailEncodingKey", { defaultValue: "UTF-8" }),
    map("ProfileId", { defaultValue: "Standard User" }),
  ];
};
