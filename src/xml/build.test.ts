import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertCode, thrownAppError, throwsCode } from "../../test/support/errors.ts";
import { buildDocument, buildXml, el, serialize } from "./build.ts";
import { parseXml } from "./parse.ts";
import { attr, attrNS, childElements, rootElement, textOf } from "./select.ts";

const SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const XS = "http://www.w3.org/2001/XMLSchema";

const hostileValues = [
  "a < b",
  "AT&T",
  'say "hi"',
  "it's",
  "]]>",
  "<![CDATA[x]]>",
  "&amp; stays literal",
  '</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin',
  "<!-- comment -->",
  "<?pi x?>",
  "tab\tnew\nline",
  "emoji \u{1F600} and \u2028",
];

const attribute = (name: string, value: string) =>
  el(SAML, "saml:Attribute", { Name: name }, [
    el(SAML, "saml:AttributeValue", { "xmlns:xs": XS, "xmlns:xsi": XSI, "xsi:type": "xs:string" }, [value]),
  ]);

describe("build and serialize", () => {
  for (const value of hostileValues) {
    it(`escapes ${JSON.stringify(value)} in text and attributes and reads it back unchanged`, () => {
      const xml = buildXml(
        el(SAML, "saml:AttributeStatement", { "data-value": value }, [attribute("email", value)]),
      );
      const root = rootElement(parseXml(xml));
      const attributes = childElements(root, SAML, "Attribute");
      assert.equal(attributes.length, 1, "no attribute was injected");
      const [only] = attributes;
      assert.ok(only);
      const values = childElements(only, SAML, "AttributeValue");
      assert.equal(values.length, 1);
      assert.equal(textOf(values[0] as Element), value);
      assert.equal(attr(root, "data-value"), value);
    });
  }

  it("writes exactly the expected markup", () => {
    assert.equal(
      buildXml(attribute("email", 'a<b>&"c"')),
      `<saml:Attribute Name="email" xmlns:saml="${SAML}"><saml:AttributeValue xmlns:xs="${XS}" xmlns:xsi="${XSI}" xsi:type="xs:string">a&lt;b&gt;&amp;"c"</saml:AttributeValue></saml:Attribute>`,
    );
  });

  it("refuses control characters in text and attribute values, naming the place but not the value", () => {
    for (const bad of ["secret\u0000", "secret\u0001", "secret\u001b[31m", "secret\uFFFE", "secret\uD800"]) {
      const error = thrownAppError(() => buildXml(el(SAML, "saml:NameID", {}, [bad])));
      assertCode(error, "XML_INVALID_CHARACTER", /saml:NameID/);
      assert.ok(!error.message.includes("secret"), "the message echoes the value");
      throwsCode(() => buildXml(el(SAML, "saml:Attribute", { Name: bad })), "XML_INVALID_CHARACTER", /Name/);
    }
  });

  it("writes CR as the LF a reader would see, so signed text stays verifiable", () => {
    const xml = buildXml(el(null, "r", { a: "x\r\ny" }, ["line1\r\nline2\rline3"]));
    const root = rootElement(parseXml(xml));
    assert.equal(textOf(root), "line1\nline2\nline3");
    assert.equal(attr(root, "a"), "x\r\ny", "attribute values keep CR as a character reference");
  });

  it("skips undefined attributes and falsy children, flattens lists, stringifies numbers and booleans", () => {
    const optional: string | undefined = undefined;
    const xml = buildXml(
      el(null, "r", { a: optional, n: 3, t: true }, [false, null, undefined, ["x", ["y"]], el(null, "c")]),
    );
    assert.equal(xml, `<r n="3" t="true">xy<c/></r>`);
  });

  it("keeps a child without namespace out of its parent's default namespace", () => {
    const xml = buildXml(el("urn:example:d", "root", {}, [el(null, "child")]));
    assert.equal(xml, `<root xmlns="urn:example:d"><child xmlns=""/></root>`);
    const child = rootElement(parseXml(xml)).firstChild as Element;
    assert.ok(!child.namespaceURI, 'xmldom reads xmlns="" as the empty string: no namespace');
  });

  it("resolves attribute prefixes from declarations and from the element's own prefix", () => {
    const root = rootElement(
      parseXml(
        buildXml(
          el(SAML, "saml:Subject", { "saml:extra": "1", "xmlns:xsi": XSI }, [
            el(SAML, "saml:NameID", { "xsi:nil": false }),
          ]),
        ),
      ),
    );
    assert.equal(attrNS(root, SAML, "extra"), "1");
    assert.equal(attrNS(root.firstChild as Element, XSI, "nil"), "false");
  });

  it("treats invalid names and undeclared prefixes as programming errors", () => {
    throwsCode(() => buildXml(el(null, "bad name")), "INTERNAL");
    throwsCode(() => buildXml(el(null, "r", { "a>b": "x" })), "INTERNAL");
    throwsCode(() => buildXml(el(null, "r", { "nope:a": "x" })), "INTERNAL");
    throwsCode(() => buildXml(el(null, "p:r")), "INTERNAL");
    throwsCode(() => buildXml(el(null, "r", { n: Number.NaN })), "INTERNAL");
  });

  it("imports an existing DOM element deeply", () => {
    const signed = rootElement(
      parseXml(
        `<saml:Assertion xmlns:saml="${SAML}" ID="_1"><saml:Issuer>idp</saml:Issuer></saml:Assertion>`,
      ),
    );
    const xml = buildXml(el("urn:oasis:names:tc:SAML:2.0:protocol", "samlp:Response", {}, [signed]));
    const [assertion] = childElements(rootElement(parseXml(xml)), SAML, "Assertion");
    assert.ok(assertion);
    assert.equal(textOf(childElements(assertion, SAML, "Issuer")[0] as Element), "idp");
  });

  it("serializes a document's root, optionally with an XML declaration", () => {
    const doc = buildDocument(el(null, "r"));
    assert.equal(serialize(doc), "<r/>");
    assert.equal(serialize(doc, { xmlDeclaration: true }), '<?xml version="1.0" encoding="UTF-8"?><r/>');
    // A parsed document keeps its declaration node; serialize writes the root only.
    assert.equal(serialize(parseXml('<?xml version="1.0"?><r/>')), "<r/>");
  });
});
