import { formatDate } from "./format-date.ts";
import { textFunctions } from "./functions-text.ts";
import { ExpressionFault } from "./limits.ts";
import {
  type Argument,
  type Context,
  fromValues,
  isAbsent,
  textSteps,
  toBoolean,
  toText,
  toValues,
  type Value,
} from "./values.ts";

/**
 * The function table: every function the language has, its arity, and what it does. Arguments
 * arrive unevaluated, so IIF, Coalesce, Switch, And and Or evaluate only what they need.
 */

type Run = (context: Context, args: readonly Argument[]) => Value;
type FunctionSpec = {
  readonly min: number;
  readonly max: number;
  /** Switch: after the first two arguments, key and value pairs. */
  readonly pairsAfter?: number;
  readonly run: Run;
};

const arg = (args: readonly Argument[], i: number): Value => args[i]?.() ?? null;

const coalesce: Run = (_context, args) => {
  for (const next of args) {
    const value = next();
    if (!isAbsent(value)) return value;
  }
  return null;
};

/** Switch(source, default, key1, value1, …): the value after the first key equal to the source. */
const switchValue: Run = (context, args) => {
  const source = toText(arg(args, 0));
  for (let i = 2; i + 1 < args.length; i += 2) {
    context.charge(1);
    if (toText(arg(args, i)) === source) return arg(args, i + 1);
  }
  return arg(args, 1);
};

const contains: Run = (context, args) => {
  const values = toValues(arg(args, 0));
  const wanted = toText(arg(args, 1));
  context.charge(values.length);
  return values.includes(wanted);
};

const formatDates: Run = (context, args) => {
  const value = arg(args, 0);
  const input = toText(arg(args, 1));
  const output = toText(arg(args, 2));
  if (value === null) return null;
  const out: string[] = [];
  for (const text of toValues(value)) {
    context.charge(textSteps(text));
    const formatted = formatDate(text, input, output, context.offset);
    if (formatted !== undefined) out.push(formatted);
  }
  return fromValues(out, context.offset);
};

const logicFunctions = {
  IIF: { min: 3, max: 3, run: (_c, a) => (toBoolean(arg(a, 0)) ? arg(a, 1) : arg(a, 2)) },
  Coalesce: { min: 1, max: 64, run: coalesce },
  Switch: { min: 4, max: 64, pairsAfter: 2, run: switchValue },
  IsPresent: { min: 1, max: 1, run: (_c, a) => !isAbsent(arg(a, 0)) },
  IsNullOrEmpty: { min: 1, max: 1, run: (_c, a) => isAbsent(arg(a, 0)) },
  Not: { min: 1, max: 1, run: (_c, a) => !toBoolean(arg(a, 0)) },
  And: { min: 2, max: 64, run: (_c, a) => a.every((next) => toBoolean(next())) },
  Or: { min: 2, max: 64, run: (_c, a) => a.some((next) => toBoolean(next())) },
  Contains: { min: 2, max: 2, run: contains },
  FormatDate: { min: 3, max: 3, run: formatDates },
} as const satisfies Record<string, FunctionSpec>;

/** Entra's names for the same functions. */
const aliases: Readonly<Record<string, string>> = { ToLower: "Lower", ToUpper: "Upper" };

const table: ReadonlyMap<string, FunctionSpec & { readonly name: string }> = new Map(
  [
    ...Object.entries(textFunctions as Record<string, FunctionSpec>),
    ...Object.entries(logicFunctions as Record<string, FunctionSpec>),
  ].map(([name, spec]) => [name.toLowerCase(), { ...spec, name }]),
);

const aliasTable: ReadonlyMap<string, string> = new Map(
  Object.entries(aliases).map(([alias, name]) => [alias.toLowerCase(), name.toLowerCase()]),
);

/** Every function's name, for documentation and error hints. */
export const functionNames = (): string[] => [...table.values()].map((f) => f.name).sort();

/** Every function's arity, for documentation and generated tests. */
export const functionArities = (): { name: string; min: number; max: number }[] =>
  [...table.values()].map((f) => ({ name: f.name, min: f.min, max: f.max }));

const lookup = (name: string) => {
  const key = name.toLowerCase();
  return table.get(aliasTable.get(key) ?? key);
};

/** Checks a call while parsing; returns the function's canonical name. Names ignore case. */
export const checkCall = (name: string, argumentCount: number, offset: number): string => {
  const spec = lookup(name);
  if (!spec) {
    const near = functionNames().filter((f) => f.toLowerCase().startsWith(name.toLowerCase().slice(0, 3)));
    throw new ExpressionFault(
      "EXPR_UNKNOWN_FUNCTION",
      offset,
      `there is no function ${name}${near.length > 0 ? ` (did you mean ${near.join(" or ")}?)` : ""}`,
    );
  }
  const range = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
  if (argumentCount < spec.min || argumentCount > spec.max)
    throw new ExpressionFault(
      "EXPR_ARGUMENTS",
      offset,
      `${spec.name} takes ${range} argument${spec.max === 1 ? "" : "s"}, not ${argumentCount}`,
    );
  if (spec.pairsAfter !== undefined && (argumentCount - spec.pairsAfter) % 2 !== 0)
    throw new ExpressionFault(
      "EXPR_ARGUMENTS",
      offset,
      `${spec.name} takes a source, a default, then key and value pairs; a key has no value`,
    );
  return spec.name;
};

/** Runs a function checked by `checkCall`. */
export const runFunction = (name: string, context: Context, args: readonly Argument[]): Value => {
  const spec = lookup(name);
  if (!spec)
    throw new ExpressionFault("EXPR_UNKNOWN_FUNCTION", context.offset, `there is no function ${name}`);
  return spec.run(context, args);
};
