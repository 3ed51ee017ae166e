import { AppError, type ErrorCode, errorCatalogue } from "../lib/errors.ts";
import { codePointLabel, findInvalidXmlChar, isXmlChar, lineOf, NCNAME, QNAME, snippet } from "./chars.ts";

/**
 * A single linear pass that decides whether a document is well-formed XML 1.0 with namespaces,
 * in the subset Portico accepts (no DTD, no processing instructions), before xmldom sees it.
 *
 * Why not trust xmldom's own checks: @xmldom/xmldom 0.8 recovers silently from much that is not
 * XML — it drops text before the root, keeps text after it, accepts `&` and `<` where they may not
 * be, accepts undeclared prefixes and `&#1;`. Every such leniency is room for a parser
 * differential between us and the peer that reads the same bytes. This pass rejects them all, and
 * enforces the depth and element caps while it walks, so xmldom only ever builds small, sane trees.
 */

export type WellFormedLimits = {
  readonly maxDepth: number;
  readonly maxElements: number;
};

export type WellFormedResult = {
  /** Number of elements in the document, compared later with what xmldom built. */
  readonly elementCount: number;
  /** Offset just after the XML declaration, 0 when there is none. */
  readonly prologEnd: number;
};

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

const S = "[ \\t\\n\\r]";

const START_TAG_NAME = new RegExp(`<(${QNAME})`, "uy");
const ATTRIBUTE = new RegExp(`${S}+(${QNAME})${S}*=${S}*(?:"([^<"]*)"|'([^<']*)')`, "uy");
const START_TAG_END = new RegExp(`${S}*(/?)>`, "y");
const END_TAG = new RegExp(`</(${QNAME})${S}*>`, "uy");
const NAME_AFTER_AMP = new RegExp(`&(${NCNAME})`, "uy");
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,8})|#x([0-9a-fA-F]{1,8}));/y;
const WHITESPACE_ONLY = /^[ \t\n\r]*$/;
// XML 1.0 §2.8 [23] XMLDecl, restricted to version 1.0 (XML 1.1 has other character rules).
const XML_DECLARATION = new RegExp(
  `<\\?xml${S}+version${S}*=${S}*(["'])([^"']*)\\1` +
    `(?:${S}+encoding${S}*=${S}*(["'])([^"']*)\\3)?` +
    `(?:${S}+standalone${S}*=${S}*(["'])(yes|no)\\5)?${S}*\\?>`,
  "y",
);
const UTF8_NAME = /^utf-?8$/i;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

type Scope = { readonly parent: Scope | undefined; readonly prefixes: ReadonlyMap<string, string> };
type Open = { readonly name: string; readonly scope: Scope };

const ROOT_SCOPE: Scope = { parent: undefined, prefixes: new Map([["xml", XML_NS]]) };

