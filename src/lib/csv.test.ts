import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csvCell, csvRow } from "./csv.ts";

describe("CSV export cells", () => {
  it("quotes a field with a quote, comma or line break (RFC 4180), and leaves others bare", () => {
    assert.equal(csvCell("plain text"), "plain text");
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell("a,b"), '"a,b"');
    assert.equal(csvCell("line\nbreak"), '"line\nbreak"');
    assert.equal(csvCell(""), "");
  });

  it("shows what a spreadsheet would run as a formula as text", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"])
      assert.ok(csvCell(`${start}1+1`).includes(`'${start}1+1`), JSON.stringify(start));
    assert.equal(csvCell('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
    assert.equal(csvCell("2026-11-28T10:00:00.000Z"), "2026-11-28T10:00:00.000Z");
  });

  it("ends each row with CRLF", () => {
    assert.equal(csvRow(["a", "b,c", "=d"]), `a,"b,c",'=d\r\n`);
  });
});
