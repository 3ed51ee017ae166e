import { checkCall } from "./functions.ts";
import { type Token, tokenize } from "./lexer.ts";
import { ExpressionFault, expressionLimits } from "./limits.ts";

/**
 * Recursive descent over the tokens, with the depth and the node count checked before each step
 * down, so a hostile input stops with an error long before the call stack is at risk.
 *
 *   expression := concat (("=" | "<>") concat)?
 *   concat     := primary ("&" primary)*
 *   primary    := string | number | true | false | [attribute] | name "(" arguments? ")" | "(" expression ")"
 *   arguments  := expression ("," expression)*
 */

export type Node =
  | { readonly kind: "literal"; readonly value: string | number | boolean; readonly offset: number }
  | { readonly kind: "attribute"; readonly name: string; readonly offset: number }
  | {
      readonly kind: "call";
      /** The function's canonical name (`Left`), whatever case the source used. */
      readonly name: string;
      readonly args: readonly Node[];
      readonly offset: number;
    }
  | { readonly kind: "concat"; readonly parts: readonly Node[]; readonly offset: number }
  | {
      readonly kind: "compare";
      readonly operator: "=" | "<>";
      readonly left: Node;
      readonly right: Node;
      readonly offset: number;
    };

const describe = (token: Token): string => {
  switch (token.kind) {
    case "end":
      return "the end of the expression";
    case "string":
      return "a string";
    case "number":
      return `the number ${token.value}`;
    case "attribute":
      return `the attribute [${token.name}]`;
    case "name":
      return `the name ${token.name}`;
    default:
      return `"${token.kind}"`;
  }
};

export const parse = (source: string): Node => {
  if (source.length > expressionLimits.sourceLength)
    throw new ExpressionFault(
      "EXPR_TOO_LONG",
      expressionLimits.sourceLength,
      `the expression is ${source.length} characters long; at most ${expressionLimits.sourceLength} are allowed`,
    );
  const tokens = tokenize(source);
  let position = 0;
  let nodes = 0;
  const peek = (): Token => tokens[position] ?? { kind: "end", offset: source.length };
  const next = (): Token => {
    const token = peek();
    position += 1;
    return token;
  };
  const count = (offset: number) => {
    nodes += 1;
    if (nodes > expressionLimits.nodes)
      throw new ExpressionFault(
        "EXPR_TOO_COMPLEX",
        offset,
        `more than ${expressionLimits.nodes} literals, attributes, calls and operators`,
      );
  };
  const expect = (kind: Token["kind"], what: string): Token => {
    const token = next();
    if (token.kind !== kind)
      throw new ExpressionFault("EXPR_SYNTAX", token.offset, `expected ${what}, found ${describe(token)}`);
    return token;
  };

  const expression = (depth: number): Node => {
    const left = concat(depth);
    const token = peek();
    if (token.kind !== "=" && token.kind !== "<>") return left;
    next();
    count(token.offset);
    const right = concat(depth);
    const after = peek();
    if (after.kind === "=" || after.kind === "<>")
      throw new ExpressionFault(
        "EXPR_SYNTAX",
        after.offset,
        "comparisons do not chain; put one side in parentheses",
      );
    return { kind: "compare", operator: token.kind, left, right, offset: token.offset };
  };

  const concat = (depth: number): Node => {
    const first = primary(depth);
    if (peek().kind !== "&") return first;
    const parts = [first];
    const offset = peek().offset;
    count(offset);
    while (peek().kind === "&") {
      next();
      parts.push(primary(depth));
    }
    return { kind: "concat", parts, offset };
  };

  const primary = (depth: number): Node => {
    const token = next();
    if (depth > expressionLimits.depth)
      throw new ExpressionFault(
        "EXPR_TOO_DEEP",
        token.offset,
        `nested more than ${expressionLimits.depth} levels deep`,
      );
    count(token.offset);
    switch (token.kind) {
      case "string":
      case "number":
        return { kind: "literal", value: token.value, offset: token.offset };
      case "attribute":
        return { kind: "attribute", name: token.name, offset: token.offset };
      case "(": {
        nodes -= 1; // parentheses group; they make no node
        const inner = expression(depth + 1);
        expect(")", '")"');
        return inner;
      }
      case "name": {
        const lower = token.name.toLowerCase();
        if (peek().kind !== "(") {
          if (lower === "true" || lower === "false")
            return { kind: "literal", value: lower === "true", offset: token.offset };
          throw new ExpressionFault(
            "EXPR_SYNTAX",
            token.offset,
            `${token.name} is neither a function call nor a value: call a function as ${token.name}(…), refer to an attribute as [${token.name}], or quote text as "${token.name}"`,
          );
        }
        next();
        const args: Node[] = [];
        if (peek().kind !== ")") {
          args.push(expression(depth + 1));
          while (peek().kind === ",") {
            next();
            args.push(expression(depth + 1));
          }
        }
        const close = peek();
        if (close.kind !== ")")
          throw new ExpressionFault(
            "EXPR_SYNTAX",
            close.offset,
            `expected "," or ")" in the arguments of ${token.name}(…), found ${describe(close)}`,
          );
        next();
        const name = checkCall(token.name, args.length, token.offset);
        return { kind: "call", name, args, offset: token.offset };
      }
      default:
        throw new ExpressionFault(
          "EXPR_SYNTAX",
          token.offset,
          token.kind === "end" && token.offset === 0
            ? "the expression is empty"
            : `expected a value (a string, a number, an [attribute] or a function call), found ${describe(token)}`,
        );
    }
  };

  const root = expression(1);
  const rest = peek();
  if (rest.kind !== "end")
    throw new ExpressionFault(
      "EXPR_SYNTAX",
      rest.offset,
      `expected the end of the expression, found ${describe(rest)}${rest.kind === "," ? " (a comma outside a function call)" : ""}`,
    );
  return root;
};

/** The attributes an expression reads, in order of first use, as written. */
export const attributesOf = (node: Node): string[] => {
  const seen = new Map<string, string>();
  const visit = (n: Node) => {
    if (n.kind === "attribute") {
      if (!seen.has(n.name.toLowerCase())) seen.set(n.name.toLowerCase(), n.name);
    } else if (n.kind === "call") n.args.forEach(visit);
    else if (n.kind === "concat") n.parts.forEach(visit);
    else if (n.kind === "compare") {
      visit(n.left);
      visit(n.right);
    }
  };
  visit(node);
  return [...seen.values()];
};