const lookup = (scope: Scope, prefix: string): string | undefined => {
  // The depth cap bounds this walk; copying maps per element instead would be quadratic
  // (GHSA-965w-775f-mr7g was exactly that in xmldom).
  for (let at: Scope | undefined = scope; at !== undefined; at = at.parent) {
    const uri = at.prefixes.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
};

/** Throws the first reason `text` is not well-formed; returns counts when it is. */
export const checkWellFormed = (text: string, limits: WellFormedLimits): WellFormedResult => {
  const fail = (code: ErrorCode, reason: string, at: number): never => {
    throw new AppError(code, {
      message: `${messageHead(code)}: ${reason} (line ${lineOf(text, at)}).`,
    });
  };
  const malformed = (reason: string, at: number): never => fail("XML_MALFORMED", reason, at);

  const bad = findInvalidXmlChar(text);
  if (bad !== -1) malformed(`character ${codePointLabel(text, bad)} is not allowed in XML 1.0`, bad);

  /** Checks `&…;` references in character data or an attribute value; returns the decoded value. */
  const decodeReferences = (segment: string, offset: number): string => {
    if (!segment.includes("&")) return segment;
    let out = "";
    let from = 0;
    for (let amp = segment.indexOf("&"); amp !== -1; amp = segment.indexOf("&", from)) {
      out += segment.slice(from, amp);
      REFERENCE.lastIndex = amp;
      const ref = REFERENCE.exec(segment);
      if (ref === null) {
        NAME_AFTER_AMP.lastIndex = amp;
        const named = NAME_AFTER_AMP.exec(segment);
        if (named?.[1] !== undefined && segment[amp + named[0].length] === ";") {
          malformed(`entity &${snippet(named[1])}; is not defined (DTDs are refused)`, offset + amp);
        }
        malformed("'&' must start a reference such as &amp;", offset + amp);
      }
      const [whole, name, decimal, hex] = ref as RegExpExecArray;
      if (name !== undefined) {
        out += PREDEFINED[name] ?? "";
      } else {
        const codePoint =
          decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? "", 16);
        if (!isXmlChar(codePoint)) {
          malformed(`character reference ${snippet(whole)} names a character XML 1.0 forbids`, offset + amp);
        }
        out += String.fromCodePoint(codePoint);
      }
      from = amp + whole.length;
    }
    return out + segment.slice(from);
  };

  let pos = 0;
  if (text.startsWith("<?xml") && /[ \t\n\r?]/.test(text.charAt(5))) {
    XML_DECLARATION.lastIndex = 0;
    const decl = XML_DECLARATION.exec(text);
    if (decl === null) malformed("the XML declaration is malformed", 0);
    const [whole, , version, , encoding] = decl as RegExpExecArray;
    if (version !== "1.0")
      malformed(`only XML version 1.0 is accepted, not ${snippet(version ?? "", 16)}`, 0);
    if (encoding !== undefined && !UTF8_NAME.test(encoding)) {
      malformed(`the document must be UTF-8, but it declares encoding ${snippet(encoding, 32)}`, 0);
    }
    pos = whole.length;
  }
  const prologEnd = pos;

  const stack: Open[] = [];
  let rootSeen = false;
  let elementCount = 0;

  while (pos < text.length) {
    const lt = text.indexOf("<", pos);
    const textEnd = lt === -1 ? text.length : lt;
    if (textEnd > pos) {
      const segment = text.slice(pos, textEnd);
      if (stack.length === 0) {
        if (!WHITESPACE_ONLY.test(segment)) {
          if (rootSeen) fail("XML_MULTIPLE_ROOTS", "there is text after the root element", pos);
          malformed("there is text before the root element", pos);
        }
      } else {
        const cdataEnd = segment.indexOf("]]>");
        if (cdataEnd !== -1) malformed("']]>' may not appear in text", pos + cdataEnd);
        decodeReferences(segment, pos);
      }
    }
    if (lt === -1) break;

    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end === -1) malformed("a comment is not closed", lt);
      // XML 1.0 §2.5: "--" may not occur inside a comment.
      if (text.indexOf("--", lt + 4) !== end) malformed("'--' may not appear inside a comment", lt);
      pos = end + 3;
    } else if (text.startsWith("<![CDATA[", lt)) {
      if (stack.length === 0) malformed("a CDATA section is outside the root element", lt);
      const end = text.indexOf("]]>", lt + 9);
      if (end === -1) malformed("a CDATA section is not closed", lt);
      pos = end + 3;
    } else if (text.startsWith("<?", lt)) {
      if (/^<\?xml[ \t\n\r?]/i.test(text.slice(lt, lt + 6))) {
        malformed("the XML declaration may only appear at the very start", lt);
      }
      malformed("processing instructions are not accepted", lt);
    } else if (text.startsWith("<!", lt)) {
      if (/^<!\s*(?:DOCTYPE|ENTITY)/i.test(text.slice(lt, lt + 20))) {
        fail("XML_DOCTYPE_FORBIDDEN", "a DOCTYPE or entity declaration is present", lt);
      }
      malformed("'<!' must start a comment or a CDATA section", lt);
    } else if (text.startsWith("</", lt)) {
      END_TAG.lastIndex = lt;
      const end = END_TAG.exec(text);
      if (end === null) malformed("an end tag is malformed", lt);
      const [whole, name = ""] = end as RegExpExecArray;
      const open = stack.pop();
      if (open === undefined) malformed(`end tag </${snippet(name)}> has no start tag`, lt);
      if (open?.name !== name) {
        malformed(`end tag </${snippet(name)}> does not match <${snippet(open?.name ?? "")}>`, lt);
      }
      pos = lt + whole.length;
    } else {
      START_TAG_NAME.lastIndex = lt;
      const start = START_TAG_NAME.exec(text);
      if (start === null) malformed("'<' must start a tag; write &lt; for a literal '<'", lt);
      const [startWhole, name = ""] = start as RegExpExecArray;
      if (stack.length === 0 && rootSeen) {
        fail("XML_MULTIPLE_ROOTS", `element <${snippet(name)}> follows the root element`, lt);
      }
      elementCount++;
      if (elementCount > limits.maxElements) {
        fail("XML_TOO_LARGE", `it has more than ${limits.maxElements} elements`, lt);
      }
      if (stack.length + 1 > limits.maxDepth) {
        fail("XML_TOO_DEEP", `elements are nested more than ${limits.maxDepth} deep`, lt);
      }

      let cursor = lt + startWhole.length;
      const attributes = new Map<string, string>();
      for (;;) {
        ATTRIBUTE.lastIndex = cursor;
        const attribute = ATTRIBUTE.exec(text);
        if (attribute === null) break;
        const [whole, attrName = "", doubleQuoted, singleQuoted] = attribute;
        if (attributes.has(attrName)) malformed(`attribute ${snippet(attrName)} appears twice`, cursor);
        const raw = doubleQuoted ?? singleQuoted ?? "";
        attributes.set(attrName, decodeReferences(raw, cursor + whole.length - raw.length - 1));
        cursor += whole.length;
      }
      START_TAG_END.lastIndex = cursor;
      const tagEnd = START_TAG_END.exec(text);
      if (tagEnd === null) malformed(`the start tag <${snippet(name)}> is malformed`, cursor);
      const [endWhole, selfClosing] = tagEnd as RegExpExecArray;

      const scope = declareNamespaces(attributes, stack.at(-1)?.scope ?? ROOT_SCOPE, (reason) =>
        malformed(reason, lt),
      );
      resolveNames(name, attributes, scope, (reason) => malformed(reason, lt));

      rootSeen = true;
      if (selfClosing !== "/") stack.push({ name, scope });
      pos = cursor + endWhole.length;
    }
  }

  const unclosed = stack.at(-1);
  if (unclosed !== undefined) malformed(`element <${snippet(unclosed.name)}> is not closed`, text.length);
  if (!rootSeen) malformed("there is no root element", text.length);
  return { elementCount, prologEnd };
};

