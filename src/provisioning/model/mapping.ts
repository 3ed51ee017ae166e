import { createHash } from "node:crypto";
import type { AttributeMapping } from "../../domain/channel.ts";
import type { ErrorDetail } from "../../lib/errors.ts";
import type { SourceUser } from "../source/source.ts";

/**
 * A channel's attribute mapping, compiled: for each Salesforce field, where its value comes from
 * and how it is processed (PingFederate's SaasFieldConfiguration, spec §2.5). Pure.
 *
 * Field names are Salesforce's `User` fields (`Username`, `Email`, `ProfileId`, custom `…__c`),
 * plus `PermissionSets` (several names), `AccountId` (a community user's Account) and
 * `Contact.<Field>` for the Contact behind a community user.
 */

export const permissionSetsField = "PermissionSets";
export const accountIdField = "AccountId";
export const contactPrefix = "Contact.";

/** Fields the engine sets itself; a mapping may not. */
const engineFields = new Set(["isactive", "id", "contactid"]);

export type FieldRule = {
  readonly field: string;
  readonly attributes: readonly string[];
  readonly defaultValue: string | undefined;
  readonly createOnly: boolean;
  readonly trim: boolean;
  readonly characterCase: "LOWER" | "UPPER" | "NONE";
  readonly parser: "EXTRACT_CN_FROM_DN" | "EXTRACT_USERNAME_FROM_EMAIL" | "NONE";
  readonly masked: boolean;
};

export type CompiledMapping = { readonly rules: readonly FieldRule[] };

/** What one source user should look like in Salesforce. */
export type DesiredUser = {
  /** User fields with a value. */
  readonly user: Readonly<Record<string, string>>;
  /** Contact fields (communities), without the `Contact.` prefix. */
  readonly contact: Readonly<Record<string, string>>;
  readonly accountId: string | undefined;
  readonly permissionSets: readonly string[];
  /** Every User field the mapping fills, with a value now or not (an empty one is cleared). */
  readonly mapped: ReadonlySet<string>;
  /** Fields sent only when the user is created. */
  readonly createOnly: ReadonlySet<string>;
  /** Fields whose values never appear in a log, an event or a preview. */
  readonly masked: ReadonlySet<string>;
  /** Changes when any of the above changes: a failed record is retried when its source changes. */
  readonly hash: string;
};

/**
 * Compiles the mapping; problems name the field (`…attributeMapping[3].saasFieldInfo.expression`).
 * Expressions come with the expression language in the next issue: a mapping that uses one is
 * refused until then, never silently ignored.
 */
export const compileMapping = (
  mapping: readonly AttributeMapping[],
  at: string,
): { mapping: CompiledMapping; problems: ErrorDetail[] } => {
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  const rules: FieldRule[] = [];
  mapping.forEach((entry, i) => {
    const field = `${at}[${i}]`;
    const name = entry.fieldName;
    const info = entry.saasFieldInfo;
    if (seen.has(name.toLowerCase())) {
      problems.push({ field: `${field}.fieldName`, message: `${name} is mapped twice` });
      return;
    }
    seen.add(name.toLowerCase());
    if (engineFields.has(name.toLowerCase())) {
      problems.push({
        field: `${field}.fieldName`,
        message: `${name} is set by the engine from the source's account status; remove this mapping`,
      });
      return;
    }
    if (info.expression !== undefined && info.expression.trim() !== "") {
      problems.push({
        field: `${field}.saasFieldInfo.expression`,
        message: `${name}: expressions are not supported yet; map source attributes or a default value`,
      });
      return;
    }
    rules.push({
      field: name,
      attributes: info.attributeNames ?? [],
      defaultValue: info.defaultValue === "" ? undefined : info.defaultValue,
      createOnly: info.createOnly === true,
      trim: info.trim === true,
      characterCase: info.characterCase ?? "NONE",
      parser: info.parser ?? "NONE",
      masked: info.masked === true,
    });
  });
  return { mapping: { rules }, problems };
};

