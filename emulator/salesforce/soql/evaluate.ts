import { SfError } from "../errors.ts";
import { normalizeId } from "../ids.ts";
import type { Org } from "../org.ts";
import { attributes, parseDateTime, readField } from "../records.ts";
import type { SObjectType } from "../schema/schema.ts";
import type { FieldDef } from "../schema/types.ts";
import type { FieldValue, SRecord } from "../store.ts";
import { soqlMessage } from "./lexer.ts";
import { type Condition, type FieldPath, type Literal, parseSoql, type Query } from "./parser.ts";

/** Runs parsed SOQL against the org: names checked against describe, equality filters on indexes. */

type Step = { field: FieldDef; target: SObjectType };

type Resolved = { steps: Step[]; field: FieldDef; owner: SObjectType };

const textTypes = new Set(["string", "textarea", "email", "phone", "url", "picklist"]);

class Evaluator {
  constructor(
    readonly org: Org,
    readonly query: string,
    readonly root: SObjectType,
  ) {}

  invalidField(at: number, detail: string): SfError {
    return new SfError(400, "INVALID_FIELD", soqlMessage(this.query, at, detail));
  }

  resolve(fp: FieldPath): Resolved {
    let current = this.root;
    const steps: Step[] = [];
    for (const segment of fp.path.slice(0, -1)) {
      const ref = current.relationship(segment);
      const target = ref === undefined ? undefined : this.org.schema.type(ref.referenceTo[0] ?? "");
      if (ref === undefined || target === undefined) {
        throw this.invalidField(
          fp.at,
          `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      steps.push({ field: ref, target });
      current = target;
    }
    const name = fp.path[fp.path.length - 1] ?? "";
    const field = current.field(name);
    if (field === undefined) {
      throw this.invalidField(
        fp.at,
        `No such column '${name}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return { steps, field, owner: current };
  }

  /** The record a path's last step reads from, or null when a lookup on the way is empty. */
  parentOf(record: SRecord, steps: Step[]): SRecord | null {
    let current: SRecord | undefined = record;
    for (const step of steps) {
      const id: FieldValue | undefined = current?.[step.field.name];
      current = typeof id === "string" ? this.org.get(step.target.name, id) : undefined;
      if (current === undefined) return null;
    }
    return current ?? null;
  }

  value(record: SRecord, r: Resolved): FieldValue {
    const holder = this.parentOf(record, r.steps);
    return holder === null ? null : readField(this.org, r.owner.name, holder, r.field.name);
  }

  /** Checks a literal against the field's type as Salesforce does, and normalizes ids. */
  literal(r: Resolved, lit: Literal): Literal {
    if (lit.kind === "null") return lit;
    const f = r.field;
    const mismatch = (type: string, quoted: boolean): SfError =>
      this.invalidField(
        lit.at,
        `value of filter criterion for field '${f.name}' must be of type ${type} and ${quoted ? "should be enclosed in quotes" : "should not be enclosed in quotes"}`,
      );
    if (f.type === "id" || f.type === "reference") {
      if (lit.kind !== "string") throw mismatch("id", true);
      const id = normalizeId(lit.value);
      if (id === undefined) {
        throw new SfError(
          400,
          "INVALID_QUERY_FILTER_OPERATOR",
          soqlMessage(this.query, lit.at, `invalid ID field: ${lit.value}`),
        );
      }
      return { ...lit, value: id };
    }
    if (textTypes.has(f.type) && lit.kind !== "string") throw mismatch("string", true);
    if (f.type === "boolean" && lit.kind !== "boolean") throw mismatch("boolean", false);
    if ((f.type === "double" || f.type === "int") && lit.kind !== "number") throw mismatch("double", false);
    if (f.type === "datetime" && lit.kind !== "datetime") throw mismatch("dateTime", false);
    if (f.type === "date" && lit.kind !== "date") throw mismatch("date", false);
    return lit;
  }

  compile(c: Condition): (record: SRecord) => boolean {
    switch (c.kind) {
      case "and": {
        const items = c.items.map((i) => this.compile(i));
        return (rec) => items.every((p) => p(rec));
      }
      case "or": {
        const items = c.items.map((i) => this.compile(i));
        return (rec) => items.some((p) => p(rec));
      }
      case "not": {
        const item = this.compile(c.item);
        return (rec) => !item(rec);
      }
      case "compare": {
        const r = this.resolve(c.field);
        const lit = this.literal(r, c.value);
        const op = c.op;
        return (rec) => {
          const v = this.value(rec, r);
          if (lit.kind === "null") return op === "=" ? v === null : op === "!=" ? v !== null : false;
          // SOQL's != includes records whose value is null.
          if (v === null) return op === "!=";
          const cmp = compareValues(r.field, v, literalValue(lit));
          switch (op) {
            case "=":
              return cmp === 0;
            case "!=":
              return cmp !== 0;
            case "<":
              return cmp < 0;
            case "<=":
              return cmp <= 0;
            case ">":
              return cmp > 0;
            case ">=":
              return cmp >= 0;
          }
          return false;
        };
      }
      case "in": {
        const r = this.resolve(c.field);
        const lits = c.values.map((l) => this.literal(r, l));
        const negated = c.negated;
        return (rec) => {
          const v = this.value(rec, r);
          const hit = lits.some((l) =>
            l.kind === "null" ? v === null : v !== null && compareValues(r.field, v, literalValue(l)) === 0,
          );
          return negated ? !hit : hit;
        };
      }
      case "like": {
        const r = this.resolve(c.field);
        const lit = c.value;
        if (
          lit.kind !== "string" ||
          !(textTypes.has(r.field.type) || r.field.type === "id" || r.field.type === "reference")
        ) {
          throw new SfError(
            400,
            "INVALID_QUERY_FILTER_OPERATOR",
            soqlMessage(this.query, lit.at, `invalid operator on ${r.field.type} field: LIKE`),
          );
        }
        const pattern = new RegExp(`^${lit.like}$`, "is");
        return (rec) => {
          const v = this.value(rec, r);
          return typeof v === "string" && pattern.test(v);
        };
      }
    }
  }

  /**
   * Records to filter: narrowed by an index when the WHERE clause pins an indexed field (one
   * term of an AND, or every term of an OR); the whole clause is still applied to them.
   */
  candidates(where: Condition | undefined): Iterable<SRecord> {
    const table = this.org.store.table(this.root.name);
    const rows = (ids: Set<string>) =>
      [...ids].map((id) => table.rows.get(id)).filter((rec): rec is SRecord => rec !== undefined);
    if (where?.kind === "or") {
      const union = new Set<string>();
      for (const item of where.items) {
        const ids = this.pinnedIds(item);
        if (ids === undefined) return table.rows.values();
        for (const id of ids) union.add(id);
      }
      return rows(union);
    }
    const items = where === undefined ? [] : where.kind === "and" ? where.items : [where];
    for (const item of items) {
      const ids = this.pinnedIds(item);
      if (ids !== undefined) return rows(ids);
    }
    return table.rows.values();
  }

  /** The ids an `=` or `IN` on an indexed field (or Id) allows; undefined when it pins nothing. */
  private pinnedIds(item: Condition): Set<string> | undefined {
    const table = this.org.store.table(this.root.name);
    const pinned =
      item.kind === "compare" && item.op === "="
        ? [item.value]
        : item.kind === "in" && !item.negated
          ? item.values
          : undefined;
    if (
      pinned === undefined ||
      (item.kind !== "compare" && item.kind !== "in") ||
      item.field.path.length !== 1
    )
      return undefined;
    const r = this.resolve(item.field);
    const isId = r.field.type === "id";
    if (!isId && !table.hasIndex(r.field.name)) return undefined;
    if (!pinned.every((l) => l.kind === "string")) return undefined;
    const ids = new Set<string>();
    for (const l of pinned) {
      const lit = this.literal(r, l);
      if (lit.kind !== "string") continue;
      if (isId) ids.add(lit.value);
      else for (const id of table.lookup(r.field.name, lit.value.toLowerCase())) ids.add(id);
    }
    return ids;
  }
}

function literalValue(lit: Literal): FieldValue {
  switch (lit.kind) {
    case "null":
      return null;
    default:
      return lit.value;
  }
}

/** Orders two non-null values of a field: text case-insensitively, as Salesforce compares it. */
function compareValues(f: FieldDef, a: FieldValue, b: FieldValue): number {
  if (f.type === "double" || f.type === "int") return Number(a) - Number(b);
  if (f.type === "boolean") return Number(a === true) - Number(b === true);
  if (f.type === "datetime") return parseDateTime(String(a)) - parseDateTime(String(b));
  if (f.type === "id" || f.type === "reference") {
    const x = String(a);
    const y = String(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x === y ? 0 : x < y ? -1 : 1;
}

export type SoqlResult = { type: SObjectType; totalSize: number; records: Record<string, unknown>[] };

export function runSoql(org: Org, query: string, version: string): SoqlResult {
  const parsed: Query = parseSoql(query);
  const root = org.schema.type(parsed.from.name);
  if (root === undefined || !root.def.queryable) {
    throw new SfError(
      400,
      "INVALID_TYPE",
      soqlMessage(
        query,
        parsed.from.at,
        `sObject type '${parsed.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      ),
    );
  }
  const ev = new Evaluator(org, query, root);
  const selected = parsed.select === "count" ? [] : parsed.select.map((fp) => ({ fp, r: ev.resolve(fp) }));
  const seen = new Set<string>();
  for (const { fp } of selected) {
    const key = fp.text.toLowerCase();
    if (seen.has(key)) {
      throw new SfError(
        400,
        "MALFORMED_QUERY",
        soqlMessage(query, fp.at, `duplicate field selected: ${fp.text}`),
      );
    }
    seen.add(key);
  }
  const predicate = parsed.where === undefined ? () => true : ev.compile(parsed.where);
  const order = parsed.orderBy.map((o) => ({ ...o, r: ev.resolve(o.field) }));
  let rows = [...ev.candidates(parsed.where)].filter(predicate);
  if (order.length > 0) {
    rows.sort((a, b) => {
      for (const o of order) {
        const x = ev.value(a, o.r);
        const y = ev.value(b, o.r);
        if (x === y) continue;
        if (x === null) return o.nullsLast ? 1 : -1;
        if (y === null) return o.nullsLast ? -1 : 1;
        const c = compareValues(o.r.field, x, y);
        if (c !== 0) return o.descending ? -c : c;
      }
      return 0;
    });
  }
  const offset = parsed.offset ?? 0;
  rows = rows.slice(offset, parsed.limit === undefined ? undefined : offset + parsed.limit);
  if (parsed.select === "count") return { type: root, totalSize: rows.length, records: [] };

  const records = rows.map((rec) => {
    const out: Record<string, unknown> = { attributes: attributes(version, root.name, rec.Id) };
    for (const { r } of selected) {
      if (r.steps.length === 0) {
        out[r.field.name] = readField(org, root.name, rec, r.field.name);
        continue;
      }
      // Parent fields nest under each relationship name, or null when the lookup is empty.
      let holder: Record<string, unknown> | null = out;
      let current: SRecord | undefined = rec;
      for (const step of r.steps) {
        const key = step.field.relationshipName ?? step.field.name;
        const id: FieldValue | undefined = current?.[step.field.name];
        current = typeof id === "string" ? org.get(step.target.name, id) : undefined;
        if (holder === null) break;
        if (current === undefined) {
          if (!(key in holder)) holder[key] = null;
          holder = null;
          break;
        }
        const existing: unknown = holder[key];
        if (existing === null || existing === undefined) {
          holder[key] = { attributes: attributes(version, step.target.name, current.Id) };
        }
        holder = holder[key] as Record<string, unknown>;
      }
      if (holder !== null && current !== undefined) {
        holder[r.field.name] = readField(org, r.owner.name, current, r.field.name);
      }
    }
    return out;
  });
  return { type: root, totalSize: records.length, records };
}