const messageHead = (code: ErrorCode): string => errorCatalogue[code].message.replace(/\.$/, "");

/** Namespaces in XML 1.0 §3 and its "Namespace constraints". */
const declareNamespaces = (
  attributes: ReadonlyMap<string, string>,
  parent: Scope,
  malformed: (reason: string) => never,
): Scope => {
  let own: Map<string, string> | undefined;
  for (const [name, value] of attributes) {
    let prefix: string;
    if (name === "xmlns") prefix = "";
    else if (name.startsWith("xmlns:")) prefix = name.slice(6);
    else continue;
    if (prefix === "xmlns") malformed("the prefix xmlns may not be declared");
    if (prefix === "xml" ? value !== XML_NS : value === XML_NS || value === XMLNS_NS) {
      malformed(`the prefix ${snippet(prefix || "(default)")} is bound to a reserved namespace`);
    }
    if (prefix !== "" && value === "")
      malformed(`the prefix ${snippet(prefix)} is bound to an empty namespace`);
    own ??= new Map();
    own.set(prefix, value);
  }
  return own === undefined ? parent : { parent, prefixes: own };
};

const resolveNames = (
  elementName: string,
  attributes: ReadonlyMap<string, string>,
  scope: Scope,
  malformed: (reason: string) => never,
): void => {
  const resolve = (qname: string): string => {
    const colon = qname.indexOf(":");
    if (colon === -1) return qname;
    const prefix = qname.slice(0, colon);
    const uri = lookup(scope, prefix);
    if (uri === undefined) malformed(`the namespace prefix ${snippet(prefix)} is not declared`);
    return `{${uri}}${qname.slice(colon + 1)}`;
  };
  resolve(elementName);
  const expanded = new Set<string>();
  for (const name of attributes.keys()) {
    if (name === "xmlns" || name.startsWith("xmlns:")) continue;
    const key = resolve(name);
    if (expanded.has(key)) malformed(`attribute ${snippet(name)} appears twice under another prefix`);
    expanded.add(key);
  }
};
