import { ExpressionFault, expressionLimits } from "./limits.ts";

/**
 * Values of the expression language. A missing attribute is `null`; an attribute with one value
 * is a string; one with several is a list (two values or more: a list of one is its value).
 * Numbers and booleans come from literals and from functions such as Count and IsPresent.
 */
export type Value = null | string | number | boolean | readonly string[];

/** What a function sees of its arguments: each evaluated when asked, at most once. */
export type Argument = () => Value;

/** The evaluation in progress: its step budget, and where the call being run stands. */
export type Context = {
  /** Spends evaluation steps; throws EXPR_BUDGET_EXCEEDED past the limit. */
  readonly charge: (steps: number) => void;
  /** The offset of the call being run, for errors. */
  readonly offset: number;
};

export const isList = (value: Value): value is readonly string[] => Array.isArray(value);

/** Steps for handling `text`: one per 64 characters. */
export const textSteps = (text: string): number => 1 + (text.length >> 6);

export const checkLength = (length: number, offset: number): void => {
  if (length > expressionLimits.valueLength)
    throw new ExpressionFault(
      "EXPR_VALUE_TOO_LONG",
      offset,
      `a value of ${length} characters; at most ${expressionLimits.valueLength} are allowed`,
    );
};

export const checkedText = (text: string, offset: number): string => {
  checkLength(text.length, offset);
  return text;
};

export const checkCount = (count: number, offset: number): void => {
  if (count > expressionLimits.values)
    throw new ExpressionFault(
      "EXPR_TOO_MANY_VALUES",
      offset,
      `a list of ${count} values; at most ${expressionLimits.values} are allowed`,
    );
};

/** Several values as a Value: none is null, one is that value, more are a list. */
export const fromValues = (values: readonly string[], offset: number): Value => {
  checkCount(values.length, offset);
  if (values.length === 0) return null;
  if (values.length === 1) return values[0] ?? null;
  return values;
};

export const scalarText = (value: string | number | boolean): string =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : value ? "true" : "false";

/** Every value as text: none for null, the list's values for a list. */
export const toValues = (value: Value): readonly string[] => {
  if (value === null) return [];
  if (isList(value)) return value;
  return [scalarText(value)];
};

/** Where one value is needed: a list gives its first, a missing value is "". */
export const toText = (value: Value): string => {
  if (value === null) return "";
  if (isList(value)) return value[0] ?? "";
  return scalarText(value);
};

/** Missing, empty text, or a list of nothing but empty texts. */
export const isAbsent = (value: Value): boolean =>
  value === null || value === "" || (isList(value) && value.every((v) => v === ""));

/** Conditions: true, a non-zero number, or text that reads "true" in any case. */
export const toBoolean = (value: Value): boolean => {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  return toText(value).trim().toLowerCase() === "true";
};

/** A whole number from a literal or from text such as "8"; anything else is an error naming `what`. */
export const toInteger = (value: Value, what: string, offset: number): number => {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  const text = toText(value).trim();
  if (/^-?\d{1,9}$/.test(text)) return Number(text);
  throw new ExpressionFault(
    "EXPR_ARGUMENT_INVALID",
    offset,
    `${what} must be a whole number, not ${value === null ? "a missing value" : JSON.stringify(toText(value).slice(0, 40))}`,
  );
};

/**
 * A text function applied to each value: a list gives a list, a missing value stays missing.
 * Each result is checked against the length limit and charged to the budget.
 */
export const perValue = (context: Context, value: Value, apply: (text: string) => string): Value => {
  if (value === null) return null;
  const one = (text: string) => {
    context.charge(textSteps(text));
    return checkedText(apply(text), context.offset);
  };
  if (isList(value)) return fromValues(value.map(one), context.offset);
  return one(scalarText(value));
};
