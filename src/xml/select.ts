import { AppError, type ErrorCode } from "../lib/errors.ts";
import { snippet } from "./chars.ts";

/**
 * Typed, namespace-anchored reads on a parsed DOM. Elements are matched by namespace URI and local
 * name, never by prefix, and no XPath is ever built from input. `Node.ELEMENT_NODE` and friends are
 * not globals in Node.js, hence the constants.
 */

/** DOM node types (DOM Level 2 Core §1.1.1). */
export const nodeType = {
  element: 1,
  attribute: 2,
  text: 3,
  cdataSection: 4,
  entityReference: 5,
  entity: 6,
  processingInstruction: 7,
  comment: 8,
  document: 9,
  documentType: 10,
  documentFragment: 11,
  notation: 12,
} as const;

export const isElement = (node: Node | null | undefined): node is Element =>
  node?.nodeType === nodeType.element;

/** Whether `el` is `{ns}localName`. */
export const isNamed = (el: Element, ns: string, localName: string): boolean =>
  el.namespaceURI === ns && el.localName === localName;

/** The element's qualified name, shortened and made printable for messages. */
export const displayName = (el: Element): string => snippet(el.nodeName);

/** The document element. parseXml guarantees there is one. */
export const rootElement = (doc: Document): Element => {
  const root = doc.documentElement;
  if (root === null)
    throw new AppError("XML_MALFORMED", { message: "The XML document has no root element." });
  return root;
};

/** All element children of `parent`, in document order. */
export const elementChildren = (parent: Element | Document): Element[] => {
  const out: Element[] = [];
  for (let i = 0; i < parent.childNodes.length; i++) {
    const child = parent.childNodes.item(i);
    if (isElement(child)) out.push(child);
  }
  return out;
};

/** The element children of `parent` named `{ns}localName`, in document order. */
export const childElements = (parent: Element | Document, ns: string, localName: string): Element[] =>
  elementChildren(parent).filter((child) => isNamed(child, ns, localName));

const parentLabel = (parent: Element | Document): string =>
  isElement(parent) ? `<${displayName(parent)}>` : "the document";

/** The one `{ns}localName` child, or undefined; more than one is an error (`code`). */
export const optionalChild = (
  parent: Element | Document,
  ns: string,
  localName: string,
  code: ErrorCode = "XML_MALFORMED",
): Element | undefined => {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) {
    throw new AppError(code, {
      message: `${parentLabel(parent)} has ${found.length} ${localName} elements; at most one is allowed.`,
    });
  }
  return found[0];
};

/** The one `{ns}localName` child; none or several is an error (`code`). */
export const onlyChild = (
  parent: Element | Document,
  ns: string,
  localName: string,
  code: ErrorCode = "XML_MALFORMED",
): Element => {
  const found = optionalChild(parent, ns, localName, code);
  if (found === undefined) {
    throw new AppError(code, { message: `${parentLabel(parent)} has no ${localName} element.` });
  }
  return found;
};

/**
 * The value of the unqualified attribute `name` (no prefix, no namespace), or undefined. A
 * prefixed attribute with the same local name (`foo:ID`) does not count.
 */
export const attr = (el: Element, name: string): string | undefined => {
  for (let i = 0; i < el.attributes.length; i++) {
    const attribute = el.attributes.item(i);
    // xmldom leaves namespaceURI undefined (not null) on unprefixed attributes.
    if (attribute !== null && !attribute.namespaceURI && attribute.name === name) return attribute.value;
  }
  return undefined;
};

/** The value of the attribute `{ns}localName`, or undefined. */
export const attrNS = (el: Element, ns: string, localName: string): string | undefined => {
  for (let i = 0; i < el.attributes.length; i++) {
    const attribute = el.attributes.item(i);
    if (attribute !== null && attribute.namespaceURI === ns && attribute.localName === localName) {
      return attribute.value;
    }
  }
  return undefined;
};

/** `attr`, but a missing attribute is an error (`code`). */
export const requiredAttr = (el: Element, name: string, code: ErrorCode = "XML_MALFORMED"): string => {
  const value = attr(el, name);
  if (value === undefined) {
    throw new AppError(code, { message: `<${displayName(el)}> has no ${snippet(name)} attribute.` });
  }
  return value;
};

/**
 * The text content of a simple-content element: its text and CDATA children joined. Refuses any
 * other child. A comment or processing instruction between text nodes is how
 * `<NameID>admin<!---->@evil.com</NameID>` reads as one value to a canonicalizer (which drops
 * comments) and as another to code that reads the first text node (CVE-2025-29775, CVE-2026-40165);
 * refusing it leaves one reading.
 */
export const textOf = (el: Element): string => {
  let text = "";
  for (let i = 0; i < el.childNodes.length; i++) {
    const child = el.childNodes.item(i);
    if (child === null) continue;
    if (child.nodeType === nodeType.text || child.nodeType === nodeType.cdataSection) {
      text += child.nodeValue ?? "";
      continue;
    }
    const what =
      child.nodeType === nodeType.comment
        ? "a comment"
        : child.nodeType === nodeType.processingInstruction
          ? "a processing instruction"
          : child.nodeType === nodeType.element
            ? "a child element"
            : "markup";
    throw new AppError("XML_MALFORMED", {
      message: `<${displayName(el)}> must contain only text, but it contains ${what}.`,
    });
  }
  return text;
};
