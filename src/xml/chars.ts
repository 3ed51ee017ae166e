/**
 * Character rules shared by the parser and the builder.
 */

// XML 1.0 (Fifth Edition) §2.2, production [2] Char. With the `u` flag a lone surrogate is one
// code point outside every range, so it is caught too.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

// XML 1.0 (Fifth Edition) §2.3 [4] NameStartChar and [4a] NameChar, without ":" (Namespaces in
// XML 1.0 §3, NCName). Regular-expression sources, to be compiled with the `u` flag.
const NC_START =
  "A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D" +
  "\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NC_CHAR = `${NC_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
export const NCNAME = `[${NC_START}][${NC_CHAR}]*`;
export const QNAME = `${NCNAME}(?::${NCNAME})?`;
const WHOLE_QNAME = new RegExp(`^${QNAME}$`, "u");

/** Whether `name` is a namespace-qualified XML name (`prefix:local` or `local`). */
export const isQName = (name: string): boolean => WHOLE_QNAME.test(name);

/** Index of the first character XML 1.0 cannot carry, or -1. */
export const findInvalidXmlChar = (text: string): number => {
  const match = NOT_XML_CHAR.exec(text);
  return match === null ? -1 : match.index;
};

/** Whether `codePoint` may appear in an XML 1.0 document (e.g. as the target of `&#…;`). */
export const isXmlChar = (codePoint: number): boolean =>
  codePoint === 0x9 ||
  codePoint === 0xa ||
  codePoint === 0xd ||
  (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
  (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
  (codePoint >= 0x10000 && codePoint <= 0x10ffff);

/** `U+0001`-style name of the code point at `index`, for messages that must not echo the value. */
export const codePointLabel = (text: string, index: number): string =>
  `U+${(text.codePointAt(index) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

const SNIPPET_MAX = 64;

/**
 * A short, printable rendering of a piece of input (a tag name, an entity name) that is safe to put
 * in an error message shown to a user or written to a log: control characters are replaced and the
 * length is capped, so a hostile document cannot flood or forge log lines.
 */
export const snippet = (text: string, max = SNIPPET_MAX): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?");
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
};

/** 1-based line number of `index` in `text`, for messages. */
export const lineOf = (text: string, index: number): number => {
  let line = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < index; at = text.indexOf("\n", at + 1)) line++;
  return line;
};
