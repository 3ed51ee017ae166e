import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { codePointLabel, findInvalidXmlChar } from "../../xml/chars.ts";

/**
 * The rules a directory entry must meet. Values end up inside signed SAML assertions and
 * Salesforce records, so they are checked here, at the door, and each problem names its field.
 */

/** An attribute as clients give it: one value, several, or null (or []) to remove it. */
export type AttributeInput = string | readonly string[] | null;

export const uidPattern = "^[A-Za-z0-9._@-]{1,128}$";
/** Group names: as uids, plus inner spaces ("Sales EMEA"). No ";" — it separates groups in CSV. */
export const cnPattern = "^[A-Za-z0-9._@-](?:[A-Za-z0-9 ._@-]{0,126}[A-Za-z0-9._@-])?$";
/** LDAP attribute descriptors (RFC 4512 §1.4 `keystring`), capped at 64 characters. */
export const attributeNamePattern = "^[A-Za-z][A-Za-z0-9-]{0,63}$";

const UID = new RegExp(uidPattern);
const CN = new RegExp(cnPattern);
export const isUid = (text: string): boolean => UID.test(text);
export const isCn = (text: string): boolean => CN.test(text);
const ATTRIBUTE_NAME = new RegExp(attributeNamePattern);
// Pragmatic: something@domain.tld, no spaces; Salesforce checks its own Email rules on provisioning.
const MAIL = /^[^\s@]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}-]{2,63}$/u;

export const limits = {
  valueLength: 4096,
  valuesPerAttribute: 100,
  attributesPerUser: 100,
  descriptionLength: 1024,
  /**
   * NIST SP 800-63B §5.1.1.2: at least 8 characters for a memorised secret the user chooses, no
   * composition rules, and long passphrases allowed. Admin accounts ask for 12 (more power); 8 here
   * because directory users sign in often and the sign-in form throttles guessing.
   */
  passwordMinLength: 8,
  passwordMaxLength: 1024,
  importRows: 10_000,
  pageSize: 100,
  maxPageSize: 1000,
} as const;

/** Keys of the flattened user document that are not attributes. */
export const reservedUserKeys = [
  "uid",
  "password",
  "enabled",
  "groups",
  "createdAt",
  "updatedAt",
  "hasPassword",
];
// userPassword would be stored and shown in clear (and could reach an assertion): use `password`.
// memberOf is computed from groups.
export const reservedNames = new Map<string, string>([
  ...reservedUserKeys.map((k): [string, string] => [k.toLowerCase(), "is reserved, not an attribute"]),
  ["userpassword", "is not stored as an attribute; set password instead"],
  ["memberof", "is computed from groups"],
]);

/** The spelling of well-known attributes, so `Mail` and `mail` are one attribute, stored as `mail`. */
const canonicalNames = new Map(
  [
    "mail",
    "givenName",
    "sn",
    "cn",
    "displayName",
    "title",
    "department",
    "telephoneNumber",
    "mobile",
    "employeeNumber",
    "preferredLanguage",
    "description",
    "o",
    "ou",
    "l",
    "st",
    "c",
    "street",
    "postalCode",
    "manager",
  ].map((n) => [n.toLowerCase(), n]),
);

const canonicalName = (name: string): string => canonicalNames.get(name.toLowerCase()) ?? name;

export type Problems = ErrorDetail[];

export const checkUid = (uid: string, field: string, problems: Problems) => {
  if (!UID.test(uid)) problems.push({ field, message: "must be 1–128 letters, digits or . _ @ -" });
};

export const checkCn = (cn: string, field: string, problems: Problems) => {
  if (!CN.test(cn)) {
    problems.push({
      field,
      message: "must be 1–128 letters, digits, spaces or . _ @ - (no space at either end)",
    });
  }
};

/** A value that will end up in signed SAML assertions: bounded, and only XML 1.0 characters. */
export const checkText = (value: string, field: string, maxLength: number, problems: Problems): boolean => {
  if (value.length > maxLength) {
    problems.push({ field, message: `must be at most ${maxLength} characters` });
    return false;
  }
  const bad = findInvalidXmlChar(value);
  if (bad !== -1) {
    problems.push({
      field,
      message: `contains ${codePointLabel(value, bad)}, which XML 1.0 cannot carry (values go into signed assertions)`,
    });
    return false;
  }
  return true;
};

