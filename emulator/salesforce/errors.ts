/**
 * Salesforce's error shapes. A REST call answers a JSON array of `{message, errorCode, fields}`;
 * a record inside a SaveResult carries `{statusCode, message, fields}` (salesforce-api.md §2.3).
 */

export type RecordError = { statusCode: string; message: string; fields: string[] };

export type ApiErrorBody = { message: string; errorCode: string; fields?: string[] };

/** A failed REST call: thrown inside handlers and turned into a response by the router. */
export class SfError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.name = "SfError";
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  toBody(): ApiErrorBody[] {
    const body: ApiErrorBody = { message: this.message, errorCode: this.errorCode };
    if (this.fields !== undefined) body.fields = this.fields;
    return [body];
  }
}

/** A DML rule failure on one record; the caller decides whether it becomes a 400 or a SaveResult. */
export class RecordFailure extends Error {
  readonly errors: RecordError[];

  constructor(errors: RecordError[]) {
    super(errors[0]?.message ?? "record failed");
    this.name = "RecordFailure";
    this.errors = errors;
  }
}

export function recordError(statusCode: string, message: string, fields: string[] = []): RecordFailure {
  return new RecordFailure([{ statusCode, message, fields }]);
}

/** A record failure as a single REST call's error array (HTTP 400). */
export function toApiErrors(failure: RecordFailure): ApiErrorBody[] {
  return failure.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields }));
}

export const notFound = (): SfError => new SfError(404, "NOT_FOUND", "The requested resource does not exist");

export const invalidSession = (): SfError =>
  new SfError(401, "INVALID_SESSION_ID", "Session expired or invalid");

export function methodNotAllowed(method: string, allowed: string[]): SfError {
  return new SfError(
    405,
    "METHOD_NOT_ALLOWED",
    `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(",")}`,
  );
}

export function jsonParserError(message: string): SfError {
  return new SfError(400, "JSON_PARSER_ERROR", message);
}
