import { jsonParserError, SfError } from "./errors.ts";
import type { SObjectType } from "./schema/schema.ts";
import type { FieldDef } from "./schema/types.ts";
import type { FieldValue } from "./store.ts";

/** DateTimes come back with milliseconds and `+0000` without a colon (salesforce-api.md §2.1). */
export function formatDateTime(d: Date): string {
  return `${d.toISOString().slice(0, 23)}+0000`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type Deserialized = {
  /** Canonical field name → value, in the order the client sent them. */
  values: Record<string, FieldValue>;
  /** The `Id` (or `id`) the client put in the record, if any. */
  id: string | undefined;
};

/**
 * Reads a JSON record the way Salesforce's deserializer does: field names case-insensitively,
 * unknown fields and values of the wrong JSON type fail the whole request before any DML runs.
 */
export function deserializeRecord(type: SObjectType, body: unknown): Deserialized {
  if (!isPlainObject(body)) {
    throw jsonParserError(
      `Cannot deserialize instance of ${type.name} from ${jsonToken(body)} value or request may be missing a required field`,
    );
  }
  const values: Record<string, FieldValue> = {};
  let id: string | undefined;
  for (const [key, raw] of Object.entries(body)) {
    if (key === "attributes") continue;
    const f = type.field(key);
    if (f === undefined) {
      throw new SfError(400, "INVALID_FIELD", `No such column '${key}' on sobject of type ${type.name}`);
    }
    if (f.type === "id") {
      if (raw !== null && raw !== undefined) id = String(raw);
      continue;
    }
    values[f.name] = coerce(f, raw);
  }
  return { values, id };
}

function jsonToken(value: unknown): string {
  if (Array.isArray(value)) return "START_ARRAY";
  if (typeof value === "string") return "VALUE_STRING";
  if (typeof value === "number") return "VALUE_NUMBER_INT";
  if (typeof value === "boolean") return value ? "VALUE_TRUE" : "VALUE_FALSE";
  if (typeof value === "object" && value !== null) return "START_OBJECT";
  return "VALUE_NULL";
}

function cannotDeserialize(kind: string, raw: unknown): SfError {
  const shown = typeof raw === "string" ? ` value ${raw}` : "";
  return jsonParserError(
    `Cannot deserialize instance of ${kind} from ${jsonToken(raw)}${shown} or request may be missing a required field`,
  );
}

function coerce(f: FieldDef, raw: unknown): FieldValue {
  if (raw === null || raw === undefined) return f.type === "boolean" ? false : null;
  switch (f.type) {
    case "boolean":
      if (typeof raw === "boolean") return raw;
      if (raw === "true" || raw === "false") return raw === "true";
      throw cannotDeserialize("boolean", raw);
    case "int":
    case "double": {
      const n =
        typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw cannotDeserialize(f.type === "int" ? "int" : "double", raw);
      return f.type === "int" ? Math.trunc(n) : n;
    }
    case "date": {
      if (
        typeof raw !== "string" ||
        !/^\d{4}-\d{2}-\d{2}/.test(raw) ||
        Number.isNaN(Date.parse(raw.slice(0, 10)))
      ) {
        throw cannotDeserialize("date", raw);
      }
      return raw.slice(0, 10);
    }
    case "datetime": {
      const t = typeof raw === "string" ? Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) : NaN;
      if (Number.isNaN(t)) throw cannotDeserialize("datetime", raw);
      return formatDateTime(new Date(t));
    }
    default: {
      if (typeof raw === "object") throw cannotDeserialize("string", raw);
      const s = String(raw);
      // Salesforce stores an empty text value as null.
      return s === "" ? null : s;
    }
  }
}
