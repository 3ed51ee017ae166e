import { createHash } from "node:crypto";
import type { AttributeMapping } from "../../domain/channel.ts";
import {
  type CompiledExpression,
  compileExpression,
  evaluateExpression,
  looksLikeOgnl,
} from "../../expressions/expression.ts";
import { describeProblem } from "../../expressions/limits.ts";
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
  /** Takes precedence over `attributes`, which then only list what it reads (as in PingFederate). */
  readonly expression: CompiledExpression | undefined;
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
  /** An expression that could not be evaluated for this user: the user is not provisioned. */
  readonly failure?: { readonly field: string; readonly code: string; readonly message: string };
};

/**
 * Compiles the mapping; problems name the field (`…attributeMapping[3].saasFieldInfo.expression`).
 * An expression is compiled once here, in Portico's expression language (docs/expressions.md);
 * one it cannot parse (PingFederate's OGNL, say) is a problem with the position where the
 * parser stopped, so a channel that uses it cannot be active until it is rewritten.
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
    let expression: CompiledExpression | undefined;
    if (info.expression !== undefined && info.expression.trim() !== "") {
      const compiled = compileExpression(info.expression);
      if (!compiled.ok) {
        const ognl = looksLikeOgnl(info.expression) && !compiled.problem.reason.includes("OGNL");
        problems.push({
          field: `${field}.saasFieldInfo.expression`,
          message: `${name}: ${compiled.problem.code} ${describeProblem(compiled.problem)}${ognl ? " (a PingFederate OGNL expression? Rewrite it in Portico's language: docs/expressions.md)" : ""}; the channel cannot be active until the expression is rewritten\n${compiled.problem.excerpt}`,
        });
        return;
      }
      expression = compiled.expression;
    }
    rules.push({
      field: name,
      attributes: info.attributeNames ?? [],
      expression,
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

/** One of PingFederate's processing options applied to a value, as the mapping test shows it. */
export type ProcessStep = { readonly step: "parser" | "trim" | "case"; readonly value: string };

/** Parser, then trim, then case: each step that the rule turns on, with the value after it. */
export const processSteps = (rule: FieldRule, raw: string): ProcessStep[] => {
  const steps: ProcessStep[] = [];
  let value = raw;
  if (rule.parser !== "NONE") {
    if (rule.parser === "EXTRACT_CN_FROM_DN") value = cnFromDn(value);
    else value = value.includes("@") ? value.slice(0, value.indexOf("@")) : value;
    steps.push({ step: "parser", value });
  }
  if (rule.trim) {
    value = value.trim();
    steps.push({ step: "trim", value });
  }
  if (rule.characterCase !== "NONE") {
    value = rule.characterCase === "LOWER" ? value.toLowerCase() : value.toUpperCase();
    steps.push({ step: "case", value });
  }
  return steps;
};

const process = (rule: FieldRule, raw: string): string => processSteps(rule, raw).at(-1)?.value ?? raw;

/**
 * A user's attributes by lower-cased name (the first spelling wins), built once per user: every
 * rule of the mapping looks its attributes up here, instead of walking them all for each one.
 */
const attributeIndexes = new WeakMap<SourceUser["attributes"], ReadonlyMap<string, readonly string[]>>();

const attributeIndex = (attributes: SourceUser["attributes"]): ReadonlyMap<string, readonly string[]> => {
  const known = attributeIndexes.get(attributes);
  if (known) return known;
  const index = new Map<string, readonly string[]>();
  for (const [name, values] of Object.entries(attributes)) {
    const key = name.toLowerCase();
    if (!index.has(key)) index.set(key, values);
  }
  attributeIndexes.set(attributes, index);
  return index;
};

/** The values of `attribute`, whatever the case of its name; none when the user has none. */
export const valuesOf = (user: SourceUser, attribute: string): readonly string[] =>
  attributeIndex(user.attributes).get(attribute.toLowerCase()) ?? [];

