import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertCode, thrownAppError } from "../../test/support/errors.ts";
import { compileExpression, compileOrThrow, evaluateExpression } from "./expression.ts";
import { expressionLimits } from "./limits.ts";

/** The problem compiling `source` raises. */
const problem = (source: string) => {
  const result = compileExpression(source);
  assert.ok(!result.ok, `${JSON.stringify(source.slice(0, 60))} should not compile`);
  return result.problem;
};

const evaluationProblem = (source: string, attributes: Record<string, readonly string[]>) => {
  const compiled = compileExpression(source);
  assert.ok(compiled.ok, compiled.ok ? "" : compiled.problem.reason);
  const result = evaluateExpression(compiled.expression, attributes);
  assert.ok(!result.ok, `${source} should fail`);
  return result.problem;
};

describe("expression parse errors", () => {
  it("point at the line and column, with the line and a caret under the spot", () => {
    const p = problem('Join(" ",\n  [givenName] # [sn])');
    assert.equal(p.code, "EXPR_SYNTAX");
    assert.deepEqual([p.line, p.column, p.offset], [2, 15, 24]);
    assert.equal(p.excerpt, "  [givenName] # [sn])\n              ^");
  });

  it("say so when the expression is PingFederate's OGNL, and stop at its first character", () => {
    const p = problem("#this.get('uid').substring(0,8)");
    assert.equal(p.code, "EXPR_SYNTAX");
    assert.equal(p.column, 1);
    assert.match(p.reason, /unexpected character "#" \(a PingFederate OGNL expression\? Rewrite it/);
  });

  it("count columns in characters, and cut a long line around the spot", () => {
    assert.equal(problem('"😀😀" #').column, 6);
    const long = `Join(",", ${'"x", '.repeat(40)}#)`;
    const p = problem(long);
    assert.equal(p.column, long.indexOf("#") + 1);
    const [line = "", caret = ""] = p.excerpt.split("\n");
    assert.ok(line.startsWith("…"));
    assert.equal(line[caret.length - 1], "#");
  });

  it("name what was expected and what was found", () => {
    const cases: [string, RegExp][] = [
      ["", /the expression is empty/],
      ["   ", /expected a value .*found the end of the expression/],
      ['"open', /a string that never ends/],
      ["[uid", /an attribute reference that never ends/],
      ["[]", /an empty attribute reference/],
      ['"\\q"', /unknown escape \\q/],
      ["Left([uid], 8", /expected "," or "\)" in the arguments of Left\(…\), found the end/],
      ["Left([uid] 8)", /expected "," or "\)" .*found the number 8/],
      ["[uid] [sn]", /expected the end of the expression, found the attribute \[sn\]/],
      ["[uid], [sn]", /a comma outside a function call/],
      ["uid", /call a function as uid\(…\), refer to an attribute as \[uid\], or quote text as "uid"/],
      ["'ada'", /strings take double quotes/],
      ['[a] = [b] = "x"', /comparisons do not chain/],
      ["12345678", /a number larger than 1000000/],
      ["(1", /expected "\)", found the end/],
    ];
    for (const [source, reason] of cases) {
      const p = problem(source);
      assert.equal(p.code, "EXPR_SYNTAX", source);
      assert.match(p.reason, reason, source);
    }
  });

  it("an unknown function is refused with the names it may have meant", () => {
    const p = problem("Lowercase([mail])");
    assert.equal(p.code, "EXPR_UNKNOWN_FUNCTION");
    assert.match(p.reason, /there is no function Lowercase \(did you mean Lower\?\)/);
    assert.equal(problem("constructor()").code, "EXPR_UNKNOWN_FUNCTION");
    assert.equal(problem("__proto__(1)").code, "EXPR_UNKNOWN_FUNCTION");
  });

  it("a wrong number of arguments is refused at the call", () => {
    const p = problem('Lower([a], "b")');
    assert.equal(p.code, "EXPR_ARGUMENTS");
    assert.match(p.reason, /Lower takes 1 argument, not 2/);
    assert.match(problem("Mid([a], 1)").reason, /Mid takes 3 arguments, not 2/);
    assert.match(problem('Switch([a], "d", "k")').reason, /Switch takes 4 to 64 arguments/);
    assert.match(problem('Switch([a], "d", "k", "v", "k2")').reason, /a key has no value/);
    assert.equal(problem("Coalesce()").code, "EXPR_ARGUMENTS");
  });

  it("the source length, nesting and size are bounded", () => {
    const tooLong = problem(`"${"x".repeat(expressionLimits.sourceLength)}"`);
    assert.equal(tooLong.code, "EXPR_TOO_LONG");
    const deep = problem(`${"Lower(".repeat(40)}[a]${")".repeat(40)}`);
    assert.equal(deep.code, "EXPR_TOO_DEEP");
    assert.equal(deep.column, expressionLimits.depth * 6 + 1);
    assert.equal(problem(`${"(".repeat(40)}1${")".repeat(40)}`).code, "EXPR_TOO_DEEP");
    const wide = problem(Array.from({ length: 300 }, () => '"a"').join(" & "));
    assert.equal(wide.code, "EXPR_TOO_COMPLEX");
    // Within the limits, the same shapes compile.
    assert.ok(compileExpression(`${"Lower(".repeat(30)}[a]${")".repeat(30)}`).ok);
  });

  it("compileOrThrow raises an AppError naming the field, the position and the excerpt", () => {
    const error = thrownAppError(() =>
      compileOrThrow("Left([uid] 8)", "attributeMapping[1].saasFieldInfo.expression"),
    );
    assertCode(error, "EXPR_SYNTAX", /^attributeMapping\[1\]\.saasFieldInfo\.expression: expected/);
    assert.ok(error.message.includes("at line 1, column 12\nLeft([uid] 8)\n           ^"), error.message);
    assert.equal(error.details[0]?.field, "attributeMapping[1].saasFieldInfo.expression");
  });
});

describe("expression evaluation limits", () => {
  const big = "x".repeat(8000);

  it("an attribute value or a result longer than the limit is refused, not built", () => {
    assert.equal(evaluationProblem("[photo]", { photo: ["x".repeat(9000)] }).code, "EXPR_VALUE_TOO_LONG");
    assert.equal(evaluationProblem("[a] & [a]", { a: [big] }).code, "EXPR_VALUE_TOO_LONG");
    const replace = evaluationProblem('Replace([a], "x", "xxxxxxxxxx")', { a: [big] });
    assert.equal(replace.code, "EXPR_VALUE_TOO_LONG");
    assert.match(replace.reason, /a value of 80000 characters; at most 8192 are allowed/);
    assert.equal(evaluationProblem('Join(",", [a], [a])', { a: [big] }).code, "EXPR_VALUE_TOO_LONG");
  });

  it("a list longer than the limit is refused, from Split or from the directory", () => {
    const split = evaluationProblem('Split([a], ",")', { a: [",".repeat(2000)] });
    assert.equal(split.code, "EXPR_TOO_MANY_VALUES");
    const many = Array.from({ length: expressionLimits.values + 1 }, (_, i) => `g${i}`);
    assert.equal(evaluationProblem("Count([memberOf])", { memberOf: many }).code, "EXPR_TOO_MANY_VALUES");
  });

  it("work beyond the step budget stops with an error at the call that spent it", () => {
    const groups = Array.from({ length: 1000 }, (_, i) => `${i}${big}`.slice(0, 8000));
    const p = evaluationProblem("Count(Lower([memberOf]))", { memberOf: groups });
    assert.equal(p.code, "EXPR_BUDGET_EXCEEDED");
    assert.match(p.reason, /more than 50000 steps/);
    assert.equal(p.column, 7);
  });
});
