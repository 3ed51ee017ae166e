import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { wholeMessages } from "./framing.ts";

/** A BER SEQUENCE (an LDAPMessage's envelope) of `size` content bytes, with the long form when needed. */
const message = (size: number, fill: number): Buffer => {
  const content = Buffer.alloc(size, fill);
  if (size < 0x80) return Buffer.concat([Buffer.from([0x30, size]), content]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(size);
  return Buffer.concat([Buffer.from([0x30, 0x84]), length, content]);
};

const chunksOf = (data: Buffer, size: number): Buffer[] =>
  Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

const collect = (chunks: readonly Buffer[]) => {
  const delivered: Buffer[] = [];
  const handle = wholeMessages((data) => delivered.push(data));
  for (const chunk of chunks) handle(chunk);
  return delivered;
};

describe("LDAP messages handed to ldapts whole", () => {
  it("joins a message spread over many chunks once, when it is complete", () => {
    // A group entry of 2.5 MB read 64 KB at a time, then a small result after it.
    const big = message(2_500_000, 1);
    const done = message(10, 2);
    const delivered = collect(chunksOf(Buffer.concat([big, done]), 65_536));
    assert.equal(delivered.length, 1);
    assert.deepEqual(delivered[0], Buffer.concat([big, done]));
  });

  it("passes chunks of whole small messages as they are, and keeps a message cut by a chunk for the next", () => {
    const entries = Array.from({ length: 5 }, (_, i) => message(200 + i, i));
    const stream = Buffer.concat(entries);
    const delivered = collect(chunksOf(stream, 300));
    assert.deepEqual(Buffer.concat(delivered), stream);
    // Every delivery ends on a message boundary.
    const boundaries: number[] = [];
    for (const e of entries) boundaries.push((boundaries.at(-1) ?? 0) + e.length);
    let at = 0;
    for (const data of delivered) {
      at += data.length;
      assert.ok(boundaries.includes(at), `a delivery ends at ${at}, inside a message`);
    }
  });

  it("waits out a header cut between chunks", () => {
    const big = message(1000, 7);
    const delivered = collect([big.subarray(0, 3), big.subarray(3, 500), big.subarray(500)]);
    assert.deepEqual(delivered, [big]);
  });

  it("hands on what is not an LDAP message, for the parser to refuse", () => {
    const garbage = Buffer.from([0x30, 0x80, 1, 2, 3]);
    assert.deepEqual(collect([garbage]), [garbage]);
  });
});
