import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorCatalogue } from "../lib/errors.ts";
import { compileExpression, evaluateExpression } from "./expression.ts";
import { functionArities, functionNames } from "./functions.ts";
import { expressionLimits } from "./limits.ts";

/**
 * Generated inputs: token soup, deep nesting, huge literals, random Unicode, and well-formed
 * expressions over hostile attributes. Each must compile or be refused, and evaluate or be
 * refused, with one of the language's own codes: never a crash, never a hang. The evaluator's
 * step budget is what bounds the work (its count is checked here); the test never times anything.
 *
 * PORTICO_FUZZ_ITERATIONS (default 1500 per generator) and PORTICO_FUZZ_SEED reproduce or widen a run.
 */

const iterations = Number(process.env.PORTICO_FUZZ_ITERATIONS ?? 1500);
const seed = Number(process.env.PORTICO_FUZZ_SEED ?? 20261203);

/** mulberry32: small, fast, and the same sequence for the same seed. */
const random = (start: number) => {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Rng = ReturnType<typeof random>;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)] as T;

const names = functionNames();
const languageCodes = new Set(Object.keys(errorCatalogue).filter((c) => c.startsWith("EXPR_")));

const unicodeChar = (rng: Rng): string => {
  const kind = int(rng, 6);
  if (kind === 0) return String.fromCharCode(int(rng, 32)); // control
  if (kind === 1) return String.fromCharCode(0xd800 + int(rng, 0x800)); // lone surrogate half
  if (kind === 2) return String.fromCodePoint(0x1f600 + int(rng, 80)); // emoji
  if (kind === 3) return String.fromCodePoint(0x300 + int(rng, 0x70)); // combining mark
  if (kind === 4) return pick(rng, ["\u2028", "\u202e", "\ufeff", "\u00a0", "İ", "ß", "ﬁ"]);
  return String.fromCodePoint(int(rng, 0x2ffff));
};

const tokens = [
  "(",
  ")",
  ",",
  "&",
  "=",
  "<>",
  "<",
  ">",
  "[",
  "]",
  '"',
  "\\",
  "#",
  "'",
  ".",
  "-",
  " ",
  "\n",
  "\t",
  "[uid]",
  "[memberOf]",
  "[__proto__]",
  "[constructor]",
  '"text"',
  '"\\""',
  "0",
  "8",
  "1000000",
  "99999999",
  "true",
  "false",
  "null",
  "this",
  "#this",
  ".get('uid')",
  "eval",
  "Function",
];

const tokenSoup = (rng: Rng): string =>
  Array.from({ length: 1 + int(rng, 40) }, () =>
    rng() < 0.35
      ? `${pick(rng, names)}${rng() < 0.8 ? "(" : ""}`
      : rng() < 0.9
        ? pick(rng, tokens)
        : unicodeChar(rng),
  ).join(rng() < 0.5 ? "" : " ");

const deepNesting = (rng: Rng): string => {
  const depth = 1 + int(rng, 200);
  const open = Array.from({ length: depth }, () => (rng() < 0.5 ? "(" : `${pick(rng, names)}(`));
  const close = Array.from({ length: depth - int(rng, 2) }, () => (rng() < 0.9 ? ")" : ", 1)"));
  return `${open.join("")}${rng() < 0.5 ? "[uid]" : '"x"'}${close.join("")}`;
};

const hugeLiteral = (rng: Rng): string => {
  const size = int(rng, 2 * expressionLimits.sourceLength);
  const body =
    rng() < 0.5 ? "a".repeat(size) : Array.from({ length: size >> 3 }, () => unicodeChar(rng)).join("");
  const forms = [
    `"${body}"`,
    `"${body}`,
    `[${body}]`,
    "9".repeat(size + 1),
    `Left("${body}", ${size})`,
    body,
  ];
  return pick(rng, forms);
};

const randomUnicode = (rng: Rng): string =>
  Array.from({ length: int(rng, 200) }, () => unicodeChar(rng)).join("");

