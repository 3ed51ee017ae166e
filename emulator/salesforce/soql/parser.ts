import { SfError } from "../errors.ts";
import { malformed, type Token, tokenize } from "./lexer.ts";

/**
 * The SOQL a provisioning client needs (salesforce-api.md §2.6): a field list (with parent
 * fields) or COUNT(), FROM, WHERE with comparisons, IN, LIKE, AND/OR/NOT and parentheses,
 * ORDER BY, LIMIT and OFFSET. As in SOQL, AND and OR cannot be mixed without parentheses.
 */

export type FieldPath = { path: string[]; text: string; at: number };

export type Literal =
  | { kind: "string"; value: string; like: string; at: number }
  | { kind: "number"; value: number; at: number }
  | { kind: "boolean"; value: boolean; at: number }
  | { kind: "null"; at: number }
  | { kind: "date"; value: string; at: number }
  | { kind: "datetime"; value: string; at: number };

export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Condition =
  | { kind: "and" | "or"; items: Condition[] }
  | { kind: "not"; item: Condition }
  | { kind: "compare"; field: FieldPath; op: CompareOp; value: Literal }
  | { kind: "in"; field: FieldPath; negated: boolean; values: Literal[] }
  | { kind: "like"; field: FieldPath; value: Literal };

export type OrderItem = { field: FieldPath; descending: boolean; nullsLast: boolean };

export type Query = {
  select: FieldPath[] | "count";
  from: { name: string; at: number };
  where: Condition | undefined;
  orderBy: OrderItem[];
  limit: number | undefined;
  offset: number | undefined;
};

class Parser {
  #i = 0;

  constructor(
    readonly query: string,
    readonly tokens: Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.#i] ?? { kind: "eof", at: this.query.length };
  }

  next(): Token {
    const t = this.peek();
    this.#i++;
    return t;
  }

  isWord(word: string, t = this.peek()): boolean {
    return t.kind === "word" && t.text.toUpperCase() === word;
  }

  unexpected(t = this.peek()): SfError {
    const shown = t.kind === "eof" ? "<EOF>" : this.query.slice(t.at, this.tokenEnd(t));
    return malformed(this.query, t.at, `unexpected token: '${shown}'`);
  }

  tokenEnd(t: Token): number {
    const after = this.tokens[this.tokens.indexOf(t) + 1];
    return after === undefined ? this.query.length : this.query.slice(0, after.at).trimEnd().length;
  }

  expectWord(word: string): Token {
    const t = this.next();
    if (!this.isWord(word, t)) throw this.unexpected(t);
    return t;
  }

