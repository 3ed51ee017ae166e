/** HTML that is already safe to emit (escaped, or our own markup). */
export type SafeHtml = { readonly __html: string };

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);

const isSafe = (value: unknown): value is SafeHtml =>
  typeof value === "object" &&
  value !== null &&
  "__html" in value &&
  typeof (value as SafeHtml).__html === "string";

const render = (value: unknown): string => {
  if (value === undefined || value === null || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (isSafe(value)) return value.__html;
  return escapeHtml(String(value));
};

/** Tagged template for pages: every interpolation is escaped unless it is SafeHtml. */
export const html = (strings: TemplateStringsArray, ...values: unknown[]): SafeHtml => ({
  __html: strings.reduce((out, part, i) => out + part + (i < values.length ? render(values[i]) : ""), ""),
});
