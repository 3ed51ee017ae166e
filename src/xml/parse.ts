import { DOMParser } from "@xmldom/xmldom";
import { AppError } from "../lib/errors.ts";
import { lineOf, snippet } from "./chars.ts";
import { nodeType } from "./select.ts";
import { checkWellFormed } from "./well-formed.ts";

/**
 * The one way Portico reads XML. Everything that arrives from outside (AuthnRequests,
 * LogoutRequests, SP metadata) goes through `parseXml`; nothing else constructs a DOMParser.
 */

export type ParseXmlOptions = {
  /** Largest accepted input in bytes (UTF-8), checked before any parsing. */
  readonly maxBytes?: number;
  /** Deepest accepted element nesting; the root element is depth 1. */
  readonly maxDepth?: number;
  /** Most elements accepted in one document. */
  readonly maxElements?: number;
};

/** Defaults: ample for SAML messages and one entity's metadata, small enough to parse fast. */
export const defaultXmlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxElements: 50_000,
} as const;

// Catches a DOCTYPE anywhere, including behind a BOM, comments or processing instructions, and
// inside a comment or CDATA too: no SAML message has a reason to carry one (saml-core §1.3 and
// saml-bindings §3 forbid DTDs in SAML messages).
const DOCTYPE_LIKE = /<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/**
 * Parses `input` into a DOM `Document`, refusing anything that is not plain, well-formed,
 * namespace-well-formed XML 1.0 in UTF-8 with one root element.
 *
 * Throws AppError with XML_TOO_LARGE (size or element cap), XML_DOCTYPE_FORBIDDEN (any DOCTYPE or
 * markup declaration), XML_MULTIPLE_ROOTS (a second root element or text after the root),
 * XML_TOO_DEEP (nesting cap) or XML_MALFORMED (everything else, including processing instructions,
 * encodings other than UTF-8 and any warning from xmldom). Messages never repeat more than a short,
 * sanitized snippet of the input.
 */
export const parseXml = (input: string | Uint8Array, options: ParseXmlOptions = {}): Document => {
  const maxBytes = options.maxBytes ?? defaultXmlLimits.maxBytes;
  const text = decode(input, maxBytes);

  const doctype = DOCTYPE_LIKE.exec(text);
  if (doctype !== null) {
    throw new AppError("XML_DOCTYPE_FORBIDDEN", {
      message: `XML with a DOCTYPE or entity declarations is refused (line ${lineOf(text, doctype.index)}).`,
    });
  }

  const checked = checkWellFormed(text, {
    maxDepth: options.maxDepth ?? defaultXmlLimits.maxDepth,
    maxElements: options.maxElements ?? defaultXmlLimits.maxElements,
  });

  const doc = build(text);
  verifyTree(doc, checked.elementCount, checked.prologEnd > 0);
  return doc;
};

const decode = (input: string | Uint8Array, maxBytes: number): string => {
  if (typeof input === "string") {
    // A UTF-16 code unit never encodes to fewer than one UTF-8 byte, so the length is a cheap
    // lower bound that spares measuring a huge string.
    const bytes = input.length > maxBytes ? input.length : Buffer.byteLength(input, "utf8");
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.byteLength > maxBytes) throw tooLarge(input.byteLength, maxBytes);
  if ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe)) {
    throw new AppError("XML_MALFORMED", {
      message: "The XML document must be UTF-8, but it starts with a UTF-16 byte-order mark.",
    });
  }
  try {
    // `fatal`: invalid UTF-8 is refused rather than turned into U+FFFD; the BOM is dropped.
    return new TextDecoder("utf-8", { fatal: true }).decode(input);
  } catch (cause) {
    throw new AppError("XML_MALFORMED", { message: "The XML document is not valid UTF-8.", cause });
  }
};

const tooLarge = (bytes: number, maxBytes: number): AppError =>
  new AppError("XML_TOO_LARGE", {
    message: `The XML document is too large: ${bytes} bytes, the limit is ${maxBytes}.`,
  });

/** Thrown from inside xmldom's callbacks to stop it at the first complaint. */
class StopParsing extends Error {}

const build = (text: string): Document => {
  let complaint: string | undefined;
  const stop = (message: unknown): never => {
    complaint ??= String(message);
    throw new StopParsing();
  };
  const options = {
    errorHandler: { warning: stop, error: stop, fatalError: stop },
    // XML 1.0 §2.11. xmldom's default also folds U+0085 and U+2028 into line feeds (an XML 1.1
    // rule), which would make us read different text than an XML 1.0 peer reads.
    normalizeLineEndings: (source: string): string => source.replace(/\r\n?/g, "\n"),
  };
  let doc: Document | undefined;
  try {
    doc = new DOMParser(options).parseFromString(text, "application/xml");
  } catch (cause) {
    if (!(cause instanceof StopParsing)) complaint ??= "the parser failed";
  }
  if (complaint !== undefined || doc === undefined) {
    // xmldom messages end with a locator and may quote input; keep the first line, shortened.
    const first = snippet(
      (complaint ?? "no document").replace(/^\[xmldom \w+\]\s*/, "").split("\n")[0] ?? "",
      120,
    );
    throw new AppError("XML_MALFORMED", { message: `The XML document is not well-formed: ${first}.` });
  }
  return doc;
};

/**
 * Defence in depth: the tree xmldom built must contain only what the well-formedness pass let
 * through, and exactly as many elements as it counted. A mismatch means the two disagree about
 * the document, which is the root of every parser-differential attack.
 */
const verifyTree = (doc: Document, expectedElements: number, hasDeclaration: boolean): void => {
  const disagree = (what: string): never => {
    throw new AppError("XML_MALFORMED", { message: `The XML document is not well-formed: ${what}.` });
  };
  let roots = 0;
  for (let i = 0; i < doc.childNodes.length; i++) {
    const child = doc.childNodes.item(i);
    switch (child?.nodeType) {
      case nodeType.element:
        roots++;
        break;
      case nodeType.comment:
      case nodeType.text:
        break;
      case nodeType.processingInstruction:
        if (!(i === 0 && hasDeclaration && child.nodeName === "xml"))
          disagree("unexpected processing instruction");
        break;
      case nodeType.documentType:
        throw new AppError("XML_DOCTYPE_FORBIDDEN");
      default:
        disagree("unexpected node at document level");
    }
  }
  if (roots !== 1) throw new AppError("XML_MULTIPLE_ROOTS");

  let elements = 0;
  const pending: Node[] = [];
  if (doc.documentElement !== null) pending.push(doc.documentElement);
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.nodeType === nodeType.element) {
      elements++;
      for (let i = 0; i < node.childNodes.length; i++) {
        const child = node.childNodes.item(i);
        if (child !== null) pending.push(child);
      }
    } else if (
      node.nodeType !== nodeType.text &&
      node.nodeType !== nodeType.cdataSection &&
      node.nodeType !== nodeType.comment
    ) {
      disagree("the parser built an unexpected node");
    }
  }
  if (elements !== expectedElements) disagree("the parser and the well-formedness check disagree");
};
