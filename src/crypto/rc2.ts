/**
 * RC2-CBC decryption (RFC 2268), only to read certificates out of legacy PKCS#12 files:
 * OpenSSL's `-legacy` and older exports encrypt the certificate bag with
 * pbeWithSHAAnd40BitRC2-CBC, and OpenSSL 3 (hence node) ships RC2 only in its legacy provider,
 * which node does not load. Never used to protect anything.
 */

// RFC 2268 §2: PITABLE, a permutation of 0..255 derived from the digits of pi.
const PITABLE = Buffer.from(
  "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2" +
    "179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82" +
    "54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626" +
    "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7" +
    "08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec" +
    "c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731" +
    "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9" +
    "0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad",
  "hex",
);

const pi = (index: number): number => PITABLE.readUInt8(index & 0xff);

/** RFC 2268 §2: key expansion into 64 16-bit words, limited to `effectiveBits`. */
const expandKey = (key: Buffer, effectiveBits: number): Uint16Array => {
  const t = key.length;
  if (t < 1 || t > 128 || effectiveBits < 1 || effectiveBits > 1024) throw new Error("RC2: bad key length");
  const l = Buffer.alloc(128);
  key.copy(l);
  for (let i = t; i < 128; i++) l.writeUInt8(pi(l.readUInt8(i - 1) + l.readUInt8(i - t)), i);
  const t8 = (effectiveBits + 7) >> 3;
  const tm = 0xff >> (8 * t8 - effectiveBits);
  l.writeUInt8(pi(l.readUInt8(128 - t8) & tm), 128 - t8);
  for (let i = 127 - t8; i >= 0; i--) l.writeUInt8(pi(l.readUInt8(i + 1) ^ l.readUInt8(i + t8)), i);
  const words = new Uint16Array(64);
  for (let i = 0; i < 64; i++) words.set([l.readUInt16LE(2 * i)], i);
  return words;
};

const ror = (word: number, shift: number): number => ((word >>> shift) | (word << (16 - shift))) & 0xffff;

/** RFC 2268 §4: one 8-byte block, in place. */
const decryptBlock = (words: Uint16Array, block: Buffer): void => {
  const k = (index: number): number => words.at(index) ?? 0;
  let [r0, r1, r2, r3] = [0, 2, 4, 6].map((offset) => block.readUInt16LE(offset)) as [
    number,
    number,
    number,
    number,
  ];
  let j = 63;
  const mix = (): void => {
    r3 = (ror(r3, 5) - k(j--) - (r2 & r1) - (~r2 & r0)) & 0xffff;
    r2 = (ror(r2, 3) - k(j--) - (r1 & r0) - (~r1 & r3)) & 0xffff;
    r1 = (ror(r1, 2) - k(j--) - (r0 & r3) - (~r0 & r2)) & 0xffff;
    r0 = (ror(r0, 1) - k(j--) - (r3 & r2) - (~r3 & r1)) & 0xffff;
  };
  const mash = (): void => {
    r3 = (r3 - k(r2 & 63)) & 0xffff;
    r2 = (r2 - k(r1 & 63)) & 0xffff;
    r1 = (r1 - k(r0 & 63)) & 0xffff;
    r0 = (r0 - k(r3 & 63)) & 0xffff;
  };
  // Five mixing rounds, a mash, six mixing, a mash, five mixing: encryption run backwards.
  for (const round of [5, 0, 6, 0, 5]) {
    if (round === 0) mash();
    for (let i = 0; i < round; i++) mix();
  }
  [r0, r1, r2, r3].forEach((word, index) => {
    block.writeUInt16LE(word, 2 * index);
  });
};

/** Decrypts one RC2 block with no chaining (for the RFC 2268 §5 test vectors). */
export const rc2DecryptBlock = (key: Buffer, effectiveBits: number, block: Buffer): Buffer => {
  if (block.length !== 8) throw new Error("RC2: a block is 8 bytes");
  const out = Buffer.from(block);
  decryptBlock(expandKey(key, effectiveBits), out);
  return out;
};

/**
 * RC2-CBC decryption with PKCS#7 padding removed (RFC 8018 §6.1.1 / RFC 2315 §10.3). Throws a
 * plain Error on a bad length or padding, which is how a wrong key usually shows.
 */
export const rc2CbcDecrypt = (key: Buffer, effectiveBits: number, iv: Buffer, data: Buffer): Buffer => {
  if (iv.length !== 8 || data.length === 0 || data.length % 8 !== 0)
    throw new Error("RC2: bad IV or data length");
  const words = expandKey(key, effectiveBits);
  const out = Buffer.alloc(data.length);
  let previous = iv;
  for (let offset = 0; offset < data.length; offset += 8) {
    const cipherBlock = data.subarray(offset, offset + 8);
    const block = Buffer.from(cipherBlock);
    decryptBlock(words, block);
    for (let i = 0; i < 8; i++) out.writeUInt8(block.readUInt8(i) ^ previous.readUInt8(i), offset + i);
    previous = cipherBlock;
  }
  const pad = out.readUInt8(out.length - 1);
  if (pad < 1 || pad > 8 || !out.subarray(out.length - pad).every((byte) => byte === pad)) {
    throw new Error("RC2: bad padding");
  }
  return out.subarray(0, out.length - pad);
};
