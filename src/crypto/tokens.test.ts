import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { constantTimeEqual, generateApiToken, hashToken, isApiToken } from "./tokens.ts";

describe("generateApiToken", () => {
  it("makes a recognisable 256-bit token and a short public id", () => {
    const { token, id } = generateApiToken();
    assert.match(token, /^ptk_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token.slice(4), "base64url").length, 32);
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.ok(!token.includes(id));
    assert.ok(isApiToken(token));
  });

  it("never repeats", () => {
    const tokens = new Set(Array.from({ length: 50 }, () => generateApiToken().token));
    const ids = new Set(Array.from({ length: 50 }, () => generateApiToken().id));
    assert.equal(tokens.size, 50);
    assert.equal(ids.size, 50);
  });
});

describe("isApiToken", () => {
  it("refuses other shapes", () => {
    for (const text of [
      "",
      "ptk_",
      "ptk_short",
      `pat_${"a".repeat(43)}`,
      `ptk_${"a".repeat(42)}!`,
      `ptk_${"a".repeat(44)}`,
    ]) {
      assert.equal(isApiToken(text), false, text);
    }
  });
});

describe("hashToken", () => {
  it("is the SHA-256 hex of the token, stable and distinct per token", () => {
    // SHA-256("abc") from FIPS 180-2 appendix B.1
    assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const { token } = generateApiToken();
    assert.equal(hashToken(token), hashToken(token));
    assert.notEqual(hashToken(token), hashToken(generateApiToken().token));
    assert.ok(!hashToken(token).includes(token.slice(4)));
  });
});

describe("constantTimeEqual", () => {
  it("is true only for equal values, strings or buffers", () => {
    assert.equal(constantTimeEqual("secret", "secret"), true);
    assert.equal(constantTimeEqual(Buffer.from("secret"), "secret"), true);
    assert.equal(constantTimeEqual("secret", "secreT"), false);
    assert.equal(constantTimeEqual("", ""), true);
  });

  it("handles different lengths without throwing", () => {
    assert.equal(constantTimeEqual("secret", "secret-longer"), false);
    assert.equal(constantTimeEqual("", "x"), false);
    assert.equal(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(1)), false);
  });

  it("compares strings as UTF-8", () => {
    assert.equal(constantTimeEqual("café", Buffer.from("café", "utf8")), true);
    assert.equal(constantTimeEqual("café", Buffer.from("café", "latin1")), false);
  });
});
