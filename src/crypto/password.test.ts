import assert from "node:assert/strict";
import { scryptSync } from "node:crypto";
import { describe, it } from "node:test";
import { hashPassword, passwordNeedsRehash, verifyPassword } from "./password.ts";

describe("hashPassword / verifyPassword", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const encoded = await hashPassword("correct horse battery staple");
    assert.equal(await verifyPassword("correct horse battery staple", encoded), true);
    assert.equal(await verifyPassword("correct horse battery stapler", encoded), false);
    assert.equal(await verifyPassword("", encoded), false);
  });

  it("encodes scrypt with its parameters and a 16-byte salt, never the password", async () => {
    const encoded = await hashPassword("s3cret-pass");
    const [scheme, n, r, p, salt, hash] = encoded.split("$");
    assert.deepEqual([scheme, n, r, p], ["scrypt", "32768", "8", "1"]);
    assert.equal(Buffer.from(salt ?? "", "base64url").length, 16);
    assert.equal(Buffer.from(hash ?? "", "base64url").length, 32);
    assert.ok(!encoded.includes("s3cret"));
  });

  it("salts every hash", async () => {
    assert.notEqual(await hashPassword("same"), await hashPassword("same"));
  });

  it("verifies hashes made with other parameters, and says they need a re-hash", async () => {
    const salt = Buffer.alloc(16, 7);
    const hash = scryptSync("old password", salt, 32, { N: 1024, r: 8, p: 2 });
    const encoded = `scrypt$1024$8$2$${salt.toString("base64url")}$${hash.toString("base64url")}`;
    assert.equal(await verifyPassword("old password", encoded), true);
    assert.equal(await verifyPassword("old passwore", encoded), false);
    assert.equal(passwordNeedsRehash(encoded), true);
    assert.equal(passwordNeedsRehash(await hashPassword("new")), false);
  });

  it("treats differently composed Unicode as the same password (NFKC)", async () => {
    const composed = "caf\u00e9";
    const decomposed = "cafe\u0301";
    assert.equal(await verifyPassword(decomposed, await hashPassword(composed)), true);
  });

  it("returns false, never throws, for garbage or hostile encodings", async () => {
    const salt = Buffer.alloc(16).toString("base64url");
    const hash = Buffer.alloc(32).toString("base64url");
    for (const encoded of [
      "",
      "plaintext",
      "$$$$$",
      `bcrypt$1024$8$1$${salt}$${hash}`,
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1$8$1$${salt}$${hash}`,
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`, // would need 128 GiB
      `scrypt$${2 ** 20}$32$1$${salt}$${hash}`, // 4 GiB
      `scrypt$1024$0$1$${salt}$${hash}`,
      `scrypt$1024$8$1$${salt}$`,
      `scrypt$1024$8$1$***$${hash}`,
      `scrypt$1024$8$1$${salt}$${hash}$extra`,
      `scrypt$01024$8$1$${salt}$${hash}`,
    ]) {
      assert.equal(await verifyPassword("anything", encoded), false, encoded);
    }
  });
});
