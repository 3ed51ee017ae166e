import type { SourceUser } from "../source/source.ts";
import {
  type CompiledMapping,
  evaluateRule,
  type ProcessStep,
  permissionSetsField,
  processSteps,
  valuesOf,
} from "./mapping.ts";

/**
 * "Test this mapping on user X": each field's way from the directory to its value — the
 * attributes read and their values, the expression's result, the default when it was used,
 * parser, trim and case one by one, and the final value. It runs the mapping's own code
 * (`evaluateRule`), so it cannot tell a different story from a cycle. Masked fields show `***`.
 */

export type FieldTrace = {
  readonly field: string;
  /** The attributes the field reads (the expression's, when it has one), with their values. */
  readonly sources: readonly { readonly attribute: string; readonly values: readonly string[] }[];
  readonly expression?: string;
  /** The expression's values, before processing. */
  readonly expressionResult?: readonly string[];
  readonly from: "attribute" | "expression" | "default" | "none";
  readonly defaultValue?: string;
  /** The value processing started from. */
  readonly raw: readonly string[];
  /** Parser, trim and case, each with the value after it (single fields). */
  readonly steps: readonly ProcessStep[];
  /** What the mapping sends: one value, a list (permission sets), or null for none. */
  readonly value: string | readonly string[] | null;
  readonly masked: boolean;
  readonly error?: { readonly code: string; readonly message: string };
};

const mask = "***";

export const traceMapping = (mapping: CompiledMapping, user: SourceUser): FieldTrace[] =>
  mapping.rules.map((rule): FieldTrace => {
    const all = rule.field === permissionSetsField;
    const outcome = evaluateRule(rule, user, all);
    const hide = <T>(value: T): T | typeof mask => (rule.masked ? mask : value);
    const hideAll = (values: readonly string[]) => values.map((v) => hide(v));
    const read = rule.expression?.attributes ?? rule.attributes;
    const first = outcome.raw[0];
    const steps = !all && first !== undefined ? processSteps(rule, first) : [];
    return {
      field: rule.field,
      sources: read.map((attribute) => ({ attribute, values: hideAll(valuesOf(user, attribute)) })),
      ...(rule.expression ? { expression: rule.expression.source } : {}),
      ...(outcome.expressionValues ? { expressionResult: hideAll(outcome.expressionValues) } : {}),
      from: outcome.from,
      ...(rule.defaultValue === undefined ? {} : { defaultValue: hide(rule.defaultValue) }),
      raw: hideAll(outcome.raw),
      steps: steps.map((s) => ({ step: s.step, value: hide(s.value) })),
      value: all ? hideAll(outcome.values) : outcome.values[0] === undefined ? null : hide(outcome.values[0]),
      masked: rule.masked,
      ...(outcome.failure ? { error: outcome.failure } : {}),
    };
  });
