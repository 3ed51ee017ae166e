import { ExpressionFault, expressionLimits } from "./limits.ts";

/**
 * Tokens of the expression language (docs/expressions.md): strings in double quotes with
 * backslash escapes, whole numbers, attribute references in square brackets, names, and the
 * punctuation `( ) , & = <>`. Anything else stops the lexer where it stands.
 */

export type Token =
  | { readonly kind: "string"; readonly value: string; readonly offset: number }
  | { readonly kind: "number"; readonly value: number; readonly offset: number }
  | { readonly kind: "attribute"; readonly name: string; readonly offset: number }
  | { readonly kind: "name"; readonly name: string; readonly offset: number }
  | { readonly kind: "(" | ")" | "," | "&" | "=" | "<>" | "end"; readonly offset: number };

const escapes: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };

/** The largest whole number a literal may be: counts and positions, not arithmetic. */
const maxNumber = 1_000_000;

const shownChar = (c: string): string => JSON.stringify(c);

const readString = (source: string, start: number): { value: string; end: number } => {
  let value = "";
  let i = start + 1;
  while (i < source.length) {
    const c = source[i] ?? "";
    if (c === '"') return { value, end: i + 1 };
    if (c === "\\") {
      const next = source[i + 1];
      const escaped = next === undefined ? undefined : escapes[next];
      if (next === undefined || escaped === undefined || !Object.hasOwn(escapes, next))
        throw new ExpressionFault(
          "EXPR_SYNTAX",
          i,
          `unknown escape ${next === undefined ? "at the end" : `\\${next}`} in a string (use \\" \\\\ \\n \\t or \\r)`,
        );
      value += escaped;
      i += 2;
    } else {
      value += c;
      i += 1;
    }
    if (value.length > expressionLimits.valueLength)
      throw new ExpressionFault(
        "EXPR_VALUE_TOO_LONG",
        start,
        `a string literal longer than ${expressionLimits.valueLength} characters`,
      );
  }
  throw new ExpressionFault("EXPR_SYNTAX", start, 'a string that never ends (a closing " is missing)');
};

const readAttribute = (source: string, start: number): { name: string; end: number } => {
  const close = source.indexOf("]", start + 1);
  const newline = source.indexOf("\n", start + 1);
  if (close === -1 || (newline !== -1 && newline < close))
    throw new ExpressionFault(
      "EXPR_SYNTAX",
      start,
      "an attribute reference that never ends (a ] is missing)",
    );
  const name = source.slice(start + 1, close).trim();
  if (name === "") throw new ExpressionFault("EXPR_SYNTAX", start, "an empty attribute reference []");
  if (name.length > 256)
    throw new ExpressionFault("EXPR_SYNTAX", start, "an attribute name longer than 256 characters");
  if (/[[\p{Cc}]/u.test(name))
    throw new ExpressionFault("EXPR_SYNTAX", start, "an attribute name with [ or a control character");
  return { name, end: close + 1 };
};

export const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? "";
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i += 1;
    } else if (c === "(" || c === ")" || c === "," || c === "&" || c === "=") {
      tokens.push({ kind: c, offset: i });
      i += 1;
    } else if (c === "<" && source[i + 1] === ">") {
      tokens.push({ kind: "<>", offset: i });
      i += 2;
    } else if (c === '"') {
      const { value, end } = readString(source, i);
      tokens.push({ kind: "string", value, offset: i });
      i = end;
    } else if (c === "[") {
      const { name, end } = readAttribute(source, i);
      tokens.push({ kind: "attribute", name, offset: i });
      i = end;
    } else if (c >= "0" && c <= "9") {
      let end = i;
      while (end < source.length && (source[end] ?? "") >= "0" && (source[end] ?? "") <= "9") end += 1;
      const digits = source.slice(i, end);
      if (digits.length > 7 || Number(digits) > maxNumber)
        throw new ExpressionFault("EXPR_SYNTAX", i, `a number larger than ${maxNumber}`);
      tokens.push({ kind: "number", value: Number(digits), offset: i });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i;
      while (end < source.length && /[A-Za-z0-9_]/.test(source[end] ?? "")) end += 1;
      tokens.push({ kind: "name", name: source.slice(i, end), offset: i });
      i = end;
    } else {
      const char = String.fromCodePoint(source.codePointAt(i) ?? 0);
      const hint =
        c === "#"
          ? " (a PingFederate OGNL expression? Rewrite it in Portico's language: docs/expressions.md)"
          : c === "'"
            ? ' (strings take double quotes: "text")'
            : "";
      throw new ExpressionFault("EXPR_SYNTAX", i, `unexpected character ${shownChar(char)}${hint}`);
    }
  }
  tokens.push({ kind: "end", offset: source.length });
  return tokens;
};
