import type { ErrorDetail } from "../../lib/errors.ts";
import type { DescribeSObject } from "../salesforce/client.ts";
import type { CompiledChannel } from "./channel-config.ts";
import { accountIdField, contactPrefix, permissionSetsField } from "./mapping.ts";

/**
 * Refresh Fields (spec §6): what Salesforce says of each field of `User` (and `Contact` with
 * Communities), kept per connection, and what it means for a channel's mapping: required fields
 * unmapped, mapped fields that vanished, defaults that are not one of a picklist's values. Pure.
 */

export type FieldSpec = {
  readonly name: string;
  readonly label: string;
  readonly type: string;
  readonly length: number;
  /** Salesforce insists on a value at create: createable, not nillable, not defaulted. */
  readonly required: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly custom: boolean;
  /** Active picklist values, for picklist fields. */
  readonly picklistValues?: readonly string[] | undefined;
  readonly defaultPicklistValue?: string | undefined;
};

export type FieldSpecs = {
  readonly User: readonly FieldSpec[];
  readonly Contact?: readonly FieldSpec[] | undefined;
};

/** Fields the engine fills itself, or that a target setting fills (PROFILE_ID, ACCOUNT_ID). */
const filledByEngine = new Set(["User.IsActive", "User.ContactId", "Contact.AccountId"]);

export const toFieldSpecs = (describe: DescribeSObject): FieldSpec[] =>
  describe.fields
    .filter((f) => f.createable || f.updateable)
    .map((f) => {
      const picklist = f.type === "picklist" || f.type === "multipicklist";
      const active = (f.picklistValues ?? []).filter((v) => v.active);
      return {
        name: f.name,
        label: f.label,
        type: f.type,
        length: f.length,
        required: f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== "boolean",
        createable: f.createable,
        updateable: f.updateable,
        custom: f.custom,
        ...(picklist ? { picklistValues: active.map((v) => v.value) } : {}),
        ...(picklist && active.some((v) => v.defaultValue)
          ? { defaultPicklistValue: active.find((v) => v.defaultValue)?.value }
          : {}),
      };
    })
    // Custom fields last, as PingFederate lists them (spec §3.8).
    .sort((a, b) => Number(a.custom) - Number(b.custom) || a.name.localeCompare(b.name));

/** Salesforce field types by `Object.Field`, so values go out typed. */
export const fieldTypes = (specs: FieldSpecs | undefined): Map<string, string> => {
  const out = new Map<string, string>();
  for (const f of specs?.User ?? []) out.set(`User.${f.name}`, f.type);
  for (const f of specs?.Contact ?? []) out.set(`Contact.${f.name}`, f.type);
  return out;
};

/**
 * What keeps a channel from running against this org: required fields without a mapping (or a
 * default from the target settings), mapped fields Salesforce no longer has, and picklist
 * defaults that are not among the org's values. Each problem names the field.
 */
export const mappingProblems = (
  channel: CompiledChannel,
  specs: FieldSpecs,
  at: string,
  defaults: { readonly profileId: boolean; readonly accountId: boolean; readonly communities: boolean },
): ErrorDetail[] => {
  const problems: ErrorDetail[] = [];
  const mapped = new Set(channel.mapping.rules.map((r) => r.field));
  const objects: [string, readonly FieldSpec[] | undefined, string][] = [
    ["User", specs.User, ""],
    ...(defaults.communities
      ? ([["Contact", specs.Contact, contactPrefix]] as [string, readonly FieldSpec[] | undefined, string][])
      : []),
  ];
  const missing: string[] = [];
  for (const [sobject, fields, prefix] of objects) {
    for (const f of fields ?? []) {
      if (!f.required || filledByEngine.has(`${sobject}.${f.name}`)) continue;
      if (sobject === "User" && f.name === "ProfileId" && defaults.profileId) continue;
      if (!mapped.has(`${prefix}${f.name}`)) missing.push(`${prefix}${f.name}`);
    }
  }
  if (defaults.communities && !mapped.has(accountIdField) && !defaults.accountId)
    missing.push(accountIdField);
  if (missing.length > 0) {
    problems.push({
      field: `${at}.attributeMapping`,
      message: `required by Salesforce and not mapped: ${missing.join(", ")}`,
    });
  }
  const known = new Map<string, FieldSpec>();
  for (const f of specs.User) known.set(f.name.toLowerCase(), f);
  for (const f of specs.Contact ?? []) known.set(`${contactPrefix}${f.name}`.toLowerCase(), f);
  channel.mapping.rules.forEach((rule, i) => {
    if (rule.field === permissionSetsField || rule.field === accountIdField) return;
    const spec = known.get(rule.field.toLowerCase());
    if (!spec) {
      problems.push({
        field: `${at}.attributeMapping[${i}].fieldName`,
        message: `Salesforce has no field ${rule.field} (any more): refresh the fields and remove or change this mapping`,
      });
      return;
    }
    if (rule.defaultValue !== undefined && spec.picklistValues !== undefined && spec.type === "picklist") {
      if (!spec.picklistValues.includes(rule.defaultValue)) {
        problems.push({
          field: `${at}.attributeMapping[${i}].saasFieldInfo.defaultValue`,
          message: `"${rule.defaultValue}" is not one of the org's ${rule.field} values (e.g. ${spec.picklistValues.slice(0, 5).join(", ")})`,
        });
      }
    }
  });
  return problems;
};
