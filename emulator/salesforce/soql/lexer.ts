import { SfError } from "../errors.ts";

/** SOQL tokens, with the offset each starts at so errors can point at it as Salesforce does. */

export type Token =
  | { kind: "word"; text: string; at: number }
  | { kind: "string"; value: string; like: string; at: number }
  | { kind: "number"; value: number; text: string; at: number }
  | { kind: "datetime"; text: string; at: number }
  | { kind: "date"; text: string; at: number }
  | { kind: "op"; text: string; at: number }
  | { kind: "punct"; text: "," | "(" | ")"; at: number }
  | { kind: "eof"; at: number };

/** The "\n<line>\n   ^\nERROR at Row:r:Column:c\n<detail>" message Salesforce gives for bad SOQL. */
export function soqlMessage(query: string, at: number, detail: string): string {
  const before = query.slice(0, at);
  const row = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const column = at - lineStart + 1;
  const line = query.slice(lineStart).split("\n")[0] ?? "";
  return `\n${line}\n${" ".repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
}

export function malformed(query: string, at: number, detail: string): SfError {
  return new SfError(400, "MALFORMED_QUERY", soqlMessage(query, at, detail));
}

const escapes: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  '"': '"',
  "'": "'",
  "\\": "\\",
};

function regexEscape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function readString(query: string, start: number): { token: Token; end: number } {
  let value = "";
  let like = "";
  let i = start + 1;
  while (i < query.length) {
    const c = query.charAt(i);
    if (c === "'") {
      return { token: { kind: "string", value, like, at: start }, end: i + 1 };
    }
    if (c === "\\") {
      const next = query.charAt(i + 1);
      if (next === "%" || next === "_") {
        // \% and \_ match the character itself in LIKE.
        value += `\\${next}`;
        like += regexEscape(next);
      } else if (next in escapes) {
        const e = escapes[next] ?? next;
        value += e;
        like += regexEscape(e);
      } else {
        throw malformed(
          query,
          i,
          `Invalid string literal '${query.slice(start, i + 2)}'. Illegal character sequence '\\${next}' in string literal.`,
        );
      }
      i += 2;
      continue;
    }
    value += c;
    like += c === "%" ? ".*" : c === "_" ? "." : regexEscape(c);
    i++;
  }
  throw malformed(query, start, `line 1:${start} mismatched character '<EOF>' expecting '''`);
}

const datetimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const datePattern = /^\d{4}-\d{2}-\d{2}(?![\d:T])/;
const numberPattern = /^-?\d+(?:\.\d+)?/;
const wordPattern = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = query.slice(i);
    if (c === "'") {
      const { token, end } = readString(query, i);
      tokens.push(token);
      i = end;
      continue;
    }
    if (c === "," || c === "(" || c === ")") {
      tokens.push({ kind: "punct", text: c, at: i });
      i++;
      continue;
    }
    const op = /^(?:!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op !== null) {
      tokens.push({ kind: "op", text: op[0] === "<>" ? "!=" : op[0], at: i });
      i += op[0].length;
      continue;
    }
    const datetime = datetimePattern.exec(rest);
    if (datetime !== null) {
      tokens.push({ kind: "datetime", text: datetime[0], at: i });
      i += datetime[0].length;
      continue;
    }
    const date = datePattern.exec(rest);
    if (date !== null) {
      tokens.push({ kind: "date", text: date[0], at: i });
      i += date[0].length;
      continue;
    }
    const num = numberPattern.exec(rest);
    if (num !== null) {
      tokens.push({ kind: "number", value: Number(num[0]), text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const word = wordPattern.exec(rest);
    if (word !== null) {
      tokens.push({ kind: "word", text: word[0], at: i });
      i += word[0].length;
      continue;
    }
    throw malformed(query, i, `line 1:${i} no viable alternative at character '${c}'`);
  }
  tokens.push({ kind: "eof", at: query.length });
  return tokens;
}
