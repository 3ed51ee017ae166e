import { AppError, type ErrorCode } from "../../lib/errors.ts";
import { NCNAME, snippet } from "../../xml/chars.ts";
import { attr, displayName, isNamed, optionalChild, textOf } from "../../xml/select.ts";
import { nameIdFormat, ns } from "../urn.ts";

/**
 * Readers for the attributes and elements every SAML protocol message carries (saml-core §3.2.1
 * RequestAbstractType, §3.2.2 StatusResponseType), shared by AuthnRequest and logout parsing.
 * Each takes the code to throw, so a bad AuthnRequest is SAML_REQUEST_INVALID and a bad
 * LogoutRequest SAML_LOGOUT_INVALID.
 */

/** The SAML protocol messages Portico receives. */
export type ProtocolMessageName = "AuthnRequest" | "LogoutRequest" | "LogoutResponse";

/**
 * Longest accepted message ID. xs:ID has no limit; Salesforce's are about 300 characters (an IdP
 * that capped them at 256 broke), so 512 keeps room while bounding what is stored for replays.
 */
export const MAX_ID_LENGTH = 512;
/** saml-metadata §2.3.2: an entityID is at most 1024 characters. */
export const MAX_ENTITY_ID_LENGTH = 1024;

const WHOLE_NCNAME = new RegExp(`^${NCNAME}$`, "u");
// xs:dateTime (XML Schema Part 2 §3.2.7) with a time zone: saml-core §1.3.3 wants UTC, and a
// time without a zone is a local time nobody can place.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

export const invalidMessage = (code: ErrorCode, message: string): AppError => new AppError(code, { message });

/** Throws `code` unless `root` is `samlp:<name>`. */
export const expectRoot = (root: Element, name: ProtocolMessageName, code: ErrorCode): void => {
  if (!isNamed(root, ns.protocol, name)) {
    throw invalidMessage(code, `Expected a samlp:${name}, got <${displayName(root)}>.`);
  }
};

/** The `ID` attribute: present, an NCName (xs:ID), at most MAX_ID_LENGTH characters. */
export const readId = (root: Element, code: ErrorCode, name = "ID"): string => {
  const id = attr(root, name);
  if (id === undefined || id === "") throw invalidMessage(code, `<${displayName(root)}> has no ${name}.`);
  if (id.length > MAX_ID_LENGTH) {
    throw invalidMessage(
      code,
      `${name} is ${id.length} characters long; at most ${MAX_ID_LENGTH} are accepted.`,
    );
  }
  if (!WHOLE_NCNAME.test(id))
    throw invalidMessage(code, `${name} ${JSON.stringify(snippet(id))} is not an xs:ID.`);
  return id;
};

/** `Version` must be "2.0" (saml-core §3.2.2, §4.1.2): absent is `code`, another SAML_VERSION_UNSUPPORTED. */
export const readVersion = (root: Element, code: ErrorCode): "2.0" => {
  const version = attr(root, "Version");
  if (version === undefined) throw invalidMessage(code, `<${displayName(root)}> has no Version.`);
  if (version !== "2.0") {
    throw new AppError("SAML_VERSION_UNSUPPORTED", {
      message: `Version ${JSON.stringify(snippet(version))} is not supported; only SAML 2.0 is.`,
    });
  }
  return version;
};

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Parses an xs:dateTime with a time zone; undefined if it is not one. */
export const parseDateTime = (text: string): Date | undefined => {
  const match = DATE_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = "", zone = "Z"] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // saml-core §1.3.3 forbids leap seconds; xs:dateTime's 24:00:00 is not worth supporting.
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
    if (zh > 14 || zm > 59) return undefined;
    offsetMinutes = sign * (zh * 60 + zm);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
};

/** A required (or, with `optional`, an optional) xs:dateTime attribute. */
export function readInstant(root: Element, name: string, code: ErrorCode): Date;
export function readInstant(root: Element, name: string, code: ErrorCode, optional: true): Date | undefined;
export function readInstant(
  root: Element,
  name: string,
  code: ErrorCode,
  optional = false,
): Date | undefined {
  const text = attr(root, name);
  if (text === undefined) {
    if (optional) return undefined;
    throw invalidMessage(code, `<${displayName(root)}> has no ${name}.`);
  }
  const instant = parseDateTime(text);
  if (instant === undefined) {
    throw invalidMessage(code, `${name} ${JSON.stringify(snippet(text))} is not an xs:dateTime in UTC.`);
  }
  return instant;
}

/** An optional attribute, refused when present but empty. */
export const readOptional = (el: Element, name: string, code: ErrorCode): string | undefined => {
  const value = attr(el, name);
  if (value === "") throw invalidMessage(code, `${name} of <${displayName(el)}> is empty.`);
  return value;
};

/** xs:boolean (XML Schema Part 2 §3.2.2); `fallback` when absent. */
export const readBoolean = (el: Element, name: string, code: ErrorCode, fallback: boolean): boolean => {
  const value = attr(el, name)?.trim();
  if (value === undefined) return fallback;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw invalidMessage(code, `${name} must be true or false, not ${JSON.stringify(snippet(value))}.`);
};

/**
 * The `saml:Issuer` child: the sender's entity ID. Read with `textOf`, so a comment inside it is
 * refused (XML_MALFORMED) rather than silently joined or split (CVE-2025-29775). Its Format, when
 * given, must be the entity format (saml-profiles §4.1.4.1, §4.4.4.1).
 */
export const readIssuer = (root: Element, code: ErrorCode): string => {
  const issuer = optionalChild(root, ns.assertion, "Issuer", code);
  if (issuer === undefined) throw invalidMessage(code, `<${displayName(root)}> has no saml:Issuer.`);
  const format = attr(issuer, "Format");
  if (format !== undefined && format !== nameIdFormat.entity) {
    throw invalidMessage(code, `The Issuer's Format must be ${nameIdFormat.entity}.`);
  }
  // xs:anyURI collapses surrounding whitespace; pretty-printed issuers are common.
  const value = textOf(issuer).trim();
  if (value === "") throw invalidMessage(code, "The Issuer is empty.");
  if (value.length > MAX_ENTITY_ID_LENGTH) {
    throw invalidMessage(code, `The Issuer is longer than ${MAX_ENTITY_ID_LENGTH} characters.`);
  }
  return value;
};
