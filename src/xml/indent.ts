import { serialize } from "./build.ts";
import { type ParseXmlOptions, parseXml } from "./parse.ts";
import { isElement, nodeType, rootElement } from "./select.ts";

const childNodesOf = (element: Element): ChildNode[] =>
  Array.from({ length: element.childNodes.length }, (_, i) => element.childNodes.item(i)).filter(
    (node): node is ChildNode => node !== null,
  );

/**
 * An indented copy of `xml` for people to read. Whitespace is added only between the children of
 * elements that hold no text, but it still changes the signed bytes: never verify or send the copy.
 */
export const indentXml = (
  xml: string,
  options: { xmlLimits?: ParseXmlOptions; indent?: string } = {},
): string => {
  const doc = parseXml(xml, options.xmlLimits);
  const unit = options.indent ?? "  ";
  const indent = (element: Element, depth: number): void => {
    const nodes = childNodesOf(element);
    const children = nodes.filter(isElement);
    const elementOnly = nodes.every(
      (node) => isElement(node) || (node.nodeType === nodeType.text && (node.nodeValue ?? "").trim() === ""),
    );
    if (children.length === 0 || !elementOnly) return;
    // Drop the whitespace already there, so an indented input comes out indented once.
    for (const node of nodes) if (!isElement(node)) element.removeChild(node);
    for (const child of children) {
      element.insertBefore(doc.createTextNode(`\n${unit.repeat(depth + 1)}`), child);
      indent(child, depth + 1);
    }
    element.appendChild(doc.createTextNode(`\n${unit.repeat(depth)}`));
  };
  indent(rootElement(doc), 0);
  return serialize(doc);
};
