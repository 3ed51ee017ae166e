import { ExpressionFault } from "./limits.ts";

/**
 * FormatDate(value, inputFormat, outputFormat). Formats are patterns of `yyyy MM dd HH mm ss fff`
 * (every other character stands for itself), or one of the names directories use:
 * `generalized` (LDAP GeneralizedTime, `20260131094500Z`, `20260131094500.0+0100`), `iso`
 * (ISO 8601), `filetime` (Active Directory's 100-nanosecond count since 1601, as in
 * `accountExpires`; 0 and 9223372036854775807 mean never, and give no value) and `unix`
 * (seconds since 1970). Times are read as UTC unless they carry an offset, and written in UTC.
 * Patterns are matched character by character: there is no regular expression to backtrack.
 */

const tokens = ["yyyy", "fff", "MM", "dd", "HH", "mm", "ss"] as const;
type DateToken = (typeof tokens)[number];
type Part = { readonly token: DateToken } | { readonly literal: string };

const parsePattern = (pattern: string): Part[] => {
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const token = tokens.find((t) => pattern.startsWith(t, i));
    if (token) {
      parts.push({ token });
      i += token.length;
    } else {
      const c = String.fromCodePoint(pattern.codePointAt(i) ?? 0);
      parts.push({ literal: c });
      i += c.length;
    }
  }
  return parts;
};

const invalid = (offset: number, reason: string): never => {
  throw new ExpressionFault("EXPR_ARGUMENT_INVALID", offset, reason);
};

const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** Milliseconds since 1970 from calendar fields, or an error when a field is out of range. */
const utc = (
  fields: { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number },
  value: string,
  offset: number,
): number => {
  // Date.UTC reads years 0–99 as 1900–1999: set the year on its own.
  const back = new Date(Date.UTC(2000, fields.mo - 1, fields.d, fields.h, fields.mi, fields.s, fields.ms));
  back.setUTCFullYear(fields.y);
  const time = back.getTime();
  if (
    Number.isNaN(time) ||
    fields.y < 1 ||
    back.getUTCFullYear() !== fields.y ||
    back.getUTCMonth() !== fields.mo - 1 ||
    back.getUTCDate() !== fields.d ||
    back.getUTCHours() !== fields.h ||
    back.getUTCMinutes() !== fields.mi ||
    back.getUTCSeconds() !== fields.s
  )
    invalid(offset, `FormatDate: ${shown(value)} is not a real date and time`);
  return time;
};

const generalized = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})$/;
const iso =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const never = new Set(["0", "9223372036854775807"]);

const zoneMinutes = (zone: string | undefined, value: string, offset: number): number => {
  if (zone === undefined || zone === "Z") return 0;
  const digits = zone.replace(":", "");
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 14 || minutes > 59) invalid(offset, `FormatDate: ${shown(value)} has no real time zone offset`);
  return (digits.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
};

const fromMatch = (m: RegExpExecArray, value: string, offset: number): number => {
  const ms = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3));
  const fields = {
    y: Number(m[1]),
    mo: Number(m[2]),
    d: Number(m[3]),
    h: Number(m[4] ?? 0),
    mi: Number(m[5] ?? 0),
    s: Number(m[6] ?? 0),
    ms,
  };
  return utc(fields, value, offset) - zoneMinutes(m[8], value, offset) * 60_000;
};

/** The instant `value` names, in milliseconds since 1970; undefined for AD's "never". */
const read = (value: string, format: string, offset: number): number | undefined => {
  const text = value.trim();
  switch (format.toLowerCase()) {
    case "generalized": {
      const m = generalized.exec(text);
      return m
        ? fromMatch(m, value, offset)
        : invalid(offset, `FormatDate: ${shown(value)} is not a GeneralizedTime`);
    }
    case "iso": {
      const m = iso.exec(text);
      return m
        ? fromMatch(m, value, offset)
        : invalid(offset, `FormatDate: ${shown(value)} is not an ISO 8601 date`);
    }
    case "filetime": {
      if (!/^\d{1,19}$/.test(text)) return invalid(offset, `FormatDate: ${shown(value)} is not a FILETIME`);
      if (never.has(text)) return undefined;
      return Number(BigInt(text) / 10_000n - 11_644_473_600_000n);
    }
    case "unix":
      if (!/^-?\d{1,12}$/.test(text))
        return invalid(offset, `FormatDate: ${shown(value)} is not a Unix time`);
      return Number(text) * 1000;
  }
  const fields = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0, ms: 0 };
  const key = { yyyy: "y", MM: "mo", dd: "d", HH: "h", mm: "mi", ss: "s", fff: "ms" } as const;
  let i = 0;
  for (const part of parsePattern(format)) {
    if ("literal" in part) {
      if (!text.startsWith(part.literal, i))
        invalid(offset, `FormatDate: ${shown(value)} does not match the format ${shown(format)}`);
      i += part.literal.length;
      continue;
    }
    const digits = text.slice(i, i + part.token.length);
    if (!/^\d+$/.test(digits) || digits.length !== part.token.length)
      invalid(offset, `FormatDate: ${shown(value)} does not match the format ${shown(format)}`);
    fields[key[part.token]] = Number(digits);
    i += part.token.length;
  }
  if (i !== text.length)
    invalid(offset, `FormatDate: ${shown(value)} does not match the format ${shown(format)}`);
  return utc(fields, value, offset);
};

const pad = (n: number, width: number) => String(n).padStart(width, "0");

const write = (time: number, format: string, offset: number): string => {
  const date = new Date(time);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() > 9999 || date.getUTCFullYear() < 1)
    invalid(offset, "FormatDate: the date is outside the years 1 to 9999");
  switch (format.toLowerCase()) {
    case "iso":
      return date.toISOString();
    case "generalized":
      return `${write(time, "yyyyMMddHHmmss", offset)}Z`;
    case "unix":
      return String(Math.floor(time / 1000));
    case "filetime":
      return String((BigInt(time) + 11_644_473_600_000n) * 10_000n);
  }
  const values: Record<DateToken, string> = {
    yyyy: pad(date.getUTCFullYear(), 4),
    MM: pad(date.getUTCMonth() + 1, 2),
    dd: pad(date.getUTCDate(), 2),
    HH: pad(date.getUTCHours(), 2),
    mm: pad(date.getUTCMinutes(), 2),
    ss: pad(date.getUTCSeconds(), 2),
    fff: pad(date.getUTCMilliseconds(), 3),
  };
  return parsePattern(format)
    .map((part) => ("literal" in part ? part.literal : values[part.token]))
    .join("");
};

/** One value reformatted; undefined when the value means "never". */
export const formatDate = (
  value: string,
  inputFormat: string,
  outputFormat: string,
  offset: number,
): string | undefined => {
  if (inputFormat === "" || outputFormat === "")
    invalid(offset, "FormatDate needs an input and an output format");
  const time = read(value, inputFormat, offset);
  return time === undefined ? undefined : write(time, outputFormat, offset);
};
