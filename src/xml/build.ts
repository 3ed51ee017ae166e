import { DOMImplementation, XMLSerializer } from "@xmldom/xmldom";
import { AppError } from "../lib/errors.ts";
import { codePointLabel, findInvalidXmlChar, isQName, snippet } from "./chars.ts";

/**
 * The one way Portico writes XML. A document is described as plain data with `el(…)`, turned into
 * a DOM by `buildDocument` (element by element, value by value, never by filling a string
 * template) and written by `serialize`, which escapes every value. User data can therefore only
 * ever become text or an attribute value, never markup: the flaw behind samlify's attribute
 * injection (GHSA-34r5-q4jw-r36m) cannot be written here.
 */

/** An attribute value; `undefined` leaves the attribute out, so optional ones read naturally. */
export type XmlAttributeValue = string | number | boolean | undefined;

/** An element described as data. Build it with `el`. */
export type XmlElement = {
  readonly ns: string | null;
  readonly name: string;
  readonly attributes: Readonly<Record<string, XmlAttributeValue>>;
  readonly children: readonly XmlChild[];
};

/**
 * A child: an element, text, an already-built DOM element (imported deeply, e.g. a signed
 * assertion) or a nested list. `null`, `undefined` and `false` are skipped, so
 * `condition && el(…)` works.
 */
export type XmlChild = XmlElement | string | Element | null | undefined | false | readonly XmlChild[];

const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS = "http://www.w3.org/2000/xmlns/";

/**
 * Describes the element `name` (a QName such as `saml:Assertion`) in namespace `ns`.
 * Attribute names may be unprefixed (no namespace), `xmlns`/`xmlns:p` (a declaration, needed only
 * for prefixes used inside values such as `xsi:type="xs:string"`), `xml:lang`, or use a prefix
 * declared on this element or an ancestor (the element's own prefix counts).
 */
export const el = (
  ns: string | null,
  name: string,
  attributes: Readonly<Record<string, XmlAttributeValue>> = {},
  children: readonly XmlChild[] = [],
): XmlElement => ({ ns, name, attributes, children });

type Scope = { readonly parent: Scope | undefined; readonly prefixes: Map<string, string> };

