/**
 * CSV for exports, as RFC 4180 writes it: CRLF line ends, a field in double quotes when it holds
 * a quote, comma or line break (its quotes doubled). A cell that a spreadsheet would run as a
 * formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list) gets a
 * leading `'`, so the text is shown and never evaluated.
 */

const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

export const csvCell = (value: string): string => {
  const text = formulaStart.test(value) ? `'${value}` : value;
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const csvRow = (cells: readonly string[]): string => `${cells.map(csvCell).join(",")}\r\n`;
