import type { ErrorSpec } from "./spec.ts";

/** Codes of provisioning: the Salesforce target, channels, the expression language, LDAP data stores. Part of `errorCatalogue` (src/lib/errors.ts). */
export const provisioningErrors = {
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
  PROV_MODE_OFF: {
    status: 409,
    message: "Outbound provisioning is OFF (serverSettings/outboundProvisioning mode); no cycle runs.",
  },
  PROV_NODE_STANDBY: {
    status: 409,
    message: "Another node runs this channel's cycles; ask that node, or wait for a failover.",
  },
  PROV_LEASE_LOST: {
    status: 409,
    message: "This node lost the channel's lease to another node; it records nothing more of this cycle.",
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
} as const satisfies Record<string, ErrorSpec>;
