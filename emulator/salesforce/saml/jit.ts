import { NS } from "./constants.ts";
import type { JitError } from "./types.ts";
import { attr, child, children, text } from "./xml.ts";

/**
 * Standard SAML Just-in-Time provisioning, the part that reads the assertion (Salesforce Help,
 * "Just-in-Time SAML Assertion Fields for Salesforce" and "Just-in-Time Provisioning Errors";
 * salesforce-api.md §5.7). The org side (`jit-provision.ts`) creates and updates the records.
 */

/** The documented JIT error codes the emulator produces, by their ErrorDetails name. */
export const JIT_ERRORS = {
  MISSING_FEDERATION_ID: { code: 1, description: "Missing Federation Identifier" },
  MISMATCH_FEDERATION_ID: { code: 2, description: "Mis-matched Federation Identifier" },
  USER_CREATION_API_ERROR: { code: 5, description: "Unable to create user" },
  UNRECOGNIZED_CUSTOM_FIELD: { code: 8, description: "Unrecognized custom field" },
  UNRECOGNIZED_STANDARD_FIELD: { code: 9, description: "Unrecognized standard field" },
  LICENSE_LIMIT_EXCEEDED: { code: 11, description: "License limit exceeded" },
  UNSUPPORTED_VERSION: { code: 13, description: "Unsupported provision API version" },
  USER_NAME_CHANGE_NOT_ALLOWED: { code: 14, description: "Username change isn’t allowed" },
  PROFILE_NAME_LOOKUP_ERROR: {
    code: 16,
    description: "Unable to map a unique profile ID for the given profile name",
  },
  ROLE_NAME_LOOKUP_ERROR: { code: 17, description: "Unable to map a unique role ID for the given role name" },
  INVALID_ACCOUNT_ID: { code: 18, description: "Invalid account" },
  MISSING_ACCOUNT_NAME: { code: 19, description: "Missing account name" },
  MISSING_ACCOUNT_NUMBER: { code: 20, description: "Missing account number" },
  ACCOUNT_CREATION_API_ERROR: { code: 22, description: "Unable to create account" },
  INVALID_CONTACT: { code: 23, description: "Invalid contact" },
  MISSING_CONTACT_EMAIL: { code: 24, description: "Missing contact email" },
  MISSING_CONTACT_LAST_NAME: { code: 25, description: "Missing contact last name" },
} as const;

export type JitErrorName = keyof typeof JIT_ERRORS;

/**
 * The error. For the API-error rows (5, 22) Salesforce puts the API status code and the field in
 * ErrorDetails, e.g. `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST TimeZoneSidKey`; for the others
 * the row's own name.
 */
export function jitError(name: JitErrorName, details?: string): JitError {
  const row = JIT_ERRORS[name];
  return { code: row.code, description: row.description, details: details ?? name };
}

/** Where Salesforce sends the browser on a JIT failure, with the error in the query. */
export const JIT_ERROR_PATH = "/identity/jit/saml-error.jsp";

export function jitErrorUrl(base: string, error: JitError): string {
  const query = new URLSearchParams({
    ErrorCode: String(error.code),
    ErrorDescription: error.description,
    ErrorDetails: error.details,
  });
  return `${base}${JIT_ERROR_PATH}?${query.toString()}`;
}

/** Every attribute in the assertion's AttributeStatements, first value each. */
export function assertionAttributes(assertion: Element): Map<string, string> {
  const found = new Map<string, string>();
  for (const statement of children(assertion, NS.assertion, "AttributeStatement")) {
    for (const attribute of children(statement, NS.assertion, "Attribute")) {
      const name = attr(attribute, "Name");
      if (name === undefined || found.has(name)) continue;
      found.set(name, text(child(attribute, NS.assertion, "AttributeValue")) ?? "");
    }
  }
  return found;
}