/** A well-formed expression with arbitrary arities: it reaches the evaluator often. */
const wellFormed = (rng: Rng, depth = 0): string => {
  const leaf = () =>
    pick(rng, [
      '"a,b,c"',
      "[big]",
      "[many]",
      "[uid]",
      "[none]",
      "8",
      "1",
      "0",
      '"2026-01-31"',
      '"yyyy"',
      '""',
      "true",
    ]);
  if (depth > 6 || rng() < 0.3) return leaf();
  const roll = rng();
  if (roll < 0.1) return `${wellFormed(rng, depth + 1)} & ${wellFormed(rng, depth + 1)}`;
  if (roll < 0.15) return `(${wellFormed(rng, depth + 1)} = ${wellFormed(rng, depth + 1)})`;
  // Mostly a valid arity (Switch's pairs aside), so most inputs reach the evaluator.
  const fn = pick(rng, functionArities());
  const arity = rng() < 0.9 ? fn.min + int(rng, Math.min(fn.max, fn.min + 3) - fn.min + 1) : int(rng, 5);
  const args = Array.from({ length: arity }, () => wellFormed(rng, depth + 1));
  return `${fn.name}(${args.join(", ")})`;
};

const hostileAttributes = {
  uid: ["ada"],
  big: ["x,".repeat(4000)],
  many: Array.from({ length: expressionLimits.values }, (_, i) => `v${i},${"y".repeat(i % 50)}`),
  __proto__: ["p"],
};

const outcomes = new Map<string, number>();
const tally = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);

const check = (source: string) => {
  const compiled = compileExpression(source);
  if (!compiled.ok) {
    const p = compiled.problem;
    assert.ok(languageCodes.has(p.code), `${p.code} for ${JSON.stringify(source.slice(0, 80))}`);
    assert.ok(p.line >= 1 && p.column >= 1 && p.offset >= 0 && p.offset <= source.length);
    assert.ok(p.excerpt.includes("^"));
    tally(p.code);
    return;
  }
  const result = evaluateExpression(compiled.expression, hostileAttributes);
  if (result.ok) {
    assert.ok(result.steps <= expressionLimits.steps);
    for (const value of result.values) assert.ok(value.length <= expressionLimits.valueLength);
    assert.ok(result.values.length <= expressionLimits.values);
    tally("evaluated");
  } else {
    tally(result.problem.code);
    assert.ok(languageCodes.has(result.problem.code), `${result.problem.code} for ${source.slice(0, 80)}`);
  }
};

describe("expression fuzzing", () => {
  const generators = { tokenSoup, deepNesting, hugeLiteral, randomUnicode, wellFormed };
  for (const [name, generate] of Object.entries(generators)) {
    it(`${name}: compiles or is refused with an EXPR_ code, evaluates within its budget`, () => {
      const rng = random(seed + name.length);
      for (let i = 0; i < iterations; i++) {
        const source = generate(rng);
        try {
          check(source);
        } catch (error) {
          assert.fail(
            `input ${i} of ${name} (seed ${seed}): ${JSON.stringify(source.slice(0, 200))}: ${String(error)}`,
          );
        }
      }
    });
  }

  it("generated inputs reach both the parser's errors and the evaluator", () => {
    assert.ok((outcomes.get("evaluated") ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get("EXPR_SYNTAX") ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get("EXPR_TOO_DEEP") ?? 0) > 0, JSON.stringify([...outcomes]));
  });

  it("the costliest well-formed expressions end with a result or EXPR_BUDGET_EXCEEDED", () => {
    const costly = [
      `Join(",", ${Array.from({ length: 63 }, () => "Lower([many])").join(", ")})`,
      `${"Replace(".repeat(30)}[big]${', "x", "xy")'.repeat(30)}`,
      `Count(${"Split(".repeat(20)}[many]${', ",")'.repeat(20)})`,
    ];
    for (const source of costly) {
      const compiled = compileExpression(source);
      assert.ok(compiled.ok, source);
      const result = evaluateExpression(compiled.expression, hostileAttributes);
      if (result.ok) assert.ok(result.steps <= expressionLimits.steps);
      else assert.ok(languageCodes.has(result.problem.code), result.problem.code);
    }
  });
});
