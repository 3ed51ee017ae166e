import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { defaultBindingLimits } from "./message.ts";
import { decodePost } from "./post.ts";

const XML = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0"/>';
const b64 = (text: string | Buffer): string => Buffer.from(text).toString("base64");

describe("decodePost", () => {
  it("decodes SAMLRequest and RelayState", () => {
    assert.deepEqual(decodePost({ SAMLRequest: b64(XML), RelayState: "/001/o" }), {
      binding: "post",
      messageType: "SAMLRequest",
      xml: XML,
      relayState: "/001/o",
    });
  });

  it("decodes SAMLResponse, and ignores unrelated fields", () => {
    const decoded = decodePost({ SAMLResponse: b64(XML), other: ["a", "b"] });
    assert.equal(decoded.messageType, "SAMLResponse");
    assert.equal(decoded.relayState, undefined);
  });

  it("accepts base64 wrapped in lines, as some SPs send it", () => {
    const wrapped = b64(XML).replace(/(.{76})/g, "$1\r\n");
    assert.equal(decodePost({ SAMLRequest: wrapped }).xml, XML);
  });

  it("strips a UTF-8 byte-order mark and keeps non-ASCII text", () => {
    const xml = XML.replace("_a", "_é");
    assert.equal(
      decodePost({ SAMLRequest: b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)])) })
        .xml,
      xml,
    );
  });

  describe("refuses with SAML_BINDING_INVALID", () => {
    const cases: [string, Record<string, string | string[]>][] = [
      ["a repeated SAMLRequest", { SAMLRequest: [b64(XML), b64("<x/>")] }],
      ["a repeated RelayState", { SAMLRequest: b64(XML), RelayState: ["a", "b"] }],
      ["both SAMLRequest and SAMLResponse", { SAMLRequest: b64(XML), SAMLResponse: b64(XML) }],
      ["POST-SimpleSign fields", { SAMLRequest: b64(XML), SigAlg: "x", Signature: "AAAA" }],
      ["a RelayState over 1024 bytes", { SAMLRequest: b64(XML), RelayState: "é".repeat(513) }],
    ];
    for (const [name, fields] of cases)
      it(name, () => throwsCode(() => decodePost(fields), "SAML_BINDING_INVALID"));
  });

  describe("refuses with SAML_MESSAGE_INVALID", () => {
    const cases: [string, Record<string, string>][] = [
      ["no message", { RelayState: "x" }],
      ["an empty message", { SAMLRequest: "" }],
      ["a message that is not base64", { SAMLRequest: "<samlp:AuthnRequest/>" }],
      ["base64url instead of base64", { SAMLRequest: Buffer.from([0xfb, 0xff, 0xfe]).toString("base64url") }],
      ["bytes that are not UTF-8", { SAMLRequest: b64(Buffer.from([0x3c, 0xff, 0x3e])) }],
    ];
    for (const [name, fields] of cases)
      it(name, () => throwsCode(() => decodePost(fields), "SAML_MESSAGE_INVALID"));
  });

  it("does not let an inherited property pass for a field", () => {
    throwsCode(
      () => decodePost(Object.create({ SAMLRequest: b64(XML) }) as Record<string, string>),
      "SAML_MESSAGE_INVALID",
    );
  });

  it("caps the field before decoding and the XML after (XML_TOO_LARGE)", () => {
    throwsCode(
      () => decodePost({ SAMLRequest: "A".repeat(defaultBindingLimits.maxEncodedBytes + 4) }),
      "XML_TOO_LARGE",
    );
    throwsCode(
      () => decodePost({ SAMLRequest: b64(XML) }, { maxEncodedBytes: 4096, maxXmlBytes: XML.length - 1 }),
      "XML_TOO_LARGE",
    );
    assert.equal(
      decodePost({ SAMLRequest: b64(XML) }, { maxEncodedBytes: 4096, maxXmlBytes: XML.length }).xml,
      XML,
    );
  });
});
