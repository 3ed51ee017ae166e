import { AppError, type ErrorCode, isAppError } from "../../lib/errors.ts";

/**
 * The one place where Salesforce's answers become AppErrors (STYLE.md, "Errors"): REST error
 * bodies, per-record results, token-endpoint errors and network failures. Salesforce's own code
 * and message travel as the AppError's cause, so the engine can tell REQUEST_LIMIT_EXCEEDED (wait
 * long) from UNABLE_TO_LOCK_ROW (retry soon), and an admin sees what Salesforce said.
 */

export type SalesforceFailure = {
  readonly source: "salesforce";
  /** The HTTP status, when Salesforce answered. */
  readonly httpStatus: number | undefined;
  /** Salesforce's errorCode (statusCode in a SaveResult, `error` at the token endpoint), or TIMEOUT / NETWORK. */
  readonly errorCode: string;
  readonly message: string;
  readonly fields: readonly string[];
};

export type RecordError = {
  readonly statusCode: string;
  readonly message: string;
  readonly fields: readonly string[];
};

/** What Salesforce said, when an error came from a Salesforce call. */
export const salesforceFailureOf = (error: unknown): SalesforceFailure | undefined => {
  if (!isAppError(error)) return undefined;
  const cause: unknown = error.cause;
  return typeof cause === "object" &&
    cause !== null &&
    (cause as { source?: unknown }).source === "salesforce"
    ? (cause as SalesforceFailure)
    : undefined;
};

const failure = (
  code: ErrorCode,
  message: string,
  info: Omit<SalesforceFailure, "source" | "fields"> & { fields?: readonly string[] },
): AppError =>
  new AppError(code, {
    message,
    cause: { source: "salesforce", fields: [], ...info } satisfies SalesforceFailure,
  });

/** Transient by nature: retry with back-off (REQUEST_LIMIT_EXCEEDED: much later). */
const retryableCodes = new Set([
  "UNABLE_TO_LOCK_ROW",
  "REQUEST_LIMIT_EXCEEDED",
  "SERVER_UNAVAILABLE",
  "TOO_MANY_REQUESTS",
  "CONCURRENT_REQUEST_LIMIT_EXCEEDED",
]);
const apiDisabledCodes = new Set(["API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED"]);

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The error objects of a REST error body: usually an array of one, sometimes a single object (§2.3). */
const errorsOf = (body: unknown): { errorCode: string; message: string; fields: string[] }[] => {
  const list = Array.isArray(body) ? body : typeof body === "object" && body !== null ? [body] : [];
  return list
    .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
    .map((e) => ({
      errorCode: text(e.errorCode) || text(e.statusCode) || "UNKNOWN",
      message: text(e.message),
      fields: Array.isArray(e.fields) ? e.fields.map(String) : [],
    }));
};

const describe = (errorCode: string, message: string, fields: readonly string[], more: number): string =>
  `Salesforce: ${errorCode}: ${message}${fields.length > 0 ? ` (fields: ${fields.join(", ")})` : ""}${more > 0 ? ` (and ${more} more)` : ""}`;

/** A failed REST call (any status but 2xx and a 401 the client still handles). */
export const apiError = (status: number, body: unknown): AppError => {
  const errors = errorsOf(body);
  const first = errors[0] ?? {
    errorCode: status >= 500 ? "SERVER_ERROR" : "UNKNOWN",
    message: `HTTP ${status}`,
    fields: [],
  };
  const info = {
    httpStatus: status,
    errorCode: first.errorCode,
    message: first.message,
    fields: first.fields,
  };
  const words = describe(first.errorCode, first.message, first.fields, errors.length - 1);
  if (status >= 500 || retryableCodes.has(first.errorCode))
    return failure("PROV_TARGET_UNAVAILABLE", words, info);
  if (apiDisabledCodes.has(first.errorCode)) return failure("PROV_TARGET_API_DISABLED", words, info);
  if (status === 401) return failure("PROV_TARGET_AUTH_FAILED", words, info);
  if (status === 403 && first.errorCode.startsWith("INSUFFICIENT_ACCESS")) {
    return failure("PROV_TARGET_PERMISSION_MISSING", words, info);
  }
  if (first.errorCode === "API_VERSION_RETIRED") return failure("PROV_TARGET_API_VERSION", words, info);
  return failure("PROV_TARGET_REJECTED", words, info);
};

/** One record's failure inside an sObject Collections answer: rejected, or retryable when transient. */
export const recordError = (errors: readonly RecordError[]): AppError => {
  const first = errors[0] ?? { statusCode: "UNKNOWN", message: "the record failed", fields: [] };
  const info = { httpStatus: 200, errorCode: first.statusCode, message: first.message, fields: first.fields };
  const words = describe(first.statusCode, first.message, first.fields, errors.length - 1);
  return failure(
    retryableCodes.has(first.statusCode) ? "PROV_TARGET_UNAVAILABLE" : "PROV_TARGET_REJECTED",
    words,
    info,
  );
};

/** What an admin should do about a refused grant, by Salesforce's error_description (§1.4). */
export type TokenErrorHints = {
  readonly host: string;
  readonly signingKeyPairId?: string | undefined;
  readonly audience?: string | undefined;
  readonly username?: string | undefined;
};

