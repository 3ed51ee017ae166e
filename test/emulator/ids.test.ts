import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { caseSafeSuffix, IdGenerator, normalizeId, to18 } from "../../emulator/salesforce/ids.ts";

/** The 18-character case-safe id (salesforce-api.md §2.1). */

describe("case-safe ids", () => {
  const table: [id15: string, id18: string][] = [
    ["001D000000IqhSL", "001D000000IqhSLIAZ"],
    ["0055g00000XyZab", "0055g00000XyZabAAF"],
    ["00D000000000062", "00D000000000062EAA"],
    ["005000000000000", "005000000000000AAA"],
    ["ABCDEABCDEABCDE", "ABCDEABCDEABCDE555"],
  ];
  for (const [id15, id18] of table) {
    it(`${id15} → ${id18}`, () => {
      assert.equal(to18(id15), id18);
      assert.equal(caseSafeSuffix(id15), id18.slice(15));
      assert.equal(normalizeId(id15), id18);
      assert.equal(normalizeId(id18.toLowerCase()), id18, "an 18-character id is case-insensitive");
      assert.equal(normalizeId(id18.toUpperCase()), id18);
    });
  }

  const invalid = [
    "",
    "005",
    "005000000000000AA",
    "005-00000000000",
    "0050000000000006AA",
    "00500000000000099Z",
  ];
  for (const value of invalid) {
    it(`rejects ${JSON.stringify(value)}`, () => assert.equal(normalizeId(value), undefined));
  }

  it("hands out ids with the key prefix, pod and a counter", () => {
    const ids = new IdGenerator("5g");
    const first = ids.next("005");
    assert.equal(first, to18("0055g0000000001"));
    assert.notEqual(ids.next("005"), first);
    assert.match(ids.next("0Pa"), /^0Pa5g0/);
  });
});
