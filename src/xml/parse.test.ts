import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { assertCode, thrownAppError } from "../../test/support/errors.ts";
import type { ErrorCode } from "../lib/errors.ts";
import { parseXml } from "./parse.ts";

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../test/fixtures/xml/${name}`, import.meta.url));

const rejectsWith = (run: () => unknown, code: ErrorCode): Error => {
  const error = thrownAppError(run);
  assertCode(error, code);
  return error;
};

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";

// The AuthnRequest Salesforce sends (shared/reference/salesforce-api.md §5.3), ID shortened.
const salesforceAuthnRequest = `<samlp:AuthnRequest xmlns:samlp="${PROTOCOL}"
    AssertionConsumerServiceURL="https://f5.my.salesforce.com?so=00D00000000hXqv"
    Destination="https://federate.f5.com/saml/idp/profile/redirectorpost/sso"
    ID="_2CAAAAW4erHicME8wMVQwMDAwMDA0QzlBAAAA3AzYjcGU7DqjFoE_yoNij1NGAjz"
    IssueInstant="2019-10-02T21:57:29.968Z"
    ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    Version="2.0">
  <saml:Issuer xmlns:saml="${ASSERTION}">https://f5.my.salesforce.com</saml:Issuer>
</samlp:AuthnRequest>`;

describe("parseXml accepts plain XML", () => {
  it("parses Salesforce's AuthnRequest with namespaces resolved", () => {
    const doc = parseXml(salesforceAuthnRequest);
    const root = doc.documentElement;
    assert.equal(root?.namespaceURI, PROTOCOL);
    assert.equal(root?.localName, "AuthnRequest");
    assert.equal(
      root?.getAttribute("AssertionConsumerServiceURL"),
      "https://f5.my.salesforce.com?so=00D00000000hXqv",
    );
    const issuer = root?.getElementsByTagNameNS(ASSERTION, "Issuer").item(0);
    assert.equal(issuer?.textContent, "https://f5.my.salesforce.com");
  });

  it("accepts a UTF-8 Buffer with a BOM and an XML declaration, and a string with a BOM", () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<r>é</r>`;
    assert.equal(
      parseXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).documentElement
        ?.textContent,
      "é",
    );
    assert.equal(parseXml(`\uFEFF${text}`).documentElement?.textContent, "é");
  });

  it("decodes the predefined entities and character references", () => {
    const root = parseXml(
      `<r a="x&#10;y &amp; &quot;z&quot;">&lt;a&gt; &amp; &#x1F600; &apos;</r>`,
    ).documentElement;
    assert.equal(root?.getAttribute("a"), 'x\ny & "z"');
    assert.equal(root?.textContent, "<a> & \u{1F600} '");
  });

  it("keeps comments and CDATA", () => {
    const root = parseXml(
      "<!-- before --><r><!-- inside --><![CDATA[<b>]]></r><!-- after -->",
    ).documentElement;
    assert.equal(root?.textContent, "<b>");
  });

  it("normalizes line ends as XML 1.0 does, and leaves U+2028 and U+0085 alone", () => {
    // xmldom on its own folds U+2028/U+0085 into "\n" (an XML 1.1 rule): a parser differential.
    const root = parseXml("<r>a\r\nb\rc\u2028d\u0085e</r>").documentElement;
    assert.equal(root?.textContent, "a\nb\nc\u2028d\u0085e");
  });

  it("allows nesting up to maxDepth and elements up to maxElements", () => {
    const nested = (depth: number) => "<a>".repeat(depth) + "</a>".repeat(depth);
    assert.ok(parseXml(nested(64)));
    assert.ok(parseXml(nested(3), { maxDepth: 3 }));
    assert.ok(parseXml("<r><a/><a/></r>", { maxElements: 3 }));
  });
});

