import { runFunction } from "./functions.ts";
import {
  ExpressionFault,
  type ExpressionProblem,
  expressionLimits,
  problemAt,
  problemError,
} from "./limits.ts";
import { attributesOf, type Node, parse } from "./parser.ts";
import { type Argument, checkedText, fromValues, textSteps, toText, toValues, type Value } from "./values.ts";

/**
 * Portico's expression language for attribute mappings (docs/expressions.md): compile once,
 * evaluate per user. Pure: no I/O, no clock, and nothing of JavaScript is reachable from an
 * expression — attributes are looked up by name in the user's own entries, functions in a
 * fixed table, and nothing is ever run as code.
 */

export type CompiledExpression = {
  readonly source: string;
  readonly root: Node;
  /** The attributes the expression reads, as written. */
  readonly attributes: readonly string[];
};

export type Attributes = Readonly<Record<string, readonly string[]>>;

export type CompileResult =
  | { readonly ok: true; readonly expression: CompiledExpression }
  | { readonly ok: false; readonly problem: ExpressionProblem };

/** Internal faults become problems at the source position; anything else is a bug and is rethrown. */
const asProblem = (source: string, error: unknown): ExpressionProblem => {
  if (error instanceof ExpressionFault) return problemAt(source, error.offset, error.code, error.reason);
  throw error;
};

export const compileExpression = (source: string): CompileResult => {
  try {
    const root = parse(source);
    return { ok: true, expression: { source, root, attributes: attributesOf(root) } };
  } catch (error) {
    return { ok: false, problem: asProblem(source, error) };
  }
};

/** Case-insensitive, own entries only: `[__proto__]` and `[constructor]` are attributes like any other. */
const attributeMap = (attributes: Attributes): Map<string, readonly string[]> => {
  const map = new Map<string, readonly string[]>();
  for (const [name, values] of Object.entries(attributes)) {
    const key = name.toLowerCase();
    if (!map.has(key)) map.set(key, values);
  }
  return map;
};

const run = (root: Node, attributes: Attributes): { value: Value; steps: number } => {
  let steps = 0;
  const charge = (n: number, offset: number) => {
    steps += n;
    if (steps > expressionLimits.steps)
      throw new ExpressionFault(
        "EXPR_BUDGET_EXCEEDED",
        offset,
        `evaluation took more than ${expressionLimits.steps} steps`,
      );
  };
  const entries = attributeMap(attributes);
  const evaluate = (node: Node): Value => {
    charge(1, node.offset);
    switch (node.kind) {
      case "literal":
        return node.value;
      case "attribute": {
        const values = entries.get(node.name.toLowerCase()) ?? [];
        charge(values.length, node.offset);
        for (const value of values) checkedText(value, node.offset);
        return fromValues(values, node.offset);
      }
      case "concat": {
        let text = "";
        for (const part of node.parts) {
          text = checkedText(text + toText(evaluate(part)), node.offset);
          charge(textSteps(text), node.offset);
        }
        return text;
      }
      case "compare": {
        const equal = toText(evaluate(node.left)) === toText(evaluate(node.right));
        return node.operator === "=" ? equal : !equal;
      }
      case "call": {
        const args: Argument[] = node.args.map((child) => {
          let done = false;
          let value: Value = null;
          return () => {
            if (!done) {
              value = evaluate(child);
              done = true;
            }
            return value;
          };
        });
        return runFunction(node.name, { charge: (n) => charge(n, node.offset), offset: node.offset }, args);
      }
    }
  };
  const value = evaluate(root);
  return { value, steps };
};

export type EvaluationResult =
  | {
      readonly ok: true;
      readonly value: Value;
      readonly values: readonly string[];
      /** Evaluation steps spent, never more than `expressionLimits.steps`. */
      readonly steps: number;
    }
  | { readonly ok: false; readonly problem: ExpressionProblem };

/**
 * Evaluates against one user's attributes. `values` is the result as attribute values: none when
 * missing, one for text, a number or a boolean (`true`/`false`), several for a list.
 */
export const evaluateExpression = (
  expression: CompiledExpression,
  attributes: Attributes,
): EvaluationResult => {
  try {
    const { value, steps } = run(expression.root, attributes);
    return { ok: true, value, values: toValues(value), steps };
  } catch (error) {
    return { ok: false, problem: asProblem(expression.source, error) };
  }
};

/** Compiles, or throws the problem as an AppError whose message names `field` and the position. */
export const compileOrThrow = (source: string, field = "expression"): CompiledExpression => {
  const compiled = compileExpression(source);
  if (!compiled.ok) throw problemError(compiled.problem, field);
  return compiled.expression;
};

/** Evaluates, or throws the problem as an AppError naming `field`. */
export const evaluateOrThrow = (
  expression: CompiledExpression,
  attributes: Attributes,
  field = "expression",
): readonly string[] => {
  const result = evaluateExpression(expression, attributes);
  if (!result.ok) throw problemError(result.problem, field);
  return result.values;
};

/** Looks like PingFederate's OGNL (`#this.get(…)`, `#result=…`) rather than Portico's language. */
export const looksLikeOgnl = (source: string): boolean =>
  /#this\b|#result\b|^\s*#|\.get\(\s*['"]|\.substring\(|\.toString\(\)/.test(source);
