import type { ErrorSpec } from "./spec.ts";

/** Codes of the server itself: configuration, the admin API, accounts, keys, connections, storage and the CLI. Part of `errorCatalogue` (src/lib/errors.ts). */
export const platformErrors = {
  // Configuration
  CFG_INVALID: { status: 500, message: "The configuration is invalid." },
  CFG_MASTER_KEY_INVALID: {
    status: 500,
    message: "The master key must be 32 bytes, base64 or hex encoded.",
  },
  CFG_LISTEN_FAILED: {
    status: 500,
    message: "A listener could not open its configured address and port.",
  },

  // Admin API requests
  REQ_VALIDATION: { status: 400, message: "The request is invalid." },
  REQ_MALFORMED_JSON: { status: 400, message: "The request body is not valid JSON." },
  REQ_TOO_LARGE: { status: 413, message: "The request body is too large." },
  REQ_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: "The request body must be application/json.",
  },
  REQ_XSRF_HEADER_MISSING: {
    status: 403,
    message: "State-changing requests must carry the X-XSRF-Header header.",
  },
  REQ_NOT_FOUND: { status: 404, message: "No such resource." },
  REQ_METHOD_NOT_ALLOWED: { status: 405, message: "Method not allowed." },

  // Authentication of admins and API clients
  AUTH_REQUIRED: { status: 401, message: "Authentication is required." },
  AUTH_INVALID_CREDENTIALS: { status: 401, message: "The credentials are not valid." },
  AUTH_THROTTLED: {
    status: 429,
    message: "Too many failed sign-in attempts; wait before trying again.",
    retryable: true,
  },
  AUTH_FORBIDDEN: { status: 403, message: "This account may not do that." },

  // The admin console
  CONSOLE_FORM_EXPIRED: {
    status: 403,
    message:
      "The form has expired or did not come from this console (its form token is missing or wrong): reload the page and try again.",
  },
  CONSOLE_DRAFT_NOT_FOUND: {
    status: 404,
    message:
      "This new connection is no longer being edited (it was saved, or the session that started it ended): start it again from Create Connection.",
  },

  // Admin accounts and API tokens
  ADMIN_NOT_FOUND: { status: 404, message: "No such admin account." },
  ADMIN_EXISTS: { status: 409, message: "An admin account with that username already exists." },
  ADMIN_LAST_ACCOUNT: { status: 422, message: "The last admin account cannot be deleted." },
  TOKEN_NOT_FOUND: { status: 404, message: "No such API token." },

  // Keys and certificates
  KEY_NOT_FOUND: { status: 404, message: "No such signing key pair." },
  KEY_IN_USE: { status: 409, message: "The key pair is used by a connection." },
  KEY_INVALID_PEM: { status: 422, message: "The key or certificate is not valid PEM." },
  KEY_MISMATCH: { status: 422, message: "The private key does not match the certificate." },
  KEY_PKCS12_INVALID: {
    status: 422,
    message: "The PKCS#12 file could not be read (wrong password or unsupported format).",
  },
  KEY_UNSUPPORTED: { status: 422, message: "The key type or size is not supported." },
  KEY_EXISTS: { status: 409, message: "A key pair with that id already exists." },
  CERT_INVALID: { status: 422, message: "The certificate could not be parsed." },
  CRYPTO_DECRYPT_FAILED: {
    status: 500,
    message: "A stored secret could not be decrypted; is the master key the one it was stored with?",
  },

  // SP connections
  CONN_NOT_FOUND: { status: 404, message: "No such SP connection." },
  CONN_INVALID: { status: 422, message: "The connection is invalid." },
  CONN_JIT_CONTRACT_INCOMPLETE: {
    status: 422,
    message:
      "The connection turns on Salesforce Just-in-Time provisioning without the attributes Salesforce requires.",
  },
  CONN_ENTITY_ID_TAKEN: {
    status: 409,
    message: "Another connection already uses that entity ID.",
  },
  CONN_ID_TAKEN: { status: 409, message: "Another connection already has that id." },
  CONN_ACTIVE: { status: 422, message: "Only an inactive connection can be deleted." },
  CONN_ENCRYPTED_VALUE_INVALID: {
    status: 422,
    message: 'An encryptedValue was not issued by this server; resend the secret as "value".',
  },

  // Configuration bundles
  CONFIG_BUNDLE_INVALID: { status: 422, message: "The configuration document is invalid." },
  CONFIG_REFERENCE_UNRESOLVED: {
    status: 422,
    message: "The configuration document refers to something that neither it nor the server holds.",
  },
  CONFIG_NOT_EMPTY: {
    status: 409,
    message: "The server already holds configuration that the import would overwrite.",
  },

  // Storage
  STORE_UNAVAILABLE: { status: 503, message: "The database is unavailable.", retryable: true },
  STORE_CONFLICT: { status: 409, message: "The record was changed concurrently." },
  STORE_MIGRATION_FAILED: { status: 500, message: "A database migration failed." },
  STORE_NOT_FOUND: { status: 500, message: "No Portico database was found where the configuration points." },

  // CLI
  CLI_USAGE: { status: 2, message: "Invalid command-line usage." },
  CLI_CONNECTION_FAILED: { status: 1, message: "Could not reach the Portico admin API." },
  CLI_API_ERROR: {
    status: 1,
    message: "The admin API answered with an error that carries no code this CLI knows.",
  },
  CLI_SSO_TEST_FAILED: { status: 1, message: "The SSO test ran, and some of its checks failed." },
  CLI_CYCLE_HELD: {
    status: 3,
    message: "The provisioning cycle ended HELD: deactivations wait for `portico provision confirm`.",
  },
  CLI_CYCLE_FAILED: { status: 1, message: "The provisioning cycle ended ERROR or STOPPED." },
  CLI_TOOL_MISSING: {
    status: 1,
    message: "A program the command runs is not installed; the message names its Debian package.",
  },
} as const satisfies Record<string, ErrorSpec>;
