import assert from "node:assert/strict";
import { createCipheriv, hkdfSync } from "node:crypto";
import { describe, it } from "node:test";
import { assertCode, thrownAppError, throwsCode } from "../../test/support/errors.ts";
import type { ErrorCode } from "../lib/errors.ts";
import {
  createSecretBox,
  generateMasterKey,
  isSealed,
  masterKeyId,
  parseMasterKey,
  sealedKeyId,
} from "./secret-box.ts";

const keyA = Buffer.alloc(32, 0xa1);
const keyB = Buffer.alloc(32, 0xb2);

const rejectsWith = (code: ErrorCode, fn: () => unknown): void => {
  throwsCode(fn, code);
};

describe("parseMasterKey", () => {
  it("reads 64 hex digits", () => {
    assert.deepEqual(parseMasterKey("a1".repeat(32)), keyA);
  });

  it("reads base64 and base64url, with or without padding, ignoring surrounding whitespace", () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    assert.deepEqual(parseMasterKey(key.toString("base64")), key);
    assert.deepEqual(parseMasterKey(key.toString("base64url")), key);
    assert.deepEqual(parseMasterKey(` ${key.toString("base64")}\n`), key);
  });

  it("reads back what generateMasterKey produces, and generates a different key each time", () => {
    const text = generateMasterKey();
    assert.equal(parseMasterKey(text).length, 32);
    assert.notEqual(generateMasterKey(), text);
  });

  it("refuses keys of another length or encoding without echoing them", () => {
    for (const text of [
      "",
      "a1".repeat(31),
      "a1".repeat(33),
      Buffer.alloc(31).toString("base64"),
      Buffer.alloc(33).toString("base64"),
      "correct horse battery staple correct horse!",
    ]) {
      const error = thrownAppError(() => parseMasterKey(text));
      assertCode(error, "CFG_MASTER_KEY_INVALID");
      if (text !== "") assert.ok(!error.message.includes(text), "the message echoes the key");
    }
  });
});

describe("createSecretBox", () => {
  it("opens what it sealed, text and binary", () => {
    const box = createSecretBox(keyA);
    assert.equal(box.openText(box.seal("client secret ✓")), "client secret ✓");
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.deepEqual(box.open(box.seal(bytes)), bytes);
    assert.equal(box.openText(box.seal("")), "");
  });

  it("emits the versioned format and never the plaintext", () => {
    const sealed = createSecretBox(keyA).seal("hunter2-secret");
    assert.match(sealed, /^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    assert.equal(sealed.split(".")[1], masterKeyId(keyA), "names the master key by its id");
    assert.ok(!sealed.includes("hunter2"));
    assert.ok(isSealed(sealed));
  });

  it("uses a fresh IV, so equal plaintexts seal differently", () => {
    const box = createSecretBox(keyA);
    assert.notEqual(box.seal("same"), box.seal("same"));
  });

  it("binds the context: a value moved to another field does not open", () => {
    const box = createSecretBox(keyA);
    const sealed = box.seal("private key", "keyPair:a:privateKey");
    assert.equal(box.openText(sealed, "keyPair:a:privateKey"), "private key");
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => box.open(sealed, "keyPair:b:privateKey"));
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => box.open(sealed));
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => box.open(box.seal("x"), "keyPair:a:privateKey"));
  });

  it("refuses a value sealed under another master key", () => {
    const sealed = createSecretBox(keyA).seal("secret");
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => createSecretBox(keyB).open(sealed));
  });

  it("refuses any altered part", () => {
    const box = createSecretBox(keyA);
    const sealed = box.seal("a secret long enough to flip bits in");
    const parts = sealed.split(".");
    for (const index of [1, 2, 3, 4]) {
      const part = Buffer.from(parts[index] ?? "", "base64url");
      part[0] = (part[0] ?? 0) ^ 1;
      const altered = parts.map((p, i) => (i === index ? part.toString("base64url") : p)).join(".");
      rejectsWith("CRYPTO_DECRYPT_FAILED", () => box.open(altered));
    }
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => box.open(sealed.slice(0, -2)));
  });

  it("refuses text that is not a sealed value, without echoing it", () => {
    const box = createSecretBox(keyA);
    for (const text of ["plain secret", "v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA", ""]) {
      assert.equal(isSealed(text), false);
      const error = thrownAppError(() => box.open(text));
      assertCode(error, "CRYPTO_DECRYPT_FAILED");
      if (text !== "") assert.ok(!error.message.includes(text), "the message echoes the text");
    }
  });

  it("refuses a master key that is not 32 bytes", () => {
    rejectsWith("CFG_MASTER_KEY_INVALID", () => createSecretBox(Buffer.alloc(16)));
  });

  it("rotates: opens what a previous master key sealed, seals under the current one, re-seals in place", () => {
    const before = createSecretBox(keyA);
    const old = before.seal("client secret", "target:org");
    const during = createSecretBox(keyB, [keyA]);
    assert.equal(during.openText(old, "target:org"), "client secret");
    assert.equal(during.needsReseal(old), true);
    const fresh = during.reseal(old, "target:org");
    assert.equal(sealedKeyId(fresh), masterKeyId(keyB));
    assert.equal(during.needsReseal(fresh), false);
    assert.equal(
      createSecretBox(keyB).openText(fresh, "target:org"),
      "client secret",
      "the old key is no longer needed",
    );
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => createSecretBox(keyB).open(old, "target:org"));
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => during.reseal(old, "another:context"));
    assert.notEqual(masterKeyId(keyA), masterKeyId(keyB));
    assert.ok(!masterKeyId(keyA).includes(keyA.toString("base64url").slice(0, 8)));
  });

  it("opens values sealed before key ids (v1) under the current or a previous key, and re-seals them", () => {
    // The v1 format, as Portico wrote it before key ids.
    const key = Buffer.from(hkdfSync("sha256", keyA, Buffer.alloc(0), "portico/secret-box/v1", 32));
    const iv = Buffer.alloc(12, 7);
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from("v1\u0000ctx", "utf8"));
    const ciphertext = Buffer.concat([cipher.update("legacy"), cipher.final()]);
    const v1 = ["v1", iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(".");
    assert.equal(sealedKeyId(v1), "v1");
    assert.equal(createSecretBox(keyA).openText(v1, "ctx"), "legacy");
    const rotating = createSecretBox(keyB, [keyA]);
    assert.equal(rotating.openText(v1, "ctx"), "legacy");
    assert.equal(rotating.needsReseal(v1), true);
    assert.equal(createSecretBox(keyB).openText(rotating.reseal(v1, "ctx"), "ctx"), "legacy");
    rejectsWith("CRYPTO_DECRYPT_FAILED", () => createSecretBox(keyB).open(v1, "ctx"));
  });
});
