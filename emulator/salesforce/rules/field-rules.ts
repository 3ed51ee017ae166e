import { recordError } from "../errors.ts";
import { normalizeId } from "../ids.ts";
import type { Org } from "../org.ts";
import type { SObjectType } from "../schema/schema.ts";
import type { FieldDef } from "../schema/types.ts";
import type { FieldValue } from "../store.ts";

/**
 * The checks every object shares, driven by its describe metadata, in the order Salesforce reports
 * them: fields the caller may not write, missing required fields, then each value on its own.
 */

export function checkWritable(
  type: SObjectType,
  values: Record<string, FieldValue>,
  op: "create" | "update",
): void {
  const refused = Object.keys(values).filter((name) => {
    const f = type.field(name);
    return f !== undefined && !(op === "create" ? f.createable : f.updateable);
  });
  if (refused.length > 0) {
    throw recordError(
      "INVALID_FIELD_FOR_INSERT_UPDATE",
      `Unable to create/update fields: ${refused.join(", ")}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      refused,
    );
  }
}

/**
 * Required = createable, not nillable and not defaulted on create (how describe says it). On
 * update only the fields the caller sent are checked: clearing a required field is refused.
 */
export function checkRequired(type: SObjectType, record: Record<string, FieldValue>, sent?: string[]): void {
  const candidates =
    sent === undefined
      ? type.fields.filter((f) => f.createable && !f.defaultedOnCreate)
      : sent.map((name) => type.field(name)).filter((f) => f !== undefined);
  const missing = candidates
    .filter((f) => !f.nillable && f.type !== "boolean")
    .filter((f) => record[f.name] === null || record[f.name] === undefined)
    .map((f) => f.name);
  if (missing.length > 0) {
    throw recordError(
      "REQUIRED_FIELD_MISSING",
      `Required fields are missing: [${missing.join(", ")}]`,
      missing,
    );
  }
}

const emailPattern =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isEmail(value: string): boolean {
  return emailPattern.test(value) && !value.includes("..");
}

/** Checks each provided value; returns the values with reference ids in their 18-character form. */
export function checkValues(
  org: Org,
  type: SObjectType,
  values: Record<string, FieldValue>,
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = { ...values };
  for (const [name, value] of Object.entries(values)) {
    const f = type.field(name);
    if (f === undefined || value === null) continue;
    if (typeof value === "string") checkText(f, value);
    if (f.type === "reference" && typeof value === "string") out[name] = checkReference(org, f, value);
  }
  return out;
}

function checkText(f: FieldDef, value: string): void {
  const limited = ["string", "textarea", "email", "phone", "url", "picklist"].includes(f.type);
  if (limited && f.length > 0 && value.length > f.length) {
    throw recordError(
      "STRING_TOO_LONG",
      `${f.label}: data value too large: ${value} (max length=${f.length})`,
      [f.name],
    );
  }
  if (f.type === "picklist" && f.restrictedPicklist && !f.picklistValues.some((p) => p.value === value)) {
    throw recordError(
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
      `${f.label}: bad value for restricted picklist field: ${value}`,
      [f.name],
    );
  }
  if (f.type === "email" && !isEmail(value)) {
    throw recordError("INVALID_EMAIL_ADDRESS", `${f.label}: invalid email address: ${value}`, [f.name]);
  }
}

function checkReference(org: Org, f: FieldDef, value: string): string {
  const id = normalizeId(value);
  if (id === undefined) {
    throw recordError("MALFORMED_ID", `${f.label}: id value of incorrect type: ${value}`, [f.name]);
  }
  const target = org.schema.typeOfId(id);
  if (target === undefined || !f.referenceTo.includes(target.name)) {
    throw recordError("FIELD_INTEGRITY_EXCEPTION", `${f.label}: id value of incorrect type: ${value}`, [
      f.name,
    ]);
  }
  if (org.get(target.name, id) === undefined) {
    throw recordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name]);
  }
  return id;
}

/** Custom unique and external-id fields: one record per value, compared case-insensitively. */
export function checkCustomUnique(
  org: Org,
  type: SObjectType,
  draft: Record<string, FieldValue>,
  previous: Record<string, FieldValue> | undefined,
): void {
  const table = org.store.table(type.name);
  for (const f of type.fields) {
    if (!f.custom || !(f.unique || f.externalId)) continue;
    const value = draft[f.name];
    if (value === null || value === undefined || (previous !== undefined && previous[f.name] === value))
      continue;
    for (const id of table.lookup(f.name, String(value).toLowerCase())) {
      if (id === draft.Id) continue;
      throw recordError(
        "DUPLICATE_VALUE",
        `duplicate value found: ${f.name} duplicates value on record with id: ${id}`,
        [f.name],
      );
    }
  }
}