/** How a rule found its value for one user: the mapping, and the mapping test's trace, read this. */
export type RuleOutcome = {
  readonly from: "attribute" | "expression" | "default" | "none";
  /** The expression's values, before any processing. */
  readonly expressionValues?: readonly string[];
  /** The values before processing: the one chosen (a single field), or all of them (permission sets). */
  readonly raw: readonly string[];
  /** The values after processing. */
  readonly values: readonly string[];
  readonly failure?: { readonly code: string; readonly message: string };
};

/**
 * A single field: the expression's first value when there is an expression, else the first
 * value of the first mapped attribute that has one; else the default. Permission sets (`all`):
 * every value, else the default's list (`a, b; c`).
 */
export const evaluateRule = (rule: FieldRule, user: SourceUser, all = false): RuleOutcome => {
  let candidates: { from: "attribute" | "expression"; values: readonly string[] }[];
  let expressionValues: readonly string[] | undefined;
  if (rule.expression) {
    const result = evaluateExpression(rule.expression, user.attributes);
    if (!result.ok) {
      // The reason may quote the value (`"2024-13-01" is not a real date`): not for a masked field.
      const { line, column } = result.problem;
      const message = rule.masked
        ? `${rule.field}: the expression failed at line ${line}, column ${column} (details hidden: the field is masked)`
        : `${rule.field}: ${describeProblem(result.problem)}`;
      return { from: "expression", raw: [], values: [], failure: { code: result.problem.code, message } };
    }
    expressionValues = result.values;
    candidates = [{ from: "expression", values: result.values }];
  } else {
    candidates = rule.attributes.map((a) => ({ from: "attribute", values: valuesOf(user, a) }));
  }
  const withExpression = expressionValues === undefined ? {} : { expressionValues };
  if (all) {
    const raw = candidates.flatMap((c) => c.values);
    const from = raw.length > 0 ? (rule.expression ? "expression" : "attribute") : "default";
    const chosen = raw.length > 0 ? raw : (rule.defaultValue ?? "").split(/[,;]/);
    const values = [...new Set(chosen.map((v) => process(rule, v).trim()).filter((v) => v !== ""))].sort();
    return { from: values.length > 0 ? from : "none", ...withExpression, raw: chosen, values };
  }
  for (const candidate of candidates) {
    const value = candidate.values.find((v) => v !== "");
    if (value === undefined) continue;
    const processed = process(rule, value);
    if (processed !== "")
      return { from: candidate.from, ...withExpression, raw: [value], values: [processed] };
  }
  if (rule.defaultValue === undefined) return { from: "none", ...withExpression, raw: [], values: [] };
  return {
    from: "default",
    ...withExpression,
    raw: [rule.defaultValue],
    values: [process(rule, rule.defaultValue)],
  };
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
  let failure: DesiredUser["failure"];
  for (const rule of mapping.rules) {
    if (rule.masked) masked.add(rule.field);
    if (rule.createOnly) createOnly.add(rule.field);
    const outcome = evaluateRule(rule, source, rule.field === permissionSetsField);
    if (outcome.failure) {
      // Not `mapped`: a field the expression failed for is left as it is in Salesforce, not cleared.
      failure ??= { field: rule.field, ...outcome.failure };
      continue;
    }
    if (
      rule.field !== permissionSetsField &&
      rule.field !== accountIdField &&
      !rule.field.startsWith(contactPrefix)
    )
      mapped.add(rule.field);
    if (rule.field === permissionSetsField) {
      permissionSets = [...outcome.values];
      continue;
    }
    const value = outcome.values[0];
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
  const hash = stableHash({ ...desired, enabled: source.enabled, failure });
  return { ...desired, mapped, hash, ...(failure ? { failure } : {}) };
};

/** A value as logs, events and previews may show it. */
export const shown = (desired: Pick<DesiredUser, "masked">, field: string, value: unknown): unknown =>
  desired.masked.has(field) && value !== null && value !== undefined ? "***" : value;
