import type { Org } from "./org.ts";
import type { SObjectType } from "./schema/schema.ts";
import type { FieldDef } from "./schema/types.ts";
import type { FieldValue, SRecord } from "./store.ts";

/** Records as the API shows them: `attributes` first, fields in describe order, computed values filled. */

export function recordUrl(version: string, typeName: string, id: string): string {
  return `/services/data/v${version}/sobjects/${typeName}/${id}`;
}

export function attributes(version: string, typeName: string, id: string): { type: string; url: string } {
  return { type: typeName, url: recordUrl(version, typeName, id) };
}

/** One field's value; a licence's UsedLicenses is counted when read. */
export function readField(org: Org, typeName: string, record: SRecord, field: string): FieldValue {
  if (typeName === "UserLicense" && field === "UsedLicenses") return org.usedLicenses(record.Id);
  if (field === "Id") return record.Id;
  return record[field] ?? null;
}

export function apiRecord(
  org: Org,
  type: SObjectType,
  record: SRecord,
  version: string,
  fields: readonly FieldDef[] = type.fields,
): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(version, type.name, record.Id) };
  for (const f of fields) out[f.name] = readField(org, type.name, record, f.name);
  return out;
}

/** Parses Salesforce's `+0000` datetimes, which Date.parse does not take without a colon. */
export function parseDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
}
