import type { DmlContext, Org } from "../org.ts";
import type { FieldValue, SRecord } from "../store.ts";

export type Draft = Record<string, FieldValue>;

/** What one object adds to the shared field rules; every hook may throw a RecordFailure. */
export type TypeRules = {
  /** Fills what Salesforce defaults on create, before required fields are checked. */
  defaults?(org: Org, draft: Draft, ctx: DmlContext): void;
  /** Recomputes read-only fields that follow from others (Name, AccountId, UserType…). */
  derive?(org: Org, draft: Draft): void;
  validate?(org: Org, draft: Draft, previous: SRecord | undefined): void;
  /** A record that makes this insert a no-op (a duplicate GroupMember returns the existing one). */
  existing?(org: Org, draft: Draft): SRecord | undefined;
  afterInsert?(org: Org, record: SRecord, ctx: DmlContext): void;
  afterUpdate?(org: Org, record: SRecord, previous: SRecord, ctx: DmlContext): void;
  /** Refuses the delete, or deletes dependent records first. */
  beforeDelete?(org: Org, record: SRecord, ctx: DmlContext): void;
};

/** An API name as Salesforce derives one from a label: `Sales Team` → `Sales_Team`. */
export function developerNameFrom(label: string): string {
  const name = label
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 80);
  if (name === "") return "X";
  return /^[0-9]/.test(name) ? `X${name}` : name;
}

export function isDeveloperName(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$/.test(value);
}

export function text(value: FieldValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function changed(draft: Draft, previous: SRecord | undefined, field: string): boolean {
  return previous === undefined || draft[field] !== previous[field];
}
