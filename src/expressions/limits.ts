import { AppError, type ErrorCode } from "../lib/errors.ts";

/**
 * What one expression may cost. Parsing checks the first three before it builds anything; the
 * evaluator checks the rest as it goes, so no input can make it loop, recurse without end or
 * build an unbounded string. Documented in docs/expressions.md.
 */
export const expressionLimits = {
  /** Characters of source text (`saasFieldInfo.expression` allows as many). */
  sourceLength: 4096,
  /** Nesting of calls, operators and parentheses. */
  depth: 32,
  /** Literals, attribute references, calls and operators together. */
  nodes: 256,
  /** Characters of any one string, read or made. */
  valueLength: 8192,
  /** Values of any one list: a multi-valued attribute, Split's result, Join's inputs. */
  values: 1000,
  /** Evaluation steps: one per node, one per value handled, one per 64 characters handled. */
  steps: 50_000,
} as const;

export type ExpressionErrorCode = Extract<ErrorCode, `EXPR_${string}`>;

/** Where in the source a problem is: offset in UTF-16 units, line and column (code points) from 1. */
export type SourcePosition = {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** The line, and a caret under the column. */
  readonly excerpt: string;
};

export type ExpressionProblem = SourcePosition & {
  readonly code: ExpressionErrorCode;
  /** The reason alone, e.g. `unexpected character "#"`. */
  readonly reason: string;
};

const excerptWidth = 72;

/** Control characters and tabs shown as one printable column each, so the caret lines up. */
const printable = (text: string): string =>
  Array.from(text, (c) => (c === "\t" ? " " : /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(c) ? "\u00b7" : c)).join("");

export const positionOf = (source: string, offset: number): SourcePosition => {
  const at = Math.max(0, Math.min(offset, source.length));
  const before = source.slice(0, at);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = source.indexOf("\n", at);
  const text = Array.from(source.slice(lineStart, lineEnd === -1 ? source.length : lineEnd));
  const column = Array.from(source.slice(lineStart, at)).length + 1;
  // A long line is cut around the column.
  const from = Math.max(0, Math.min(column - 1 - excerptWidth / 2, text.length - excerptWidth));
  const shown = text.slice(from, from + excerptWidth);
  const lead = from > 0 ? "…" : "";
  const tail = from + excerptWidth < text.length ? "…" : "";
  const caret = " ".repeat(lead.length + column - 1 - from);
  return { offset: at, line, column, excerpt: `${lead}${printable(shown.join(""))}${tail}\n${caret}^` };
};

export const problemAt = (
  source: string,
  offset: number,
  code: ExpressionErrorCode,
  reason: string,
): ExpressionProblem => ({ code, reason, ...positionOf(source, offset) });

/** One line: `unexpected character "#" at line 1, column 1`. The excerpt goes separately. */
export const describeProblem = (problem: ExpressionProblem): string =>
  `${problem.reason} at line ${problem.line}, column ${problem.column}`;

/** The problem as the one error type, its message carrying the position and the caret excerpt. */
export const problemError = (problem: ExpressionProblem, field = "expression"): AppError =>
  new AppError(problem.code, {
    message: `${field}: ${describeProblem(problem)}\n${problem.excerpt}`,
    details: [{ field, message: describeProblem(problem) }],
  });

/** Thrown inside the parser and evaluator; turned into a problem or an AppError at their edge. */
export class ExpressionFault extends Error {
  constructor(
    readonly code: ExpressionErrorCode,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "ExpressionFault";
  }
}
