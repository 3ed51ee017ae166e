/**
 * CSV as Bulk API 2.0 reads and writes it: RFC 4180 quoting, the job's column delimiter and line
 * ending. Data whose rows end otherwise than the job says is refused, as Salesforce refuses it.
 */

export const columnDelimiters = {
  BACKQUOTE: "`",
  CARET: "^",
  COMMA: ",",
  PIPE: "|",
  SEMICOLON: ";",
  TAB: "\t",
} as const;

export type ColumnDelimiter = keyof typeof columnDelimiters;
export type LineEnding = "LF" | "CRLF";

export class CsvLineEndingError extends Error {}

/** Rows of cells; a quoted cell may hold delimiters, quotes (doubled) and line breaks. */
export function parseCsv(text: string, delimiter: ColumnDelimiter, lineEnding: LineEnding): string[][] {
  const sep = columnDelimiters[delimiter];
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  const endRow = (): void => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = "";
  };
  while (i < text.length) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text.charAt(i + 1) === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        cell += c;
        i++;
      }
      continue;
    }
    if (c === '"' && cell === "") {
      quoted = true;
      i++;
    } else if (c === sep) {
      row.push(cell);
      cell = "";
      i++;
    } else if (c === "\r" && text.charAt(i + 1) === "\n") {
      if (lineEnding !== "CRLF") throw new CsvLineEndingError(lineEnding);
      endRow();
      i += 2;
    } else if (c === "\n") {
      if (lineEnding !== "LF") throw new CsvLineEndingError(lineEnding);
      endRow();
      i++;
    } else {
      cell += c;
      i++;
    }
  }
  if (cell !== "" || row.length > 0) endRow();
  return rows;
}

function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** Lines of cells joined by the job's delimiter, each ended by the job's line ending. */
function lines(rows: string[][], delimiter: ColumnDelimiter, lineEnding: LineEnding): string {
  const eol = lineEnding === "CRLF" ? "\r\n" : "\n";
  return rows.map((r) => r.join(columnDelimiters[delimiter]) + eol).join("");
}

/**
 * A results file: the `sf__` columns quoted, then the uploaded header as it came, then every value
 * quoted — the shape of Salesforce's successfulResults and failedResults.
 */
export function formatResults(
  sfColumns: string[],
  header: string[],
  rows: string[][],
  delimiter: ColumnDelimiter,
  lineEnding: LineEnding,
): string {
  return lines(
    [[...sfColumns.map(quote), ...header], ...rows.map((r) => r.map(quote))],
    delimiter,
    lineEnding,
  );
}

/** Rows as uploaded (the unprocessed records file): the header and the cells, quoted where needed. */
export function formatRows(
  header: string[],
  rows: string[][],
  delimiter: ColumnDelimiter,
  lineEnding: LineEnding,
): string {
  const sep = columnDelimiters[delimiter];
  const cell = (v: string): string => (/["\r\n]/.test(v) || v.includes(sep) ? quote(v) : v);
  return lines(
    [header, ...rows].map((r) => r.map(cell)),
    delimiter,
    lineEnding,
  );
}