/** A token-endpoint answer other than 200 with a token (§1.4). */
export const tokenError = (status: number, body: unknown, hints: TokenErrorHints): AppError => {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : undefined;
  const error = text(record?.error);
  const description = text(record?.error_description);
  const info = { httpStatus: status, errorCode: error || `HTTP_${status}`, message: description };
  const said = `Salesforce said ${error}: ${description}`;
  if (status >= 500 || error === "rate_limit_exceeded" || error === "server_unavailable") {
    return failure(
      "PROV_TARGET_UNAVAILABLE",
      `The token endpoint at ${hints.host} failed (HTTP ${status}); ${said}.`,
      info,
    );
  }
  if (error === "") {
    return failure(
      "PROV_TARGET_DOMAIN_INVALID",
      `${hints.host} answered HTTP ${status} without an OAuth error: it is not a Salesforce login service. Check SALESFORCE_DOMAIN.`,
      info,
    );
  }
  const d = description.toLowerCase();
  if (error === "invalid_client_id") {
    return failure(
      "PROV_TARGET_AUTH_CLIENT_ID",
      `Salesforce at ${hints.host} knows no connected app with this CLIENT_ID (Consumer Key); ${said}.`,
      info,
    );
  }
  if (error === "invalid_client") {
    return failure(
      "PROV_TARGET_AUTH_CLIENT_SECRET",
      `Salesforce refused the CLIENT_SECRET (Consumer Secret) for this CLIENT_ID; ${said}.`,
      info,
    );
  }
  if (error === "invalid_grant" && d.includes("expired access/refresh token")) {
    return failure(
      "PROV_TARGET_AUTH_REFRESH_TOKEN",
      `The refresh token has expired or was revoked; use Connect to Salesforce again (or paste a new OAUTH_REFRESH_TOKEN); ${said}.`,
      info,
    );
  }
  if (error === "invalid_grant" && d.includes("approved")) {
    return failure(
      "PROV_TARGET_AUTH_JWT_NOT_APPROVED",
      `The user ${hints.username ?? "JWT_USERNAME"} is not pre-authorized for the connected app: set "Admin approved users are pre-authorized" and assign their profile or a permission set to the app; ${said}.`,
      info,
    );
  }
  if (error === "invalid_grant" && d.includes("audience")) {
    return failure(
      "PROV_TARGET_AUTH_JWT_AUDIENCE",
      `Salesforce refused the JWT audience ${hints.audience ?? ""}: set JWT_AUDIENCE to https://login.salesforce.com, https://test.salesforce.com or your My Domain URL; ${said}.`,
      info,
    );
  }
  if (error === "invalid_grant" && d.includes("invalid assertion")) {
    const key = hints.signingKeyPairId ?? "JWT_SIGNING_CERTIFICATE";
    return failure(
      "PROV_TARGET_AUTH_JWT_SIGNATURE",
      `Salesforce could not verify the JWT: upload the certificate of signing key pair "${key}" (GET /keyPairs/signing/${key}/certificate) to the connected app under "Use digital signatures"; ${said}.`,
      info,
    );
  }
  const hint = d.includes("not supported on this domain")
    ? " Use your My Domain in SALESFORCE_DOMAIN."
    : d.includes("no valid scopes")
      ? " Give the connected app the api scope."
      : d.includes("client credentials user")
        ? ' Enable "Client Credentials Flow" on the connected app and choose its Run As user.'
        : d.includes("authentication failure")
          ? " The API user may be inactive, frozen or locked out."
          : error === "unsupported_grant_type"
            ? ` The connected app does not allow this flow.`
            : "";
  return failure(
    "PROV_TARGET_AUTH_FAILED",
    `Salesforce at ${hints.host} refused the token request; ${said}.${hint}`,
    info,
  );
};

const causeCode = (error: unknown): string => {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === "string" ? cause.code : "";
};

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");

/**
 * fetch failed before Salesforce answered. At the token endpoint a host that does not resolve,
 * refuses connections or fails TLS is a wrong SALESFORCE_DOMAIN; anything else, and any failure
 * on the instance Salesforce named, is transient.
 */
export const networkError = (
  error: unknown,
  where: "token" | "api",
  url: string,
  timeoutMs: number,
): AppError => {
  const host = new URL(url).host;
  if (isTimeout(error)) {
    return failure(
      "PROV_TARGET_UNAVAILABLE",
      `Salesforce at ${host} did not answer within ${timeoutMs / 1000} s.`,
      {
        httpStatus: undefined,
        errorCode: "TIMEOUT",
        message: "timed out",
      },
    );
  }
  const code = causeCode(error);
  const info = { httpStatus: undefined, errorCode: "NETWORK", message: code || "fetch failed" };
  if (where === "token") {
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
      return failure(
        "PROV_TARGET_DOMAIN_INVALID",
        `The host ${host} does not resolve (DNS ${code}); check SALESFORCE_DOMAIN.`,
        info,
      );
    }
    if (code === "ECONNREFUSED") {
      return failure(
        "PROV_TARGET_DOMAIN_INVALID",
        `${host} refused the connection; check SALESFORCE_DOMAIN.`,
        info,
      );
    }
    if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return failure(
        "PROV_TARGET_DOMAIN_INVALID",
        `TLS with ${host} failed (${code}); check SALESFORCE_DOMAIN.`,
        info,
      );
    }
  }
  return failure(
    "PROV_TARGET_UNAVAILABLE",
    `Could not reach Salesforce at ${host} (${code || "network error"}).`,
    info,
  );
};
