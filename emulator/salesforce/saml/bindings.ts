import { deflateRawSync, inflateRawSync } from "node:zlib";
import { LIMITS } from "./constants.ts";
import { el, escapeXml } from "./xml.ts";

/** Thrown when a bound message cannot be decoded. */
export class BindingRejected extends Error {
  override name = "BindingRejected";
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Strict base64 → UTF-8 (HTTP-POST binding, saml-bindings §3.5.4). */
export function decodePostMessage(value: string): string {
  if (value.length > LIMITS.samlMessageBytes * 2) throw new BindingRejected("message too large");
  if (!BASE64.test(value)) throw new BindingRejected("message is not base64");
  const bytes = Buffer.from(value, "base64");
  if (bytes.length === 0) throw new BindingRejected("message is empty");
  return bytes.toString("utf8");
}

/** base64 → raw DEFLATE → UTF-8 (HTTP-Redirect binding, saml-bindings §3.4.4.1), size-capped. */
export function decodeRedirectMessage(value: string): string {
  if (!BASE64.test(value)) throw new BindingRejected("message is not base64");
  try {
    return inflateRawSync(Buffer.from(value, "base64"), {
      maxOutputLength: LIMITS.samlMessageBytes,
    }).toString("utf8");
  } catch (error) {
    throw new BindingRejected(`message does not inflate: ${(error as Error).message}`);
  }
}

export function encodeRedirectMessage(xml: string): string {
  return deflateRawSync(Buffer.from(xml, "utf8")).toString("base64");
}

export function encodePostMessage(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}

/** An HTML page that posts `fields` to `action` as soon as it loads (saml-bindings §3.5.4). */
export function autoPostPage(action: string, fields: Record<string, string | undefined>): string {
  const inputs = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "")
    .map(([name, value]) => el("input", { type: "hidden", name, value }).raw)
    .join("");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Working...</title></head><body onload="document.forms[0].submit()"><form method="post" action="${escapeXml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}