export const checkPassword = (password: string, uid: string, problems: Problems, field = "password") => {
  const length = [...password].length;
  if (length < limits.passwordMinLength) {
    problems.push({ field, message: `must be at least ${limits.passwordMinLength} characters` });
  } else if (password.length > limits.passwordMaxLength) {
    problems.push({ field, message: `must be at most ${limits.passwordMaxLength} characters` });
  } else if (password.toLowerCase() === uid.toLowerCase()) {
    problems.push({ field, message: "must not be the uid" });
  }
};

/** Checks an attribute name; returns its stored spelling, or undefined when it is refused. */
export const attributeName = (name: string, field: string, problems: Problems): string | undefined => {
  const reserved = reservedNames.get(name.toLowerCase());
  if (reserved) {
    problems.push({ field, message: reserved });
    return undefined;
  }
  if (!ATTRIBUTE_NAME.test(name)) {
    problems.push({
      field,
      message: "is not an attribute name (a letter, then letters, digits or -, at most 64)",
    });
    return undefined;
  }
  return canonicalName(name);
};

/** Checks one attribute's values; returns them without exact duplicates (empty when removed). */
export const attributeValues = (
  name: string,
  input: AttributeInput,
  field: string,
  problems: Problems,
): string[] => {
  const values = input === null ? [] : typeof input === "string" ? [input] : [...input];
  if (values.length > limits.valuesPerAttribute) {
    problems.push({ field, message: `has more than ${limits.valuesPerAttribute} values` });
    return [];
  }
  const out: string[] = [];
  values.forEach((value, i) => {
    const at = typeof input === "string" ? field : `${field}[${i}]`;
    if (value === "") {
      problems.push({ field: at, message: "must not be empty (use null to remove the attribute)" });
      return;
    }
    if (!checkText(value, at, limits.valueLength, problems)) return;
    if (name === "mail" && (value.length > 254 || !MAIL.test(value))) {
      problems.push({ field: at, message: "must be an email address (name@example.com)" });
      return;
    }
    if (!out.includes(value)) out.push(value);
  });
  return out;
};

/**
 * Applies `changes` to `current` (case-insensitive names: `MAIL` replaces `mail`). Problems name
 * each field as `<prefix><name>`.
 */
export const applyAttributes = (
  current: Readonly<Record<string, readonly string[]>>,
  changes: Readonly<Record<string, AttributeInput>>,
  problems: Problems,
  fieldOf: (name: string) => string = (name) => name,
): Record<string, string[]> => {
  const result: Record<string, string[]> = Object.fromEntries(
    Object.entries(current).map(([n, v]) => [n, [...v]]),
  );
  const seen = new Set<string>();
  for (const [given, input] of Object.entries(changes)) {
    const field = fieldOf(given);
    const name = attributeName(given, field, problems);
    if (name === undefined) continue;
    if (seen.has(name.toLowerCase())) {
      problems.push({ field, message: "is given twice (attribute names ignore case)" });
      continue;
    }
    seen.add(name.toLowerCase());
    const values = attributeValues(name, input, field, problems);
    for (const existing of Object.keys(result)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete result[existing];
    }
    if (values.length > 0) result[name] = values;
  }
  if (Object.keys(result).length > limits.attributesPerUser) {
    problems.push({ field: "attributes", message: `at most ${limits.attributesPerUser} attributes a user` });
  }
  return result;
};

export const fail = (code: "DIR_INVALID" | "DIR_CSV_INVALID", problems: Problems): never => {
  const first = problems[0];
  throw new AppError(code, {
    message: first
      ? `${first.field}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`
      : undefined,
    details: problems.slice(0, 20),
  });
};

export const failIfAny = (problems: Problems): void => {
  if (problems.length > 0) fail("DIR_INVALID", problems);
};
