import type { AuthenticatedSubject } from "../../domain/ports.ts";
import { attributeMappings, type SpConnection } from "../../domain/sp-connection.ts";
import {
  type CompileResult,
  compileExpression,
  evaluateExpression,
  looksLikeOgnl,
} from "../../expressions/expression.ts";
import { describeProblem, type ExpressionProblem, problemError } from "../../expressions/limits.ts";
import type { ErrorDetail } from "../../lib/errors.ts";

/**
 * `EXPRESSION` sources of attribute contract fulfillment (spec §2.2), in Portico's expression
 * language (docs/expressions.md), evaluated against the signing-in user's directory attributes.
 * A connection is checked when it is saved active; PingFederate's OGNL is kept as sent on an
 * inactive connection, and refused, with the position, when the connection is activated.
 */

/** Compiled sources, shared by every sign-in; bounded, and emptied when full. */
const cache = new Map<string, CompileResult>();
const cacheSize = 512;

const compiled = (source: string): CompileResult => {
  const hit = cache.get(source);
  if (hit) return hit;
  if (cache.size >= cacheSize) cache.clear();
  const result = compileExpression(source);
  cache.set(source, result);
  return result;
};

const explain = (source: string, problem: ExpressionProblem): string => {
  const ognl = looksLikeOgnl(source) && !problem.reason.includes("OGNL");
  return `${problem.code} ${describeProblem(problem)}${ognl ? " (a PingFederate OGNL expression? Rewrite it in Portico's language: docs/expressions.md)" : ""}`;
};

/** The values of an `EXPRESSION` source for this subject; empty values are left out. */
export const expressionValues = (
  name: string,
  source: string,
  subject: AuthenticatedSubject,
): readonly string[] => {
  const field = `attributeContractFulfillment.${name}`;
  const result = compiled(source);
  if (!result.ok) throw problemError(result.problem, field);
  const evaluated = evaluateExpression(result.expression, subject.attributes);
  if (!evaluated.ok) throw problemError(evaluated.problem, field);
  return evaluated.values.filter((v) => v !== "");
};

/**
 * Problems of the `EXPRESSION` sources of an active connection, each naming the field and the
 * position where Portico's parser stopped. An inactive connection keeps them as sent.
 */
export const expressionSourceErrors = (connection: SpConnection): ErrorDetail[] => {
  if (connection.active !== true) return [];
  const errors: ErrorDetail[] = [];
  for (const { mapping, path } of attributeMappings(connection.spBrowserSso)) {
    for (const [name, rule] of Object.entries(mapping.attributeContractFulfillment)) {
      if (rule.source.type !== "EXPRESSION") continue;
      const result = compiled(rule.value);
      if (result.ok) continue;
      errors.push({
        field: `${path}.attributeContractFulfillment.${name}.value`,
        message: `${explain(rule.value, result.problem)}; the connection cannot be active until the expression is rewritten\n${result.problem.excerpt}`,
      });
    }
  }
  return errors;
};
