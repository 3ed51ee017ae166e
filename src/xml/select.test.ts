import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DOMImplementation } from "@xmldom/xmldom";
import { throwsCode } from "../../test/support/errors.ts";
import { parseXml } from "./parse.ts";
import {
  attr,
  attrNS,
  childElements,
  onlyChild,
  optionalChild,
  requiredAttr,
  rootElement,
  textOf,
} from "./select.ts";

const A = "urn:example:a";
const B = "urn:example:b";

const doc = parseXml(`<x:root xmlns:x="${A}" xmlns:y="${A}" xmlns:b="${B}" ID="plain" b:ID="prefixed">
  <x:item>one</x:item>
  <b:item>other namespace</b:item>
  <y:item>two, another prefix for the same namespace</y:item>
  <x:single>only</x:single>
</x:root>`);
const root = rootElement(doc);

describe("select", () => {
  it("matches children by namespace and local name, not by prefix", () => {
    const items = childElements(root, A, "item");
    assert.deepEqual(
      items.map((item) => textOf(item)),
      ["one", "two, another prefix for the same namespace"],
    );
    assert.equal(childElements(root, B, "item").length, 1);
    assert.equal(childElements(root, "urn:example:none", "item").length, 0);
  });

  it("onlyChild and optionalChild insist on the cardinality, with the caller's error code", () => {
    assert.equal(textOf(onlyChild(root, A, "single")), "only");
    assert.equal(optionalChild(root, A, "absent"), undefined);
    throwsCode(() => onlyChild(root, A, "item", "SAML_METADATA_INVALID"), "SAML_METADATA_INVALID", /2 item/);
    throwsCode(() => onlyChild(root, A, "absent"), "XML_MALFORMED", /no absent/);
  });

  it("attr reads only the unqualified attribute; attrNS the namespaced one", () => {
    assert.equal(attr(root, "ID"), "plain");
    assert.equal(attrNS(root, B, "ID"), "prefixed");
    assert.equal(attr(root, "missing"), undefined);
    const onlyPrefixed = rootElement(parseXml(`<r xmlns:b="${B}" b:ID="prefixed"/>`));
    assert.equal(attr(onlyPrefixed, "ID"), undefined);
    throwsCode(() => requiredAttr(onlyPrefixed, "ID"), "XML_MALFORMED", /has no ID attribute/);
  });

  it("textOf joins text and CDATA", () => {
    assert.equal(textOf(rootElement(parseXml("<r>a&amp;<![CDATA[<b>]]>c</r>"))), "a&<b>c");
    assert.equal(textOf(rootElement(parseXml("<r/>"))), "");
  });

  it("textOf refuses a comment inside a value (CVE-2025-29775 class)", () => {
    const nameId = rootElement(
      parseXml(readFileSync(new URL("../../test/fixtures/xml/comment-in-nameid.xml", import.meta.url))),
    );
    throwsCode(() => textOf(nameId), "XML_MALFORMED", /comment/);
  });

  it("textOf refuses child elements and processing instructions", () => {
    assert.throws(() => textOf(rootElement(parseXml("<r>a<b/>c</r>"))), /child element/);
    // parseXml never lets a processing instruction through, so build one by hand.
    const built = new DOMImplementation().createDocument(null, "r", null);
    const r = rootElement(built);
    r.appendChild(built.createTextNode("admin"));
    r.appendChild(built.createProcessingInstruction("x", "y"));
    r.appendChild(built.createTextNode("@evil"));
    assert.throws(() => textOf(r), /processing instruction/);
  });
});
