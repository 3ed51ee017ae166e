import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { throwsCode } from "../../test/support/errors.ts";
import { indentXml } from "./indent.ts";
import { parseXml } from "./parse.ts";

// A signed Response as Portico emits it: one line, no whitespace between elements.
const response = readFileSync(
  new URL("../../test/fixtures/saml/valid/response-signed-both.xml", import.meta.url),
  "utf8",
);

const textOfAll = (xml: string, localName: string): string[] => {
  const found = parseXml(xml).getElementsByTagNameNS("*", localName);
  return Array.from({ length: found.length }, (_, i) => found.item(i)?.textContent ?? "");
};

describe("indentXml", () => {
  it("puts each element of a Response on its own line, indented by depth", () => {
    const pretty = indentXml(response);
    assert.match(pretty, /\n {2}<saml:Issuer Format="[^"]+">https:\/\/portico\.example\.com<\/saml:Issuer>/);
    assert.match(pretty, /\n {6}<saml:NameID Format="[^"]+">ada\.lovelace@acme\.example\.com<\/saml:NameID>/);
    assert.match(pretty, /\n<\/samlp:Response>$/);
  });

  it("indents once: an indented copy comes out the same", () => {
    const pretty = indentXml(response);
    assert.equal(indentXml(pretty), pretty, "indenting twice changes nothing");
  });

  it("leaves values alone, so the copy reads the same values as the original", () => {
    const pretty = indentXml(response);
    for (const name of ["NameID", "AttributeValue", "SignatureValue", "X509Certificate", "Audience"]) {
      assert.deepEqual(textOfAll(pretty, name), textOfAll(response, name), name);
    }
  });

  it("does not touch elements that mix text and elements", () => {
    assert.equal(indentXml("<a><b>one <i>two</i> three</b></a>"), "<a>\n  <b>one <i>two</i> three</b>\n</a>");
  });

  it("takes another indentation unit", () => {
    assert.equal(indentXml("<a><b><c/></b></a>", { indent: "\t" }), "<a>\n\t<b>\n\t\t<c/>\n\t</b>\n</a>");
  });

  it("parses through the hardened parser: a DOCTYPE is refused, not expanded", () => {
    throwsCode(() => indentXml('<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'), "XML_DOCTYPE_FORBIDDEN");
  });
});
