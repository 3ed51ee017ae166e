import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCsv } from "./csv.ts";

describe("parseCsv", () => {
  it("reads quoted fields, doubled quotes, CRLF and a byte-order mark, and knows each record's line", () => {
    const result = parseCsv(
      '\uFEFFuid,title\r\nada,"Countess, ""Enchantress of Numbers"""\r\n\r\nbob,"two\nlines"\ncarol,\n',
    );
    assert.deepEqual(result, {
      ok: true,
      records: [
        { line: 1, fields: ["uid", "title"] },
        { line: 2, fields: ["ada", 'Countess, "Enchantress of Numbers"'] },
        { line: 4, fields: ["bob", "two\nlines"] },
        { line: 6, fields: ["carol", ""] },
      ],
    });
  });

  it("keeps a last record without a line end and an empty quoted field", () => {
    assert.deepEqual(parseCsv('uid,sn\nada,""'), {
      ok: true,
      records: [
        { line: 1, fields: ["uid", "sn"] },
        { line: 2, fields: ["ada", ""] },
      ],
    });
  });

  for (const [name, text, line, message] of [
    ["an unclosed quote", 'uid,sn\nada,"Love\nlace\n', 2, /not closed/],
    ["a quote inside an unquoted field", 'uid,sn\nada,Love"lace\n', 2, /quote inside an unquoted field/],
    ["text after a closing quote", 'uid,sn\n\nada,"Love"lace\n', 3, /after a closing quote/],
  ] as const) {
    it(`refuses ${name}, naming the line`, () => {
      const result = parseCsv(text);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.line, line);
      assert.match(result.message, message);
    });
  }
});
