/**
 * A small RFC 4180 reader for directory imports: comma-separated, fields optionally in double
 * quotes (`""` is a quote inside one; quoted fields may span lines), CRLF or LF line ends, an
 * optional UTF-8 byte-order mark. Each record knows the line it starts on, for error messages.
 */

export type CsvRecord = { readonly line: number; readonly fields: readonly string[] };

export type CsvParseResult =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

export const parseCsv = (input: string): CsvParseResult => {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  // Whether the current field began with a quote (and so may not take more text after it closes).
  let wasQuoted = false;
  let i = 0;

  const endField = () => {
    fields.push(field);
    field = "";
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is no record; a line of empty fields ("," alone) is one.
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          return {
            ok: false,
            line,
            message: "text after a closing quote; double a quote inside a quoted field",
          };
        }
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field !== "" || wasQuoted) {
        return { ok: false, line, message: "a quote inside an unquoted field; quote the whole field" };
      }
      quoted = true;
      wasQuoted = true;
      i++;
      continue;
    }
    if (c === ",") {
      endField();
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    i++;
  }
  if (quoted) return { ok: false, line: recordLine, message: "a quoted field is not closed" };
  if (field !== "" || fields.length > 0 || wasQuoted) endRecord();
  return { ok: true, records };
};
