import { jsonParserError, SfError } from "../errors.ts";

/** Request bodies arrive as raw strings; each route family reads them the way Salesforce does. */

export function rawBody(body: unknown): string {
  return typeof body === "string" ? body : "";
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** A REST body: JSON only (415 otherwise), with Jackson-like messages for bad JSON. */
export function parseJsonBody(body: unknown, contentType: string | undefined): unknown {
  const raw = rawBody(body);
  if (raw.trim() === "") return undefined;
  const type = mediaType(contentType);
  if (type !== "" && type !== "application/json" && !type.endsWith("+json")) {
    throw new SfError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `Content type '${type}' is not supported. Use application/json or application/xml.`,
    );
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    // V8 names the position, or only the offending token; then its first occurrence is close enough.
    const text = String(err);
    const position = /position (\d+)/.exec(text)?.[1];
    const token = /Unexpected token '(.)'/.exec(text)?.[1];
    const at =
      position !== undefined ? Number(position) : token !== undefined ? raw.indexOf(token) : raw.length;
    const c = raw.charAt(at);
    const before = raw.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    const what = c === "" ? "end-of-input" : `character ('${c}' (code ${c.charCodeAt(0)}))`;
    throw jsonParserError(`Unexpected ${what}: at [line:${line}, column:${column}]`);
  }
}

/** An OAuth body: form-encoded parameters; anything else reads as no parameters. */
export function parseForm(body: unknown, contentType: string | undefined): Record<string, string> {
  if (mediaType(contentType) !== "application/x-www-form-urlencoded") return {};
  return Object.fromEntries(new URLSearchParams(rawBody(body)));
}

export function queryParams(url: string): Record<string, string> {
  const q = url.indexOf("?");
  return q < 0 ? {} : Object.fromEntries(new URLSearchParams(url.slice(q + 1)));
}
