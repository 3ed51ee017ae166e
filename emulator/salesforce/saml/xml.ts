import { DOMParser } from "@xmldom/xmldom";

/** Thrown for any input the SP refuses to read as XML. */
export class XmlRejected extends Error {
  override name = "XmlRejected";
}

/**
 * Parses untrusted XML: no DOCTYPE (so no entities), parser warnings are errors, one root
 * element. Everything the SP reads from a peer goes through here.
 */
export function parseXml(xml: string): Document {
  if (xml.length > 1024 * 1024) throw new XmlRejected("XML document too large");
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new XmlRejected("DOCTYPE is not allowed");
  }
  const problems: string[] = [];
  const note = (message: unknown) => {
    problems.push(String(message));
  };
  const doc = new DOMParser({
    errorHandler: { warning: note, error: note, fatalError: note },
  }).parseFromString(xml, "text/xml");
  if (problems.length > 0) throw new XmlRejected(`XML is not well-formed: ${problems[0]}`);
  const root = doc.documentElement;
  if (!root) throw new XmlRejected("XML has no root element");
  if (doc.doctype) throw new XmlRejected("DOCTYPE is not allowed");
  return doc;
}

/** Element children of `parent` in namespace `ns` with local name `local`. */
export function children(parent: Node, ns: string, local: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && node.namespaceURI === ns && node.localName === local) {
      found.push(node);
    }
  }
  return found;
}

export function child(parent: Node, ns: string, local: string): Element | undefined {
  return children(parent, ns, local)[0];
}

/** Descendants (any depth) in namespace `ns` with local name `local`. */
export function descendants(parent: Node, ns: string, local: string): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (isElement(c)) {
        if (c.namespaceURI === ns && c.localName === local) found.push(c);
        walk(c);
      }
    }
  };
  walk(parent);
  return found;
}

export function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** An attribute's value, or undefined when absent or empty. */
export function attr(element: Element, name: string): string | undefined {
  const value = element.getAttribute(name);
  return value === null || value === "" ? undefined : value;
}

/**
 * Whole text content. textContent joins every text node and skips comments, so
 * `user@a.com<!---->.evil.com` reads as one value, not as the part before the comment.
 */
export function text(element: Element | undefined): string | undefined {
  if (!element) return undefined;
  return (element.textContent ?? "").trim();
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export type XmlNode = string | { raw: string };

/**
 * Builds one element; attribute values and string children are escaped, `{ raw }` children
 * are already-built XML. The only way this folder writes XML.
 */
export function el(
  name: string,
  attributes: Record<string, string | undefined>,
  ...content: XmlNode[]
): { raw: string } {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join("");
  const body = content.map((c) => (typeof c === "string" ? escapeXml(c) : c.raw)).join("");
  return { raw: body === "" ? `<${name}${attrs}/>` : `<${name}${attrs}>${body}</${name}>` };
}
