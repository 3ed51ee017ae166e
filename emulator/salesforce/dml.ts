import { type RecordFailure, recordError } from "./errors.ts";
import type { DmlContext, Org } from "./org.ts";
import { checkCustomUnique, checkRequired, checkValues, checkWritable } from "./rules/field-rules.ts";
import { typeRules } from "./rules/index.ts";
import type { Draft } from "./rules/types.ts";
import type { SObjectType } from "./schema/schema.ts";
import type { FieldValue, SRecord } from "./store.ts";
import { formatDateTime } from "./values.ts";

/**
 * Insert, update and delete with Salesforce's rules. Each throws a RecordFailure and leaves the
 * store untouched when a rule fails; side effects (a user's UserLogin) commit with the record.
 */

function stamp(type: SObjectType, draft: Draft, now: string, ctx: DmlContext, creating: boolean): void {
  const set = (field: string, value: FieldValue): void => {
    if (type.field(field) !== undefined) draft[field] = value;
  };
  if (creating) {
    set("CreatedDate", now);
    set("CreatedById", ctx.userId);
  }
  set("LastModifiedDate", now);
  set("LastModifiedById", ctx.userId);
  set("SystemModstamp", now);
}

function initialDraft(type: SObjectType): Draft {
  const draft: Draft = {};
  for (const f of type.fields) {
    if (f.type === "id") continue;
    draft[f.name] =
      f.type === "boolean" ? f.defaultValue === true : f.defaultedOnCreate ? f.defaultValue : null;
  }
  return draft;
}

/** The failure for an id that names no record of this org. */
export function missingRecord(org: Org, id: string): RecordFailure {
  if (org.deletedIds.has(id)) return recordError("ENTITY_IS_DELETED", "entity is deleted");
  return recordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
}

export function insertRecord(
  org: Org,
  type: SObjectType,
  values: Record<string, FieldValue>,
  ctx: DmlContext,
  options: { id?: string } = {},
): SRecord {
  if (!type.def.createable) {
    throw recordError("INVALID_TYPE_FOR_OPERATION", `entity type cannot be inserted: ${type.def.label}`);
  }
  checkWritable(type, values, "create");
  const rules = typeRules[type.name] ?? {};
  const draft = initialDraft(type);
  Object.assign(draft, values);
  rules.defaults?.(org, draft, ctx);
  checkRequired(type, draft);
  Object.assign(draft, checkValues(org, type, values));
  rules.derive?.(org, draft);
  const existing = rules.existing?.(org, draft);
  if (existing !== undefined) return existing;
  rules.validate?.(org, draft, undefined);
  checkCustomUnique(org, type, draft, undefined);
  stamp(type, draft, formatDateTime(org.clock()), ctx, true);
  const record: SRecord = { ...draft, Id: options.id ?? org.newId(type.name) };
  const savepoint = org.store.savepoint();
  try {
    org.store.put(type.name, record);
    rules.afterInsert?.(org, record, ctx);
    savepoint.release();
  } catch (err) {
    savepoint.rollback();
    throw err;
  }
  return record;
}

export function updateRecord(
  org: Org,
  type: SObjectType,
  id: string,
  values: Record<string, FieldValue>,
  ctx: DmlContext,
): SRecord {
  if (!type.def.updateable) {
    throw recordError("INVALID_TYPE_FOR_OPERATION", `entity type cannot be updated: ${type.def.label}`);
  }
  const previous = org.get(type.name, id);
  if (previous === undefined) throw missingRecord(org, id);
  checkWritable(type, values, "update");
  const rules = typeRules[type.name] ?? {};
  const draft: Draft = { ...previous, ...values };
  checkRequired(type, draft, Object.keys(values));
  Object.assign(draft, checkValues(org, type, values));
  rules.derive?.(org, draft);
  rules.validate?.(org, draft, previous);
  checkCustomUnique(org, type, draft, previous);
  stamp(type, draft, formatDateTime(org.clock()), ctx, false);
  const record: SRecord = { ...draft, Id: previous.Id };
  const savepoint = org.store.savepoint();
  try {
    org.store.put(type.name, record);
    rules.afterUpdate?.(org, record, previous, ctx);
    savepoint.release();
  } catch (err) {
    savepoint.rollback();
    throw err;
  }
  return record;
}

export function deleteRecord(org: Org, type: SObjectType, id: string, ctx: DmlContext): void {
  if (!type.def.deletable) {
    throw recordError("INVALID_TYPE_FOR_OPERATION", `entity type cannot be deleted: ${type.def.label}`);
  }
  const record = org.get(type.name, id);
  if (record === undefined) throw missingRecord(org, id);
  const savepoint = org.store.savepoint();
  try {
    typeRules[type.name]?.beforeDelete?.(org, record, ctx);
    org.store.delete(type.name, id);
    org.deletedIds.add(id);
    savepoint.release();
  } catch (err) {
    savepoint.rollback();
    throw err;
  }
}