  expectPunct(p: "," | "(" | ")"): void {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== p) throw this.unexpected(t);
  }

  field(): FieldPath {
    const t = this.next();
    if (t.kind !== "word" || reserved.has(t.text.toUpperCase())) throw this.unexpected(t);
    return { path: t.text.split("."), text: t.text, at: t.at };
  }

  parse(): Query {
    this.expectWord("SELECT");
    const select = this.selectList();
    this.expectWord("FROM");
    const fromToken = this.next();
    // Group is an sObject as well as a keyword: `SELECT Id FROM Group WHERE Type = 'Regular'`
    // is how public groups are read (object reference, "Group"); only `GROUP BY` is the clause.
    const isGroupObject = fromToken.kind === "word" && /^group$/i.test(fromToken.text) && !this.isWord("BY");
    if (fromToken.kind !== "word" || (reserved.has(fromToken.text.toUpperCase()) && !isGroupObject))
      throw this.unexpected(fromToken);
    const from = { name: fromToken.text, at: fromToken.at };
    let where: Condition | undefined;
    if (this.isWord("WHERE")) {
      this.next();
      where = this.condition();
    }
    const orderBy: OrderItem[] = [];
    if (this.isWord("ORDER")) {
      this.next();
      this.expectWord("BY");
      do {
        if (orderBy.length > 0) this.next();
        orderBy.push(this.orderItem());
      } while (this.peek().kind === "punct" && (this.peek() as { text: string }).text === ",");
    }
    const limit = this.isWord("LIMIT") ? this.count() : undefined;
    const offset = this.isWord("OFFSET") ? this.count() : undefined;
    if (this.peek().kind !== "eof") throw this.unexpected();
    return { select, from, where, orderBy, limit, offset };
  }

  selectList(): FieldPath[] | "count" {
    if (this.isWord("COUNT")) {
      const after = this.tokens[this.#i + 1];
      if (after?.kind === "punct" && after.text === "(") {
        this.next();
        this.expectPunct("(");
        this.expectPunct(")");
        return "count";
      }
    }
    const fields = [this.field()];
    while (this.peek().kind === "punct" && (this.peek() as { text: string }).text === ",") {
      this.next();
      fields.push(this.field());
    }
    return fields;
  }

  orderItem(): OrderItem {
    const field = this.field();
    let descending = false;
    if (this.isWord("ASC")) this.next();
    else if (this.isWord("DESC")) {
      this.next();
      descending = true;
    }
    let nullsLast = descending;
    if (this.isWord("NULLS")) {
      this.next();
      if (this.isWord("FIRST")) nullsLast = false;
      else if (this.isWord("LAST")) nullsLast = true;
      else throw this.unexpected();
      this.next();
    }
    return { field, descending, nullsLast };
  }

  count(): number {
    this.next();
    const t = this.next();
    if (t.kind !== "number" || !Number.isInteger(t.value) || t.value < 0) throw this.unexpected(t);
    return t.value;
  }

  condition(): Condition {
    const first = this.term();
    const connective = this.isWord("AND") ? "and" : this.isWord("OR") ? "or" : undefined;
    if (connective === undefined) return first;
    const items = [first];
    while (this.isWord(connective.toUpperCase())) {
      this.next();
      items.push(this.term());
    }
    // SOQL requires parentheses to mix AND and OR.
    if (this.isWord("AND") || this.isWord("OR")) throw this.unexpected();
    return { kind: connective, items };
  }

  term(): Condition {
    if (this.isWord("NOT")) {
      this.next();
      return { kind: "not", item: this.term() };
    }
    const t = this.peek();
    if (t.kind === "punct" && t.text === "(") {
      this.next();
      const inner = this.condition();
      this.expectPunct(")");
      return inner;
    }
    return this.predicate();
  }

  predicate(): Condition {
    const field = this.field();
    const t = this.next();
    if (t.kind === "op") return { kind: "compare", field, op: t.text as CompareOp, value: this.literal() };
    if (this.isWord("LIKE", t)) return { kind: "like", field, value: this.literal() };
    let negated = false;
    let inToken: Token = t;
    if (this.isWord("NOT", t)) {
      negated = true;
      inToken = this.next();
    }
    if (!this.isWord("IN", inToken)) throw this.unexpected(inToken);
    this.expectPunct("(");
    const values = [this.literal()];
    while (this.peek().kind === "punct" && (this.peek() as { text: string }).text === ",") {
      this.next();
      values.push(this.literal());
    }
    this.expectPunct(")");
    return { kind: "in", field, negated, values };
  }

  literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case "string":
        return { kind: "string", value: t.value, like: t.like, at: t.at };
      case "number":
        return { kind: "number", value: t.value, at: t.at };
      case "date":
        return { kind: "date", value: t.text, at: t.at };
      case "datetime":
        return { kind: "datetime", value: t.text, at: t.at };
      case "word": {
        const w = t.text.toUpperCase();
        if (w === "TRUE" || w === "FALSE") return { kind: "boolean", value: w === "TRUE", at: t.at };
        if (w === "NULL") return { kind: "null", at: t.at };
        throw this.unexpected(t);
      }
      default:
        throw this.unexpected(t);
    }
  }
}

const reserved = new Set([
  "SELECT",
  "FROM",
  "WHERE",
  "AND",
  "OR",
  "NOT",
  "IN",
  "LIKE",
  "NULL",
  "TRUE",
  "FALSE",
  "ORDER",
  "BY",
  "ASC",
  "DESC",
  "NULLS",
  "LIMIT",
  "OFFSET",
  "GROUP",
  "HAVING",
  "INCLUDES",
  "EXCLUDES",
  "WITH",
  "USING",
  "TYPEOF",
]);

export function parseSoql(query: string): Query {
  if (query.trim() === "") {
    throw new SfError(400, "MALFORMED_QUERY", "SOQL statements cannot be empty or null");
  }
  return new Parser(query, tokenize(query)).parse();
}
