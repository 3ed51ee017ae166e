import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rc2CbcDecrypt, rc2DecryptBlock } from "./rc2.ts";

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ""), "hex");

// RFC 2268 §5: key, effective key bits, plaintext, ciphertext.
const vectors: [string, number, string, string][] = [
  ["0000000000000000", 63, "0000000000000000", "ebb773f993278eff"],
  ["ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"],
  ["3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"],
  ["88", 64, "0000000000000000", "61a8a244adacccf0"],
  ["88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"],
  ["88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"],
  ["88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"],
  [
    "88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e",
    129,
    "0000000000000000",
    "5b78d3a43dfff1f1",
  ],
];

describe("rc2DecryptBlock", () => {
  for (const [key, bits, plaintext, ciphertext] of vectors) {
    it(`matches RFC 2268 §5 for a ${key.length / 2}-byte key at ${bits} effective bits`, () => {
      assert.equal(rc2DecryptBlock(hex(key), bits, hex(ciphertext)).toString("hex"), plaintext);
    });
  }
});

describe("rc2CbcDecrypt", () => {
  it("decrypts RC2-40-CBC as OpenSSL encrypts it, across blocks, and strips the padding", () => {
    // printf 'Portico RC2 CBC test vector!' |
    //   openssl enc -rc2-40-cbc -K 0102030405 -iv 0001020304050607 -provider legacy -provider default
    const ciphertext = hex("701624b1dfa6af6e28be346a14366868b7d0e80a6f015057fb8ac04928b4a228");
    const plaintext = rc2CbcDecrypt(hex("0102030405"), 40, hex("0001020304050607"), ciphertext);
    assert.equal(plaintext.toString("utf8"), "Portico RC2 CBC test vector!");
  });

  it("refuses a wrong key by its padding", () => {
    const ciphertext = hex("701624b1dfa6af6e28be346a14366868b7d0e80a6f015057fb8ac04928b4a228");
    assert.throws(() => rc2CbcDecrypt(hex("0102030406"), 40, hex("0001020304050607"), ciphertext), /padding/);
  });

  it("refuses data that is not whole blocks", () => {
    assert.throws(() => rc2CbcDecrypt(hex("00"), 40, hex("0000000000000000"), hex("00")), /length/);
    assert.throws(() => rc2CbcDecrypt(hex("00"), 40, hex("0000000000000000"), Buffer.alloc(0)), /length/);
  });
});
