import { insertRecord, updateRecord } from "./dml.ts";
import { RecordFailure } from "./errors.ts";
import type { DmlContext, Org } from "./org.ts";
import { jitError } from "./saml/jit.ts";
import type { JitError, JitOutcome, JitRequest } from "./saml/types.ts";
import type { SObjectType } from "./schema/schema.ts";
import type { FieldValue, SRecord } from "./store.ts";

/**
 * Standard SAML Just-in-Time provisioning, the org's half (Salesforce Help, "Just-in-Time SAML
 * Assertion Fields for Salesforce" and "… for Experience Cloud Sites"; salesforce-api.md §5.7).
 * The user is found by Federation ID; a new one is created with the org's defaults, a known one
 * updated. At a site, the Contact and Account are matched or created first. Every write runs
 * through the same DML rules as the API, inside one savepoint.
 */

class JitFailure extends Error {
  constructor(readonly error: JitError) {
    super(error.description);
  }
}

const fail = (...args: Parameters<typeof jitError>): never => {
  throw new JitFailure(jitError(...args));
};

/** User fields the JIT help page lists that this emulated org's User object also has. */
const USER_FIELDS = new Set([
  "Alias",
  "City",
  "CommunityNickname",
  "CompanyName",
  "Country",
  "Department",
  "Division",
  "Email",
  "EmailEncodingKey",
  "EmployeeNumber",
  "Extension",
  "Fax",
  "FederationIdentifier",
  "FirstName",
  "ForecastEnabled",
  "IsActive",
  "LastName",
  "LanguageLocaleKey",
  "LocaleSidKey",
  "MobilePhone",
  "Phone",
  "PostalCode",
  "ProfileId",
  "ReceivesInfoEmails",
  "State",
  "Street",
  "TimeZoneSidKey",
  "Title",
  "Username",
  "UserRoleId",
]);

const REQUIRED_ALWAYS = ["Email", "LastName", "ProfileId"] as const;

function typeOf(org: Org, name: string): SObjectType {
  const type = org.schema.type(name);
  if (type === undefined) throw new Error(`the org has no ${name} object`);
  return type;
}

/** `prefix.Field` attributes as Field → value. */
function fieldsWithPrefix(attributes: Map<string, string>, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of attributes) {
    if (name.startsWith(`${prefix}.`)) out.set(name.slice(prefix.length + 1), value);
  }
  return out;
}

/** A value as the field's type wants it: booleans from "true"/"1". */
function typed(type: SObjectType, field: string, value: string): FieldValue {
  if (type.field(field)?.type === "boolean") return value === "true" || value === "1";
  return value;
}

/** An id of `typeName`, or the one record whose Name is `value`; otherwise the lookup error. */
function byIdOrName(
  org: Org,
  typeName: string,
  value: string,
  error: "PROFILE_NAME_LOOKUP_ERROR" | "ROLE_NAME_LOOKUP_ERROR",
): string {
  const direct = org.get(typeName, value);
  if (direct !== undefined) return direct.Id;
  const wanted = value.toLowerCase();
  const named = [...org.rows(typeName)].filter((r) => String(r.Name).toLowerCase() === wanted);
  const only = named.length === 1 ? named[0] : undefined;
  if (only === undefined) return fail(error);
  return only.Id;
}

function apiError(
  name: "USER_CREATION_API_ERROR" | "ACCOUNT_CREATION_API_ERROR",
  failure: RecordFailure,
): never {
  const first = failure.errors[0];
  if (name === "USER_CREATION_API_ERROR" && first?.statusCode === "LICENSE_LIMIT_EXCEEDED") {
    return fail("LICENSE_LIMIT_EXCEEDED");
  }
  const details = first ? [first.statusCode, ...first.fields].join(" ") : name;
  return fail(name, details);
}

