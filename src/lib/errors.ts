/**
 * The one error type of Portico. Every failure that crosses a boundary carries a stable `code`
 * from the catalogue below; HTTP, CLI and the provisioning applier map it at their edges.
 */

type ErrorSpec = {
  readonly status: number;
  readonly message: string;
  readonly retryable?: boolean;
};

/** The catalogue: code → HTTP status and default message. `docs/errors.md` is generated from it. */
export const errorCatalogue = {
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
  CONN_ENTITY_ID_TAKEN: {
    status: 409,
    message: "Another connection already uses that entity ID.",
  },
  CONN_ID_TAKEN: { status: 409, message: "Another connection already has that id." },
  CONN_ACTIVE: { status: 422, message: "Only an inactive connection can be deleted." },
  CONN_ENCRYPTED_VALUE_INVALID: {
    status: 422,
    message: "An encryptedValue was not issued by this server.",
  },

  // Provisioning: the Salesforce target (settings, OAuth, REST API)
  PROV_TARGET_NOT_CONFIGURED: {
    status: 422,
    message: "The connection has no Salesforce provisioning target.",
  },
  PROV_TARGET_INCOMPLETE: {
    status: 422,
    message: "The connection's Salesforce target settings are incomplete.",
  },
  PROV_TARGET_DOMAIN_INVALID: {
    status: 422,
    message: "SALESFORCE_DOMAIN does not lead to a Salesforce login service.",
  },
  PROV_TARGET_AUTH_CLIENT_ID: {
    status: 422,
    message: "Salesforce does not know the CLIENT_ID (the connected app's Consumer Key).",
  },
  PROV_TARGET_AUTH_CLIENT_SECRET: {
    status: 422,
    message: "Salesforce refused the CLIENT_SECRET (the connected app's Consumer Secret).",
  },
  PROV_TARGET_AUTH_REFRESH_TOKEN: {
    status: 422,
    message: "The OAuth refresh token has expired or was revoked; connect to Salesforce again.",
  },
  PROV_TARGET_AUTH_JWT_NOT_APPROVED: {
    status: 422,
    message: "The JWT_USERNAME user is not pre-authorized for the connected app.",
  },
  PROV_TARGET_AUTH_JWT_AUDIENCE: {
    status: 422,
    message: "Salesforce refused the JWT's audience (JWT_AUDIENCE).",
  },
  PROV_TARGET_AUTH_JWT_SIGNATURE: {
    status: 422,
    message: "Salesforce could not verify the JWT: upload the signing certificate to the connected app.",
  },
  PROV_TARGET_AUTH_FAILED: { status: 422, message: "Salesforce refused to authenticate Portico." },
  PROV_TARGET_API_DISABLED: {
    status: 422,
    message: "The Salesforce API is not enabled for the org or for the API user.",
  },
  PROV_TARGET_PERMISSION_MISSING: {
    status: 422,
    message: "The Salesforce API user lacks a permission that provisioning needs.",
  },
  PROV_TARGET_API_VERSION: {
    status: 422,
    message: "The org does not offer the configured Salesforce API version.",
  },
  PROV_TARGET_REJECTED: { status: 422, message: "Salesforce rejected the request." },
  PROV_TARGET_UNAVAILABLE: {
    status: 503,
    message: "Salesforce is unavailable or busy; the call may succeed later.",
    retryable: true,
  },
  PROV_CONNECT_STATE_INVALID: {
    status: 400,
    message: "This Connect to Salesforce link is not valid; start again from Portico.",
  },
  PROV_CONNECT_STATE_EXPIRED: {
    status: 400,
    message: "This Connect to Salesforce link has expired; start again from Portico.",
  },
  PROV_CONNECT_STATE_USED: {
    status: 400,
    message: "This Connect to Salesforce link was already used; start again from Portico.",
  },
  PROV_CONNECT_DENIED: { status: 400, message: "Access was not allowed in Salesforce." },
  PROV_CONNECT_NO_REFRESH_TOKEN: {
    status: 422,
    message:
      "Salesforce issued no refresh token: give the connected app the refresh_token (offline_access) scope.",
  },

  // Configuration bundles
  CONFIG_BUNDLE_INVALID: { status: 422, message: "The configuration document is invalid." },
  CONFIG_NOT_EMPTY: {
    status: 409,
    message: "The server already holds configuration that the import would overwrite.",
  },

  // XML and SAML
  XML_TOO_LARGE: { status: 413, message: "The XML document is too large." },
  XML_MALFORMED: { status: 400, message: "The XML document is not well-formed." },
  XML_DOCTYPE_FORBIDDEN: {
    status: 400,
    message: "XML with a DOCTYPE or entity declarations is refused.",
  },
  XML_MULTIPLE_ROOTS: { status: 400, message: "The XML document has more than one root element." },
  XML_TOO_DEEP: { status: 400, message: "The XML document is nested too deeply." },
  XML_INVALID_CHARACTER: {
    status: 400,
    message: "A value contains a character that XML 1.0 cannot carry.",
  },
  SAML_METADATA_INVALID: { status: 422, message: "The SAML metadata is not usable." },
  SAML_METADATA_NO_SP: {
    status: 422,
    message: "The metadata has no SPSSODescriptor for SAML 2.0.",
  },
  SAML_METADATA_NO_ACS: {
    status: 422,
    message: "The metadata has no AssertionConsumerService.",
  },
  SAML_METADATA_BAD_CERT: {
    status: 422,
    message: "A certificate in the metadata could not be parsed.",
  },
  SAML_METADATA_BASE64: { status: 400, message: "samlMetadata is not valid base64." },

  // SAML protocol messages (SSO and SLO endpoints)
  SAML_MESSAGE_INVALID: {
    status: 400,
    message: "The SAML message could not be decoded (base64, DEFLATE or a missing parameter).",
  },
  SAML_BINDING_INVALID: {
    status: 400,
    message: "The binding's parameters are invalid (repeated, conflicting or out of place).",
  },
  SAML_REQUEST_INVALID: { status: 400, message: "The SAML request is not a valid SAML 2.0 message." },
  SAML_VERSION_UNSUPPORTED: { status: 400, message: "Only SAML 2.0 messages are accepted." },
  SAML_SP_UNKNOWN: { status: 400, message: "No SP connection has the request's Issuer as its entity ID." },
  SAML_SP_INACTIVE: { status: 403, message: "The SP connection is not active." },
  SAML_PROFILE_DISABLED: {
    status: 403,
    message: "The connection does not allow this SAML profile or binding.",
  },
  SAML_SIGNATURE_REQUIRED: {
    status: 400,
    message: "The connection requires signed requests; this one is not signed.",
  },
  SAML_SIGNATURE_INVALID: {
    status: 400,
    message: "The signature does not verify with the connection's certificate.",
  },
  SAML_SIGNATURE_WRAPPING: {
    status: 400,
    message: "The signature does not cover the message it came with (a wrapping attack?).",
  },
  SAML_ALGORITHM_NOT_ALLOWED: { status: 400, message: "The signature or digest algorithm is not allowed." },
  SAML_DUPLICATE_ID: { status: 400, message: "Two elements of the message carry the same ID." },
  SAML_DESTINATION_MISMATCH: { status: 400, message: "The message's Destination is not this endpoint." },
  SAML_REQUEST_EXPIRED: {
    status: 400,
    message: "The message's IssueInstant is outside the allowed clock skew.",
  },
  SAML_REPLAY: { status: 400, message: "This request ID was already used." },
  SAML_ACS_UNKNOWN: {
    status: 400,
    message: "The requested AssertionConsumerService is not one of the connection's.",
  },
  SAML_NAMEID_POLICY_UNSUPPORTED: {
    status: 400,
    message: "The requested NameIDPolicy format cannot be honoured.",
  },
  SAML_NO_PASSIVE: {
    status: 400,
    message: "The SP asked for passive authentication and there is no session.",
  },
  SAML_AUTHN_FAILED: { status: 401, message: "The user could not be authenticated." },
  SAML_SUBJECT_MISSING: {
    status: 422,
    message: "The user has no value for the connection's SAML_SUBJECT (the NameID).",
  },
  SAML_LOGOUT_INVALID: { status: 400, message: "The logout message is not valid." },
  SAML_SIGNING_FAILED: { status: 500, message: "The SAML message could not be signed." },
  SAML_ENCRYPTION_FAILED: { status: 500, message: "The assertion could not be encrypted." },

  // Built-in directory
  DIR_USER_NOT_FOUND: { status: 404, message: "No such user in the directory." },
  DIR_USER_EXISTS: { status: 409, message: "A user with that uid already exists." },
  DIR_GROUP_NOT_FOUND: { status: 404, message: "No such group in the directory." },
  DIR_GROUP_EXISTS: { status: 409, message: "A group with that cn already exists." },
  DIR_INVALID: { status: 422, message: "The directory entry is invalid." },
  DIR_CSV_INVALID: { status: 422, message: "The CSV file could not be imported." },

  // Sign-in at the identity provider and SSO sessions
  LOGIN_INVALID_CREDENTIALS: { status: 401, message: "The username or password is incorrect." },
  LOGIN_THROTTLED: {
    status: 429,
    message: "Too many failed sign-in attempts; wait a few minutes and try again.",
    retryable: true,
  },
  LOGIN_EXPIRED: {
    status: 400,
    message: "This sign-in page has expired; go back to the application and start again.",
  },
  LOGIN_FORM_FOREIGN: {
    status: 403,
    message: "This sign-in page was not opened in this browser; go back to the application and start again.",
  },
  LOGIN_CROSS_SITE: {
    status: 403,
    message: "The sign-in form was posted from another site; sign in on this site's own page.",
  },
  LOGIN_ACCOUNT_UNUSABLE: {
    status: 403,
    message:
      "Your account cannot sign in right now (it may be locked, expired or need a new password); contact your administrator.",
  },
  SSO_SESSION_NOT_FOUND: { status: 404, message: "There is no SSO session." },

  // Password credential validators (/passwordCredentialValidators) and the sign-in form's list
  PCV_NOT_FOUND: { status: 404, message: "No such password credential validator." },
  PCV_INVALID: { status: 422, message: "The password credential validator is invalid." },
  PCV_ID_TAKEN: { status: 409, message: "Another password credential validator already has that id." },
  PCV_IN_USE: {
    status: 409,
    message: "The sign-in form lists this password credential validator; remove it from the list first.",
  },
  ADAPTER_NOT_FOUND: { status: 404, message: "No such IdP adapter; Portico has one, htmlform." },
  ADAPTER_INVALID: { status: 422, message: "The adapter's configuration is invalid." },

  // Outbound provisioning
  PROV_CONFIG_INVALID: { status: 422, message: "The provisioning configuration is invalid." },
  PROV_CHANNEL_NOT_FOUND: { status: 404, message: "No such provisioning channel." },
  PROV_FIELDS_NOT_FETCHED: {
    status: 404,
    message: "Salesforce's fields were never fetched for this connection; refresh them first.",
  },
  PROV_CHANNEL_BUSY: {
    status: 409,
    message: "The channel is running a cycle; try again when it ends.",
    retryable: true,
  },
  PROV_SOURCE_UNAVAILABLE: {
    status: 503,
    message: "The channel's source could not be read.",
    retryable: true,
  },

  // The expression language of attribute mappings (docs/expressions.md)
  EXPR_SYNTAX: { status: 422, message: "The expression is not valid: it cannot be parsed." },
  EXPR_UNKNOWN_FUNCTION: {
    status: 422,
    message: "The expression calls a function the language does not have.",
  },
  EXPR_ARGUMENTS: {
    status: 422,
    message: "A function of the expression is given the wrong number of arguments.",
  },
  EXPR_TOO_LONG: { status: 422, message: "The expression's text is longer than the language allows." },
  EXPR_TOO_DEEP: { status: 422, message: "The expression nests more deeply than the language allows." },
  EXPR_TOO_COMPLEX: { status: 422, message: "The expression has more parts than the language allows." },
  EXPR_BUDGET_EXCEEDED: {
    status: 422,
    message: "Evaluating the expression took more steps than the language allows.",
  },
  EXPR_VALUE_TOO_LONG: { status: 422, message: "A value made or read by the expression is too long." },
  EXPR_TOO_MANY_VALUES: {
    status: 422,
    message: "A list made or read by the expression has too many values.",
  },
  EXPR_ARGUMENT_INVALID: {
    status: 422,
    message: "A function of the expression was given a value it cannot use (a count, a date or a format).",
  },

  // LDAP data stores (/dataStores) and the directories behind them. The LDAP_* codes name the
  // stage that failed, in the order a connection goes through them.
  DATASTORE_NOT_FOUND: { status: 404, message: "No such data store." },
  DATASTORE_INVALID: { status: 422, message: "The data store is invalid." },
  DATASTORE_ID_TAKEN: { status: 409, message: "Another data store already has that id." },
  DATASTORE_IN_USE: {
    status: 409,
    message: "The data store is used by a connection or channel; remove those references first.",
  },
  LDAP_DNS: {
    status: 503,
    message: "The LDAP server's host name could not be resolved.",
    retryable: true,
  },
  LDAP_TCP: {
    status: 503,
    message: "No LDAP server answered on the configured host and port.",
    retryable: true,
  },
  LDAP_TLS: {
    status: 422,
    message:
      "The TLS handshake with the LDAP server failed (untrusted certificate, host name mismatch or no TLS).",
  },
  LDAP_BIND: { status: 422, message: "The LDAP server refused the bind DN or its password." },
  LDAP_SEARCH: { status: 422, message: "The LDAP server refused the search." },
  LDAP_TIMEOUT: {
    status: 503,
    message: "The LDAP server did not answer in time, or no pooled connection became free.",
    retryable: true,
  },

  // Storage
  STORE_UNAVAILABLE: { status: 503, message: "The database is unavailable.", retryable: true },
  STORE_CONFLICT: { status: 409, message: "The record was changed concurrently.", retryable: true },
  STORE_MIGRATION_FAILED: { status: 500, message: "A database migration failed." },
  STORE_NOT_FOUND: { status: 500, message: "No Portico database was found where the configuration points." },

  // CLI
  CLI_USAGE: { status: 2, message: "Invalid command-line usage." },
  CLI_CONNECTION_FAILED: { status: 1, message: "Could not reach the Portico admin API." },

  INTERNAL: { status: 500, message: "An internal error occurred." },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export type ErrorDetail = { readonly field?: string; readonly message: string };

export type AppErrorOptions = {
  /** Overrides the catalogue message. Must never contain a secret. */
  message?: string | undefined;
  /** Whether the message may be shown to the caller. Defaults to true below 500. */
  expose?: boolean | undefined;
  cause?: unknown;
  /** Per-field problems, e.g. validation errors that name the field. */
  details?: readonly ErrorDetail[] | undefined;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly retryable: boolean;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    const spec: ErrorSpec = errorCatalogue[code];
    super(options.message ?? spec.message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = spec.status;
    this.expose = options.expose ?? spec.status < 500;
    this.retryable = spec.retryable ?? false;
    this.details = options.details ?? [];
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/** Validation failure naming the field, the shape most admin-API checks need. */
export const invalid = (code: ErrorCode, field: string, message: string): AppError =>
  new AppError(code, { message: `${field}: ${message}`, details: [{ field, message }] });
