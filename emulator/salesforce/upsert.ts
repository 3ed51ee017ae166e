import { insertRecord, missingRecord, updateRecord } from "./dml.ts";
import { recordError, SfError } from "./errors.ts";
import { normalizeId } from "./ids.ts";
import type { DmlContext, Org } from "./org.ts";
import type { SObjectType } from "./schema/schema.ts";
import type { FieldDef } from "./schema/types.ts";
import type { FieldValue, SRecord } from "./store.ts";

/**
 * Upsert by a field (salesforce-api.md §2.4, §2.7): the REST row resource, sObject Collections and
 * Bulk API 2.0 all match records the same way. A standard object's idLookup field or a custom
 * External ID field may be used (and Id itself); text matches case-insensitively, as Salesforce
 * compares, except a case-sensitive field, and Federation ID when the org makes it case-sensitive.
 */

export type UpsertOutcome = { id: string; created: boolean };

/** The field named in an external-id path, or NOT_FOUND as Salesforce answers an unusable one. */
export function lookupField(type: SObjectType, name: string): FieldDef {
  const f = type.field(name);
  if (f === undefined || !(f.idLookup || f.externalId)) {
    throw new SfError(
      404,
      "NOT_FOUND",
      `Provided external ID field does not exist or is not accessible: ${name}`,
    );
  }
  return f;
}

function exact(org: Org, type: SObjectType, f: FieldDef): boolean {
  if (f.caseSensitive) return true;
  return (
    type.name === "User" && f.name === "FederationIdentifier" && !org.settings.federationIdCaseInsensitive
  );
}

/** The records whose `f` equals `value`; never scans when the field is indexed. */
export function matchByField(org: Org, type: SObjectType, f: FieldDef, value: FieldValue): SRecord[] {
  if (value === null) return [];
  if (f.type === "id") {
    const id = normalizeId(String(value));
    const record = id === undefined ? undefined : org.get(type.name, id);
    return record === undefined ? [] : [record];
  }
  const table = org.store.table(type.name);
  const key = String(value).toLowerCase();
  const candidates = table.hasIndex(f.name)
    ? [...table.lookup(f.name, key)].map((id) => table.rows.get(id)).filter((r) => r !== undefined)
    : [...table.rows.values()].filter((r) => String(r[f.name] ?? "").toLowerCase() === key);
  return exact(org, type, f) ? candidates.filter((r) => String(r[f.name]) === String(value)) : candidates;
}

function several(f: FieldDef, matches: SRecord[]): never {
  throw recordError(
    "DUPLICATE_EXTERNAL_ID",
    `${f.label}: more than one record found for external id field: [${matches.map((r) => r.Id).join(", ")}]`,
    [f.name],
  );
}

/**
 * One record's upsert; every failure is a RecordFailure, as one row of a collection or bulk job
 * reports it. `values` holds the other fields; on insert the matched field takes `value`.
 */
export function upsertRecord(
  org: Org,
  type: SObjectType,
  f: FieldDef,
  value: FieldValue,
  values: Record<string, FieldValue>,
  ctx: DmlContext,
): UpsertOutcome {
  if (f.type === "id") {
    // Upsert on Id: a row with an id updates that record, one without creates a record.
    if (value === null) return { id: insertRecord(org, type, values, ctx).Id, created: true };
    const id = normalizeId(String(value));
    if (id === undefined || org.schema.typeOfId(id) !== type) {
      throw recordError("MALFORMED_ID", `${f.label}: id value of incorrect type: ${String(value)}`, [f.name]);
    }
    if (org.get(type.name, id) === undefined) throw missingRecord(org, id);
    return { id: updateRecord(org, type, id, values, ctx).Id, created: false };
  }
  if (value === null) throw recordError("MISSING_ARGUMENT", `${f.name} not specified`, [f.name]);
  const matches = matchByField(org, type, f, value);
  const [only] = matches;
  if (matches.length > 1) several(f, matches);
  if (only !== undefined) return { id: updateRecord(org, type, only.Id, values, ctx).Id, created: false };
  return { id: insertRecord(org, type, { ...values, [f.name]: value }, ctx).Id, created: true };
}