function userValues(org: Org, fields: Map<string, string>): Record<string, FieldValue> {
  const type = typeOf(org, "User");
  const values: Record<string, FieldValue> = {};
  for (const [field, value] of fields) {
    if (field === "Contact" || field === "PortalRole") continue;
    if (field.endsWith("__c")) {
      if (type.field(field) === undefined)
        fail("UNRECOGNIZED_CUSTOM_FIELD", `UNRECOGNIZED_CUSTOM_FIELD ${field}`);
    } else if (!USER_FIELDS.has(field) || type.field(field) === undefined) {
      fail("UNRECOGNIZED_STANDARD_FIELD", `UNRECOGNIZED_STANDARD_FIELD ${field}`);
    }
    values[field] = typed(type, field, value);
  }
  if (typeof values.ProfileId === "string" && values.ProfileId !== "") {
    values.ProfileId = byIdOrName(org, "Profile", values.ProfileId, "PROFILE_NAME_LOOKUP_ERROR");
  }
  if (typeof values.UserRoleId === "string" && values.UserRoleId !== "") {
    values.UserRoleId = byIdOrName(org, "UserRole", values.UserRoleId, "ROLE_NAME_LOOKUP_ERROR");
  }
  return values;
}

function requireFields(values: Record<string, FieldValue>, fields: readonly string[]): void {
  for (const field of fields) {
    if (values[field] === undefined || values[field] === "" || values[field] === null) {
      fail("USER_CREATION_API_ERROR", `REQUIRED_FIELD_MISSING ${field}`);
    }
  }
}

/** Defaults Salesforce derives when the assertion leaves them out (the help page's comments). */
function insertDefaults(org: Org, values: Record<string, FieldValue>): Record<string, FieldValue> {
  const company = org.rows("Organization").next().value as SRecord | undefined;
  const first = typeof values.FirstName === "string" ? values.FirstName : "";
  const last = typeof values.LastName === "string" ? values.LastName : "";
  return {
    Alias: `${first.slice(0, 1)}${last.slice(0, 4)}`.toLowerCase() || "user",
    TimeZoneSidKey: company?.TimeZoneSidKey ?? "America/Los_Angeles",
    LocaleSidKey: company?.DefaultLocaleSidKey ?? "en_US",
    LanguageLocaleKey: company?.LanguageLocaleKey ?? "en_US",
    EmailEncodingKey: "UTF-8",
    ...values,
  };
}

function findFederated(org: Org, federationId: string): SRecord | undefined {
  for (const id of org.store.table("User").lookup("FederationIdentifier", federationId.toLowerCase())) {
    const user = org.get("User", id);
    if (user === undefined) continue;
    if (org.settings.federationIdCaseInsensitive || user.FederationIdentifier === federationId) return user;
  }
  return undefined;
}

/**
 * Experience Cloud: the contact by `User.Contact` or `Contact.Email`; failing that the account by
 * `Contact.Account` or `Account.AccountNumber`, created when missing; then the contact.
 */
function siteContact(org: Org, attributes: Map<string, string>, ctx: DmlContext): string {
  const contactFields = fieldsWithPrefix(attributes, "Contact");
  const accountFields = fieldsWithPrefix(attributes, "Account");
  const contactId = attributes.get("User.Contact");
  if (contactId !== undefined && contactId !== "") {
    if (org.get("Contact", contactId) === undefined) fail("INVALID_CONTACT");
    return contactId;
  }
  const email = contactFields.get("Email");
  if (email === undefined || email === "") return fail("MISSING_CONTACT_EMAIL");
  if ((contactFields.get("LastName") ?? "") === "") fail("MISSING_CONTACT_LAST_NAME");
  const wanted = email.toLowerCase();
  const known = [...org.rows("Contact")].find((c) => String(c.Email ?? "").toLowerCase() === wanted);
  if (known !== undefined) return known.Id;

  let accountId = contactFields.get("Account");
  if (accountId !== undefined && accountId !== "") {
    if (org.get("Account", accountId) === undefined) fail("INVALID_ACCOUNT_ID");
  } else {
    const name = accountFields.get("Name") ?? "";
    const number = accountFields.get("AccountNumber") ?? "";
    if (name === "") fail("MISSING_ACCOUNT_NAME");
    if (number === "") fail("MISSING_ACCOUNT_NUMBER");
    const existing = [...org.rows("Account")].find((a) => a.AccountNumber === number);
    accountId = existing?.Id ?? createAccount(org, accountFields, ctx);
  }
  const values: Record<string, FieldValue> = { AccountId: accountId };
  const type = typeOf(org, "Contact");
  for (const [field, value] of contactFields)
    if (field !== "Account") values[field] = typed(type, field, value);
  try {
    return insertRecord(org, type, values, ctx).Id;
  } catch (err) {
    if (err instanceof RecordFailure) apiError("USER_CREATION_API_ERROR", err);
    throw err;
  }
}