describe("parseXml refuses hostile and broken input", () => {
  const table: readonly [fixture: string, code: ErrorCode][] = [
    ["doctype-after-bom-comment-pi.xml", "XML_DOCTYPE_FORBIDDEN"],
    ["doctype-lowercase.xml", "XML_DOCTYPE_FORBIDDEN"],
    ["xxe-external-entity.xml", "XML_DOCTYPE_FORBIDDEN"],
    ["xxe-parameter-entity.xml", "XML_DOCTYPE_FORBIDDEN"],
    ["quadratic-blowup.xml", "XML_DOCTYPE_FORBIDDEN"],
    ["entity-declaration-in-comment.xml", "XML_DOCTYPE_FORBIDDEN"],
    ["two-roots.xml", "XML_MULTIPLE_ROOTS"],
    ["text-after-root.xml", "XML_MULTIPLE_ROOTS"],
    ["text-before-root.xml", "XML_MALFORMED"],
    ["processing-instruction.xml", "XML_MALFORMED"],
    ["processing-instruction-inside.xml", "XML_MALFORMED"],
    ["late-xml-declaration.xml", "XML_MALFORMED"],
    ["encoding-latin1.xml", "XML_MALFORMED"],
    ["xml-1.1.xml", "XML_MALFORMED"],
    ["utf16-bom.xml", "XML_MALFORMED"],
    ["invalid-utf8.xml", "XML_MALFORMED"],
    ["undefined-entity.xml", "XML_MALFORMED"],
    ["control-character-reference.xml", "XML_MALFORMED"],
    ["raw-control-character.xml", "XML_MALFORMED"],
    ["unescaped-ampersand.xml", "XML_MALFORMED"],
    ["lt-in-attribute.xml", "XML_MALFORMED"],
    ["undeclared-prefix.xml", "XML_MALFORMED"],
    ["mismatched-end-tag.xml", "XML_MALFORMED"],
    ["unclosed-root.xml", "XML_MALFORMED"],
    ["duplicate-attribute.xml", "XML_MALFORMED"],
    ["duplicate-attribute-two-prefixes.xml", "XML_MALFORMED"],
    ["cdata-end-in-text.xml", "XML_MALFORMED"],
    ["double-hyphen-in-comment.xml", "XML_MALFORMED"],
  ];
  for (const [name, code] of table) {
    it(`${name} → ${code}`, () => {
      rejectsWith(() => parseXml(fixture(name)), code);
      // The same bytes as a string take the same path (only UTF-8 decoding differs).
      if (name !== "utf16-bom.xml" && name !== "invalid-utf8.xml") {
        rejectsWith(() => parseXml(fixture(name).toString("utf8")), code);
      }
    });
  }

  it("refuses empty and whitespace-only input", () => {
    rejectsWith(() => parseXml(""), "XML_MALFORMED");
    rejectsWith(() => parseXml(" \n"), "XML_MALFORMED");
  });

  it("turns a complaint from xmldom itself into XML_MALFORMED", () => {
    // A name valid in XML 1.0 that xmldom 0.8's name pattern does not cover (no astral planes).
    const error = rejectsWith(() => parseXml("<\u{10000}a/>"), "XML_MALFORMED");
    assert.match(error.message, /invalid tagName/);
  });

  it("refuses a lone surrogate", () => {
    rejectsWith(() => parseXml("<r>\uD800</r>"), "XML_MALFORMED");
  });

  it("checks the size before parsing, in UTF-8 bytes", () => {
    const big = `<r>${"a".repeat(1024 * 1024)}</r>`;
    rejectsWith(() => parseXml(big), "XML_TOO_LARGE");
    rejectsWith(() => parseXml(Buffer.from(big)), "XML_TOO_LARGE");
    // 600 000 characters, 1.2 million bytes.
    rejectsWith(() => parseXml(`<r>${"é".repeat(600_000)}</r>`), "XML_TOO_LARGE");
    rejectsWith(() => parseXml("<r>0123456789</r>", { maxBytes: 10 }), "XML_TOO_LARGE");
    // Size wins over content: a huge DOCTYPE is refused for its size without being scanned.
    rejectsWith(() => parseXml(`<!DOCTYPE r>${big}`), "XML_TOO_LARGE");
  });

  it("caps the depth and the element count", () => {
    const nested = (depth: number) => "<a>".repeat(depth) + "</a>".repeat(depth);
    rejectsWith(() => parseXml(nested(65)), "XML_TOO_DEEP");
    rejectsWith(() => parseXml(nested(4), { maxDepth: 3 }), "XML_TOO_DEEP");
    rejectsWith(() => parseXml(`<r>${"<a/>".repeat(100_000)}</r>`), "XML_TOO_LARGE");
    rejectsWith(() => parseXml("<r><a/><a/><a/></r>", { maxElements: 3 }), "XML_TOO_LARGE");
  });

  it("keeps messages short and free of control characters whatever the input", () => {
    const longName = "x".repeat(50_000);
    const error = rejectsWith(() => parseXml(`<r>\n<${longName}></${longName}y>\n</r>`), "XML_MALFORMED");
    assert.ok(error.message.length < 300, error.message);
    assert.match(error.message, /line 2/);
    const forged = rejectsWith(
      () => parseXml(`<?xml version="1.0" encoding="x\u2028INFO admin logged in${"!".repeat(500)}"?><r/>`),
      "XML_MALFORMED",
    );
    assert.match(forged.message, /declares encoding x\?INFO/);
    assert.ok(![...forged.message].some((char) => char < " " || char === "\u2028"), forged.message);
    assert.ok(forged.message.length < 200, forged.message);
  });
});
