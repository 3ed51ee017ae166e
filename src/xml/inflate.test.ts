import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deflateRawSync } from "node:zlib";
import { throwsCode } from "../../test/support/errors.ts";
import { inflateRawCapped } from "./inflate.ts";

describe("inflateRawCapped", () => {
  it("inflates what the HTTP-Redirect binding deflates", () => {
    const request = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>';
    assert.equal(inflateRawCapped(deflateRawSync(request), 1024).toString("utf8"), request);
  });

  it("allows output of exactly the cap", () => {
    assert.equal(inflateRawCapped(deflateRawSync(Buffer.alloc(1000, 0x61)), 1000).length, 1000);
  });

  it("stops a deflate bomb at the cap", () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 100 * 1024, "64 MiB of zeros deflate to well under 100 KiB");
    throwsCode(() => inflateRawCapped(bomb, 1024 * 1024), "XML_TOO_LARGE");
  });

  it("refuses data that is not raw DEFLATE", () => {
    for (const bad of [Buffer.from("not deflate at all"), deflateRawSync("<r/>").subarray(0, 2)]) {
      throwsCode(() => inflateRawCapped(bad, 1024), "XML_MALFORMED");
    }
  });
});