function createAccount(org: Org, fields: Map<string, string>, ctx: DmlContext): string {
  const type = typeOf(org, "Account");
  const values: Record<string, FieldValue> = { OwnerId: org.adminUserId };
  for (const [field, value] of fields) {
    if (field === "Owner") values.OwnerId = value;
    else values[field] = typed(type, field, value);
  }
  try {
    return insertRecord(org, type, values, ctx).Id;
  } catch (err) {
    if (err instanceof RecordFailure) apiError("ACCOUNT_CREATION_API_ERROR", err);
    throw err;
  }
}

function provisionOrThrow(org: Org, request: JitRequest): { user: SRecord; created: boolean } {
  const version = request.attributes.get("ProvisionVersion");
  if (version !== undefined && version !== "1.0") fail("UNSUPPORTED_VERSION");
  const ctx: DmlContext = { userId: org.adminUserId };
  const values = userValues(org, fieldsWithPrefix(request.attributes, "User"));
  const given = values.FederationIdentifier;
  if (typeof given === "string" && given !== "") {
    const same = org.settings.federationIdCaseInsensitive
      ? given.toLowerCase() === request.federationId.toLowerCase()
      : given === request.federationId;
    if (!same) fail("MISMATCH_FEDERATION_ID");
  }
  const type = typeOf(org, "User");
  const existing = findFederated(org, request.federationId);
  requireFields(values, existing === undefined ? [...REQUIRED_ALWAYS, "Username"] : REQUIRED_ALWAYS);
  try {
    if (existing !== undefined) {
      if (
        typeof values.Username === "string" &&
        values.Username.toLowerCase() !== String(existing.Username).toLowerCase()
      ) {
        fail("USER_NAME_CHANGE_NOT_ALLOWED");
      }
      // Username and FederationIdentifier are insert-only.
      const { Username: _u, FederationIdentifier: _f, ...changes } = values;
      return { user: updateRecord(org, type, existing.Id, changes, ctx), created: false };
    }
    const contact = request.community !== undefined || hasSiteAttributes(request.attributes);
    const draft = insertDefaults(org, { ...values, FederationIdentifier: request.federationId });
    if (contact) draft.ContactId = siteContact(org, request.attributes, ctx);
    return { user: insertRecord(org, type, draft, ctx), created: true };
  } catch (err) {
    if (err instanceof RecordFailure) apiError("USER_CREATION_API_ERROR", err);
    throw err;
  }
}

function hasSiteAttributes(attributes: Map<string, string>): boolean {
  for (const name of attributes.keys()) {
    if (name.startsWith("Contact.") || name.startsWith("Account.") || name === "User.Contact") return true;
  }
  return false;
}

/** Runs JIT for one assertion; nothing is written when it fails. */
export function provisionFromAssertion(org: Org, request: JitRequest): JitOutcome {
  const savepoint = org.store.savepoint();
  try {
    const { user, created } = provisionOrThrow(org, request);
    savepoint.release();
    return {
      ok: true,
      created,
      user: {
        Id: user.Id,
        Username: String(user.Username),
        FederationIdentifier:
          typeof user.FederationIdentifier === "string" ? user.FederationIdentifier : null,
        IsActive: user.IsActive === true,
        IsFrozen: org.userLoginOf(user.Id)?.IsFrozen === true,
      },
    };
  } catch (err) {
    savepoint.rollback();
    if (err instanceof JitFailure) return { ok: false, error: err.error };
    throw err;
  }
}
