import { ExpressionFault } from "./limits.ts";
import {
  type Argument,
  type Context,
  checkCount,
  checkLength,
  fromValues,
  isList,
  perValue,
  textSteps,
  toInteger,
  toText,
  toValues,
  type Value,
} from "./values.ts";

/**
 * Text and list functions. Positions and lengths count characters (code points), so an emoji or
 * an accented letter written as one is never cut in half. Text functions apply to each value of
 * a list; Join, Split, First, Item and Count work on the list itself.
 */

type Run = (context: Context, args: readonly Argument[]) => Value;

const chars = (text: string): string[] => Array.from(text);

const count = (context: Context, args: readonly Argument[], index: number, what: string): number => {
  const n = toInteger(args[index]?.() ?? null, what, context.offset);
  if (n < 0)
    throw new ExpressionFault("EXPR_ARGUMENT_INVALID", context.offset, `${what} must not be negative`);
  return n;
};

const left: Run = (context, args) => {
  const value = args[0]?.() ?? null;
  const n = count(context, args, 1, "Left's number of characters");
  return perValue(context, value, (text) => chars(text).slice(0, n).join(""));
};

const right: Run = (context, args) => {
  const value = args[0]?.() ?? null;
  const n = count(context, args, 1, "Right's number of characters");
  return perValue(context, value, (text) => (n === 0 ? "" : chars(text).slice(-n).join("")));
};

/** Mid(text, start, length): start counts from 1, as in VBA and Entra. */
const mid: Run = (context, args) => {
  const value = args[0]?.() ?? null;
  const start = count(context, args, 1, "Mid's start");
  if (start < 1)
    throw new ExpressionFault("EXPR_ARGUMENT_INVALID", context.offset, "Mid's start counts from 1");
  const length = count(context, args, 2, "Mid's length");
  return perValue(context, value, (text) =>
    chars(text)
      .slice(start - 1, start - 1 + length)
      .join(""),
  );
};

/** Plain text, every occurrence: no patterns, so nothing can backtrack. */
const replace: Run = (context, args) => {
  const value = args[0]?.() ?? null;
  const find = toText(args[1]?.() ?? null);
  const replacement = toText(args[2]?.() ?? null);
  return perValue(context, value, (text) => {
    if (find === "") return text;
    const pieces = text.split(find);
    // The length is known before the string is built: a hostile replacement cannot balloon.
    const length = text.length + (pieces.length - 1) * (replacement.length - find.length);
    checkLength(length, context.offset);
    context.charge(pieces.length);
    return pieces.join(replacement);
  });
};

const join: Run = (context, args) => {
  const separator = toText(args[0]?.() ?? null);
  const parts: string[] = [];
  let length = 0;
  for (const arg of args.slice(1)) {
    for (const part of toValues(arg())) {
      if (part === "") continue;
      context.charge(textSteps(part));
      length += part.length + (parts.length > 0 ? separator.length : 0);
      checkLength(length, context.offset);
      parts.push(part);
      checkCount(parts.length, context.offset);
    }
  }
  return parts.length === 0 ? null : parts.join(separator);
};

/** Split(text, separator): a list; a list's values are each split, in order. */
const split: Run = (context, args) => {
  const value = args[0]?.() ?? null;
  const separator = toText(args[1]?.() ?? null);
  if (value === null) return null;
  const out: string[] = [];
  for (const text of toValues(value)) {
    context.charge(textSteps(text));
    if (separator === "") {
      out.push(text);
      continue;
    }
    for (const piece of text.split(separator)) {
      out.push(piece);
      checkCount(out.length, context.offset);
    }
  }
  context.charge(out.length);
  return fromValues(out, context.offset);
};

const first: Run = (_context, args) => {
  const value = args[0]?.() ?? null;
  return isList(value) ? (value[0] ?? null) : value;
};

/** Item(list, n): the n-th value, counting from 1; missing when there is none. */
const item: Run = (context, args) => {
  const values = toValues(args[0]?.() ?? null);
  const n = toInteger(args[1]?.() ?? null, "Item's position", context.offset);
  if (n < 1)
    throw new ExpressionFault("EXPR_ARGUMENT_INVALID", context.offset, "Item's position counts from 1");
  return values[n - 1] ?? null;
};

const countValues: Run = (_context, args) => toValues(args[0]?.() ?? null).length;

const length: Run = (_context, args) => chars(toText(args[0]?.() ?? null)).length;

/** é → e, Å → A: letters without their marks (Unicode canonical decomposition, marks removed). */
const normalizeDiacritics: Run = (context, args) =>
  perValue(context, args[0]?.() ?? null, (text) =>
    text
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .replace(/ß/g, "ss")
      .replace(/[Øø]/g, (c) => (c === "Ø" ? "O" : "o"))
      .replace(/[Łł]/g, (c) => (c === "Ł" ? "L" : "l"))
      .normalize("NFC"),
  );

export const textFunctions = {
  Left: { min: 2, max: 2, run: left },
  Right: { min: 2, max: 2, run: right },
  Mid: { min: 3, max: 3, run: mid },
  Lower: { min: 1, max: 1, run: (c, a) => perValue(c, a[0]?.() ?? null, (t) => t.toLowerCase()) },
  Upper: { min: 1, max: 1, run: (c, a) => perValue(c, a[0]?.() ?? null, (t) => t.toUpperCase()) },
  Trim: { min: 1, max: 1, run: (c, a) => perValue(c, a[0]?.() ?? null, (t) => t.trim()) },
  StripSpaces: {
    min: 1,
    max: 1,
    run: (c, a) => perValue(c, a[0]?.() ?? null, (t) => t.replace(/\s+/gu, "")),
  },
  NormalizeDiacritics: { min: 1, max: 1, run: normalizeDiacritics },
  Replace: { min: 3, max: 3, run: replace },
  Append: {
    min: 2,
    max: 2,
    run: (c, a) => {
      const value = a[0]?.() ?? null;
      const suffix = toText(a[1]?.() ?? null);
      return perValue(c, value, (t) => t + suffix);
    },
  },
  Join: { min: 2, max: 64, run: join },
  Split: { min: 2, max: 2, run: split },
  First: { min: 1, max: 1, run: first },
  Item: { min: 2, max: 2, run: item },
  Count: { min: 1, max: 1, run: countValues },
  Length: { min: 1, max: 1, run: length },
} as const satisfies Record<string, { min: number; max: number; run: Run }>;
