import { AppError, type ErrorCode } from "../lib/errors.ts";

/**
 * LDAP search filters (RFC 4515): parsed (to check an administrator's filter, and to evaluate it
 * against the built-in directory's entries), and built. A filter sent to a server is never made
 * by pasting text: values go through `escapeFilterValue`, by way of the `ldapFilter` tag or
 * `fillFilterTemplate`. Matching is case-insensitive (caseIgnoreMatch, as for the directory's
 * attributes).
 */
export type LdapFilter =
  | { readonly op: "and" | "or"; readonly filters: readonly LdapFilter[] }
  | { readonly op: "not"; readonly filter: LdapFilter }
  | { readonly op: "present"; readonly attribute: string }
  | {
      readonly op: "equal" | "approx" | "greater" | "less";
      readonly attribute: string;
      readonly value: string;
    }
  | {
      readonly op: "substring";
      readonly attribute: string;
      readonly initial: string | null;
      readonly any: readonly string[];
      readonly final: string | null;
    };

const maxDepth = 32;

const fail = (text: string, at: number, why: string): never => {
  throw new AppError("PROV_CONFIG_INVALID", {
    message: `filter "${text.slice(0, 200)}": ${why} at character ${at + 1}`,
  });
};

/** `\XX` hex escapes (RFC 4515 §3); a bare `*`, `(`, `)` or `\` in a value is an error. */
const unescapeValue = (text: string, raw: string, at: number): string => {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? "";
    if (c === "\\") {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail(text, at + i, "a backslash must start a two-digit hex escape");
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === "(" || c === ")" || c === "*") {
      fail(text, at + i, `"${c}" must be escaped in a value`);
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
};

/** Parses a filter; a mistake is `code` (the caller's area), with the position it is at. */
export const parseLdapFilter = (text: string, code: ErrorCode = "PROV_CONFIG_INVALID"): LdapFilter => {
  try {
    return parseFilterText(text);
  } catch (error) {
    if (code === "PROV_CONFIG_INVALID" || !(error instanceof AppError)) throw error;
    throw new AppError(code, { message: error.message });
  }
};

const parseFilterText = (text: string): LdapFilter => {
  const source = text.trim();
  // A filter without its outer parentheses, as PingFederate's console accepts ("group=test").
  const wrapped = source.startsWith("(") ? source : `(${source})`;
  let pos = 0;
  const parse = (depth: number): LdapFilter => {
    if (depth > maxDepth) fail(wrapped, pos, "nested too deeply");
    if (wrapped[pos] !== "(") fail(wrapped, pos, 'expected "("');
    pos++;
    const c = wrapped[pos];
    let filter: LdapFilter;
    if (c === "&" || c === "|") {
      pos++;
      const filters: LdapFilter[] = [];
      while (wrapped[pos] === "(") filters.push(parse(depth + 1));
      if (filters.length === 0) fail(wrapped, pos, `"${c}" needs at least one filter`);
      filter = { op: c === "&" ? "and" : "or", filters };
    } else if (c === "!") {
      pos++;
      filter = { op: "not", filter: parse(depth + 1) };
    } else {
      const end = wrapped.indexOf(")", pos);
      if (end < 0) fail(wrapped, pos, 'missing ")"');
      filter = item(wrapped.slice(pos, end), pos);
      pos = end;
    }
    if (wrapped[pos] !== ")") fail(wrapped, pos, 'expected ")"');
    pos++;
    return filter;
  };
  const item = (body: string, at: number): LdapFilter => {
    const match = /^([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*(=|~=|>=|<=)(.*)$/s.exec(body);
    if (!match) return fail(wrapped, at, "expected attribute=value");
    const [, attribute = "", operator, raw = ""] = match;
    const valueAt = at + body.length - raw.length;
    if (operator === "=" && raw === "*") return { op: "present", attribute };
    if (operator === "=" && raw.includes("*")) {
      const parts = raw.split("*");
      return {
        op: "substring",
        attribute,
        initial: parts[0] === "" ? null : unescapeValue(wrapped, parts[0] ?? "", valueAt),
        any: parts
          .slice(1, -1)
          .filter((p) => p !== "")
          .map((p) => unescapeValue(wrapped, p, valueAt)),
        final: parts.at(-1) === "" ? null : unescapeValue(wrapped, parts.at(-1) ?? "", valueAt),
      };
    }
    const value = unescapeValue(wrapped, raw, valueAt);
    const op =
      operator === "~=" ? "approx" : operator === ">=" ? "greater" : operator === "<=" ? "less" : "equal";
    return { op, attribute, value };
  };
  const filter = parse(0);
  if (pos !== wrapped.length) fail(wrapped, pos, "unexpected text after the filter");
  return filter;
};

const fold = (text: string) => text.normalize("NFC").toLowerCase();

const valuesOf = (
  entry: Readonly<Record<string, readonly string[]>>,
  attribute: string,
): readonly string[] => {
  const wanted = attribute.toLowerCase();
  for (const [name, values] of Object.entries(entry)) if (name.toLowerCase() === wanted) return values;
  return [];
};

const substringMatch = (value: string, f: Extract<LdapFilter, { op: "substring" }>): boolean => {
  const v = fold(value);
  let at = 0;
  if (f.initial !== null) {
    if (!v.startsWith(fold(f.initial))) return false;
    at = f.initial.length;
  }
  for (const part of f.any) {
    const found = v.indexOf(fold(part), at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return f.final === null || (v.length - fold(f.final).length >= at && v.endsWith(fold(f.final)));
};

/** Does an entry (attribute name → values, names in any case) match the filter? */
export const matchesLdapFilter = (
  filter: LdapFilter,
  entry: Readonly<Record<string, readonly string[]>>,
): boolean => {
  switch (filter.op) {
    case "and":
      return filter.filters.every((f) => matchesLdapFilter(f, entry));
    case "or":
      return filter.filters.some((f) => matchesLdapFilter(f, entry));
    case "not":
      return !matchesLdapFilter(filter.filter, entry);
    case "present":
      return valuesOf(entry, filter.attribute).length > 0;
    case "substring":
      return valuesOf(entry, filter.attribute).some((v) => substringMatch(v, filter));
    case "equal":
    case "approx":
      return valuesOf(entry, filter.attribute).some((v) => fold(v) === fold(filter.value));
    case "greater":
      return valuesOf(entry, filter.attribute).some((v) => fold(v) >= fold(filter.value));
    case "less":
      return valuesOf(entry, filter.attribute).some((v) => fold(v) <= fold(filter.value));
  }
};

/** Escapes a value for a filter (RFC 4515 §3): never build a filter by pasting raw text. */
export const escapeFilterValue = (value: string): string =>
  [...Buffer.from(value, "utf8")]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return byte < 0x20 || byte > 0x7e || "*()\\".includes(c)
        ? `\\${byte.toString(16).padStart(2, "0")}`
        : c;
    })
    .join("");

/**
 * A filter with values put in safely: `ldapFilter\`(&(objectClass=person)(uid=${uid}))\`` escapes
 * every interpolated value, so `*)(uid=*` matches only that literal text.
 */
export const ldapFilter = (parts: TemplateStringsArray, ...values: readonly string[]): string =>
  parts.reduce(
    (out, part, i) => out + part + (i < values.length ? escapeFilterValue(values[i] ?? "") : ""),
    "",
  );

/**
 * Fills PingFederate's `${name}` placeholders in an administrator's filter (e.g. the credential
 * validator's `(sAMAccountName=${username})`), escaping each value. A placeholder without a value
 * is an error rather than an empty match.
 */
export const fillFilterTemplate = (
  template: string,
  values: Readonly<Record<string, string>>,
  code: ErrorCode = "PROV_CONFIG_INVALID",
): string =>
  template.replace(/\$\{([A-Za-z0-9_.-]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new AppError(code, { message: `filter: no value for \${${name}}` });
    return escapeFilterValue(value);
  });
