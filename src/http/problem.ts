import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorCode, type ErrorDetail, errorCatalogue } from "../lib/errors.ts";

/** An RFC 9457 problem document with Portico's stable `code`. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  correlationId: string;
  errors?: ErrorDetail[];
  /** PingFederate's error fields, so that its clients (Terraform, pingfederate-go-client) read them. */
  resultId: string;
  message: string;
  validationErrors?: PingFederateValidationError[];
};

/** One entry of PingFederate's `validationErrors` (its ApiResult). */
export type PingFederateValidationError = { errorId: string; fieldPath?: string; message: string };

/** PingFederate's `errorId` for a finding, from what it says. */
const errorIdOf = (detail: ErrorDetail): string =>
  detail.message === "is required"
    ? "required_field"
    : detail.message === "is not a known field"
      ? "unknown_field"
      : "invalid_value";

/** PingFederate's `resultId`: `validation_error` for a refused document, else the code in lower case. */
const resultIdOf = (error: AppError): string =>
  error.code === "REQ_VALIDATION" || (error.status === 422 && error.details.length > 0)
    ? "validation_error"
    : error.code.toLowerCase();

type AjvError = {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
};

/**
 * A union of literals fails as one `anyOf` plus one `const` error per literal; admins want
 * "must be one of POST, REDIRECT" instead, so those collapse into one error per field.
 */
const collapseConstUnions = (errors: readonly AjvError[]): AjvError[] => {
  const allowed = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === "const") {
      const path = e.instancePath ?? "";
      allowed.set(path, [...(allowed.get(path) ?? []), e.params?.allowedValue]);
    }
  }
  const out: AjvError[] = [];
  for (const e of errors) {
    const path = e.instancePath ?? "";
    const values = allowed.get(path);
    if (values && (e.keyword === "const" || e.keyword === "anyOf")) {
      if (e.keyword === "anyOf")
        out.push({ instancePath: path, message: `must be one of ${values.join(", ")}` });
      continue;
    }
    out.push(e);
  }
  return out;
};

const dotted = (pointer: string): string =>
  pointer
    .split("/")
    .filter((p) => p !== "")
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), "");

/** Ajv's findings → field-named details: `spBrowserSso.ssoServiceEndpoints[0].url: must be string`. */
const validationDetails = (errors: readonly AjvError[], context: string | undefined): ErrorDetail[] =>
  collapseConstUnions(errors)
    .slice(0, 20)
    .map((e) => {
      const base = dotted(e.instancePath ?? "");
      const params = e.params ?? {};
      const child =
        typeof params.missingProperty === "string"
          ? params.missingProperty
          : typeof params.additionalProperty === "string"
            ? params.additionalProperty
            : undefined;
      const field =
        [context === "body" ? "" : context, base, child].filter((p) => p).join(".") || (context ?? "body");
      const message =
        typeof params.additionalProperty === "string"
          ? "is not a known field"
          : typeof params.missingProperty === "string"
            ? "is required"
            : (e.message ?? "is invalid");
      return { field, message };
    });

/** Maps anything thrown in a handler to an AppError; unknown errors become INTERNAL. */
export const toAppError = (error: unknown): AppError => {
  if (error instanceof AppError) return error;
  const fastifyError = error as Partial<FastifyError> & {
    validation?: AjvError[];
    validationContext?: string;
  };
  if (Array.isArray(fastifyError.validation)) {
    const details = validationDetails(fastifyError.validation, fastifyError.validationContext);
    const first = details[0];
    return new AppError("REQ_VALIDATION", {
      message: first ? `${first.field}: ${first.message}` : undefined,
      details,
    });
  }
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("REQ_TOO_LARGE", { cause: error });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("REQ_UNSUPPORTED_MEDIA_TYPE", { cause: error });
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new AppError("REQ_MALFORMED_JSON", { cause: error });
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("REQ_VALIDATION", {
        message: "Content-Length does not match the body.",
        cause: error,
      });
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return new AppError("REQ_MALFORMED_JSON", { cause: error });
  }
  return new AppError("INTERNAL", { cause: error });
};

export const problemFor = (error: AppError, correlationId: string): Problem => {
  const title = errorCatalogue[error.code].message;
  const detail = error.expose ? error.message : title;
  const details = error.expose ? error.details : [];
  return {
    type: `urn:portico:problem:${error.code}`,
    title,
    status: error.status,
    code: error.code,
    detail,
    correlationId,
    ...(details.length > 0 ? { errors: [...details] } : {}),
    resultId: resultIdOf(error),
    message: detail,
    ...(details.length > 0
      ? {
          validationErrors: details.map((d) => ({
            errorId: errorIdOf(d),
            ...(d.field === undefined ? {} : { fieldPath: d.field }),
            message: d.message,
          })),
        }
      : {}),
  };
};

/** Seconds a client is asked to wait before retrying while the database is unavailable. */
const storeRetryAfterSeconds = 5;

/**
 * What every listener does with a server-side failure: logs it with its stack, except a database
 * outage, which the store logs once when it starts and which each request then only notes (a
 * load balancer polling every second must not fill the log with stacks); and asks the client to
 * come back later when retrying can help.
 */
export const reportServerError = (
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  appError: AppError,
  message: string,
): void => {
  if (appError.code === "STORE_UNAVAILABLE") {
    request.log.warn({ code: appError.code }, message);
    reply.header("Retry-After", String(storeRetryAfterSeconds));
  } else if (appError.status >= 500) request.log.error({ err: error, code: appError.code }, message);
};