const lookup = (scope: Scope | undefined, prefix: string): string | undefined => {
  for (let at = scope; at !== undefined; at = at.parent) {
    const uri = at.prefixes.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
};

const bug = (message: string): AppError => new AppError("INTERNAL", { message: `XML builder: ${message}` });

const checkValue = (value: string, where: () => string): void => {
  const bad = findInvalidXmlChar(value);
  if (bad !== -1) {
    // The value itself may be personal data from the directory; name the place, not the value.
    throw new AppError("XML_INVALID_CHARACTER", {
      message: `A value contains a character that XML 1.0 cannot carry: ${codePointLabel(value, bad)} in ${where()}.`,
    });
  }
};

const attributeText = (value: string | number | boolean, where: () => string): string => {
  if (typeof value === "number" && !Number.isFinite(value)) throw bug(`${where()} is not a finite number`);
  const text = String(value);
  checkValue(text, where);
  return text;
};

const isDomElement = (child: XmlElement | Element): child is Element => "nodeType" in child;

/** Turns a described element into a DOM `Document` whose root it is. */
export const buildDocument = (root: XmlElement): Document => {
  const doc = new DOMImplementation().createDocument(null, "", null);

  const build = (spec: XmlElement, parentScope: Scope | undefined): Element => {
    if (!isQName(spec.name)) throw bug(`${snippet(spec.name)} is not a valid element name`);
    const label = () => `<${spec.name}>`;
    const colon = spec.name.indexOf(":");
    const prefix = colon === -1 ? "" : spec.name.slice(0, colon);
    if (prefix !== "" && !spec.ns) throw bug(`${spec.name} has a prefix but no namespace`);

    const scope: Scope = { parent: parentScope, prefixes: new Map() };
    for (const [name, value] of Object.entries(spec.attributes)) {
      if (value === undefined) continue;
      if (name === "xmlns") scope.prefixes.set("", String(value));
      else if (name.startsWith("xmlns:")) scope.prefixes.set(name.slice(6), String(value));
    }
    const declared = scope.prefixes.get(prefix);
    if (declared !== undefined && declared !== (spec.ns ?? "")) {
      throw bug(`${spec.name} declares its own prefix with another namespace`);
    }
    const inheritedDefault = lookup(parentScope, "") ?? "";
    const element = doc.createElementNS(spec.ns, spec.name);
    scope.prefixes.set(prefix, spec.ns ?? "");
    // xmldom 0.8 forgets to undeclare an inherited default namespace for a child in no namespace,
    // which would silently move it into the parent's namespace; undeclare it ourselves.
    if (spec.ns === null && inheritedDefault !== "" && spec.attributes.xmlns === undefined) {
      element.setAttributeNS(XMLNS_NS, "xmlns", "");
    }

    for (const [name, value] of Object.entries(spec.attributes)) {
      if (value === undefined) continue;
      if (!isQName(name)) throw bug(`${snippet(name)} is not a valid attribute name on ${label()}`);
      const text = attributeText(value, () => `attribute ${name} of ${label()}`);
      const attrColon = name.indexOf(":");
      if (name === "xmlns" || name.startsWith("xmlns:")) {
        element.setAttributeNS(XMLNS_NS, name, text);
      } else if (attrColon === -1) {
        element.setAttribute(name, text);
      } else {
        const attrPrefix = name.slice(0, attrColon);
        const uri = attrPrefix === "xml" ? XML_NS : lookup(scope, attrPrefix);
        if (!uri) throw bug(`attribute ${name} of ${label()} uses an undeclared prefix`);
        element.setAttributeNS(uri, name, text);
      }
    }

    const append = (child: XmlChild): void => {
      if (child === null || child === undefined || child === false) return;
      if (typeof child === "string") {
        checkValue(child, () => `the text of ${label()}`);
        // XML 1.0 §2.11: a reader turns CR and CRLF into LF, but xmldom writes CR in text raw. A
        // signature computed over the CR would then fail at the peer; give it the LF it will read.
        element.appendChild(doc.createTextNode(child.replace(/\r\n?/g, "\n")));
      } else if (Array.isArray(child)) {
        for (const item of child as readonly XmlChild[]) append(item);
      } else if (isDomElement(child as XmlElement | Element)) {
        element.appendChild(doc.importNode(child as Element, true));
      } else {
        element.appendChild(build(child as XmlElement, scope));
      }
    };
    for (const child of spec.children) append(child);
    return element;
  };

  doc.appendChild(build(root, undefined));
  return doc;
};

export type SerializeOptions = {
  /** Prepend `<?xml version="1.0" encoding="UTF-8"?>`. */
  readonly xmlDeclaration?: boolean;
};

/**
 * Writes a document (its root element) or an element as XML text. xmldom's `requireWellFormed`
 * mode (0.8.13+) refuses names and node contents that would produce markup injection.
 */
export const serialize = (node: Document | Element, options: SerializeOptions = {}): string => {
  const target = "documentElement" in node ? node.documentElement : node;
  if (target === null) throw bug("the document has no root element");
  let text: string;
  try {
    text = new XMLSerializer().serializeToString(target, false, undefined, { requireWellFormed: true });
  } catch (cause) {
    throw new AppError("XML_INVALID_CHARACTER", {
      message: "A value cannot be written as well-formed XML.",
      cause,
    });
  }
  return options.xmlDeclaration === true ? `<?xml version="1.0" encoding="UTF-8"?>${text}` : text;
};

/** `serialize(buildDocument(root))`. */
export const buildXml = (root: XmlElement, options: SerializeOptions = {}): string =>
  serialize(buildDocument(root), options);