/** `cn=Ada Lovelace,ou=people,…` → `Ada Lovelace` (escaped commas kept). */
const cnFromDn = (value: string): string => {
  const match = /^\s*cn\s*=\s*((?:\\.|[^,+])*)/i.exec(value);
  return match ? (match[1] ?? "").replace(/\\(.)/g, "$1").trim() : value;
};

const process = (rule: FieldRule, raw: string): string => {
  let value = raw;
  if (rule.parser === "EXTRACT_CN_FROM_DN") value = cnFromDn(value);
  if (rule.parser === "EXTRACT_USERNAME_FROM_EMAIL")
    value = value.includes("@") ? value.slice(0, value.indexOf("@")) : value;
  if (rule.trim) value = value.trim();
  if (rule.characterCase === "LOWER") value = value.toLowerCase();
  if (rule.characterCase === "UPPER") value = value.toUpperCase();
  return value;
};

const valuesOf = (user: SourceUser, attribute: string): readonly string[] => {
  const wanted = attribute.toLowerCase();
  for (const [name, values] of Object.entries(user.attributes))
    if (name.toLowerCase() === wanted) return values;
  return [];
};

/** The first value of the first mapped attribute that has one, else the default; processed. */
const single = (rule: FieldRule, user: SourceUser): string | undefined => {
  for (const attribute of rule.attributes) {
    const value = valuesOf(user, attribute).find((v) => v !== "");
    if (value !== undefined) {
      const processed = process(rule, value);
      if (processed !== "") return processed;
    }
  }
  return rule.defaultValue === undefined ? undefined : process(rule, rule.defaultValue);
};

/** Every value of every mapped attribute (permission sets), else the default's list (`a, b; c`). */
const multiple = (rule: FieldRule, user: SourceUser): string[] => {
  const values = rule.attributes.flatMap((a) => valuesOf(user, a)).map((v) => process(rule, v));
  const chosen =
    values.length > 0 ? values : (rule.defaultValue ?? "").split(/[,;]/).map((v) => process(rule, v));
  return [...new Set(chosen.map((v) => v.trim()).filter((v) => v !== ""))].sort();
};

const stableHash = (value: unknown): string =>
  createHash("sha256")
    .update(JSON.stringify(value, (_key, v: unknown) => (v instanceof Set ? [...v].sort() : v)))
    .digest("base64url");

/** What the mapping makes of one source user. */
export const mapUser = (mapping: CompiledMapping, source: SourceUser): DesiredUser => {
  const user: Record<string, string> = {};
  const contact: Record<string, string> = {};
  let accountId: string | undefined;
  let permissionSets: string[] = [];
  const createOnly = new Set<string>();
  const masked = new Set<string>();
  const mapped = new Set<string>();
  for (const rule of mapping.rules) {
    if (
      rule.field !== permissionSetsField &&
      rule.field !== accountIdField &&
      !rule.field.startsWith(contactPrefix)
    )
      mapped.add(rule.field);
    if (rule.masked) masked.add(rule.field);
    if (rule.createOnly) createOnly.add(rule.field);
    if (rule.field === permissionSetsField) {
      permissionSets = multiple(rule, source);
      continue;
    }
    const value = single(rule, source);
    if (value === undefined) continue;
    if (rule.field === accountIdField) accountId = value;
    else if (rule.field.startsWith(contactPrefix)) contact[rule.field.slice(contactPrefix.length)] = value;
    else user[rule.field] = value;
  }
  const sorted = (record: Record<string, string>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const desired = {
    user: sorted(user),
    contact: sorted(contact),
    accountId,
    permissionSets,
    createOnly,
    masked,
  };
  return { ...desired, mapped, hash: stableHash({ ...desired, enabled: source.enabled }) };
};

/** A value as logs, events and previews may show it. */
export const shown = (desired: Pick<DesiredUser, "masked">, field: string, value: unknown): unknown =>
  desired.masked.has(field) && value !== null && value !== undefined ? "***" : value;
