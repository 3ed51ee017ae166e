/**
 * The one way tests say "this fails with that code": for code that throws or rejects an
 * AppError, and for admin-API answers carrying a problem document. thrownAppError,
 * rejectedAppError and assertProblem return what they checked, so a test can look further (a
 * message that names the field, no secret in it).
 */
import assert from "node:assert/strict";
import { type AppError, type ErrorCode, errorCatalogue, isAppError } from "../../src/lib/errors.ts";

/** Asserts that `error` is an AppError, whatever its code (`context` says where it came from). */
export function assertAppError(error: unknown, context?: string): asserts error is AppError {
  assert.ok(isAppError(error), `${context ? `${context}: ` : ""}expected an AppError, got ${String(error)}`);
}

/** Asserts that `error` is an AppError with `code` (and a message matching `message`, if given). */
export function assertCode(error: unknown, code: ErrorCode, message?: RegExp): asserts error is AppError {
  assertAppError(error, code);
  assert.equal(error.code, code, error.message);
  if (message !== undefined) assert.match(error.message, message);
}

/** The AppError that `work` throws, whatever its code; fails when it throws nothing, or something else. */
export const thrownAppError = (work: () => unknown): AppError => {
  try {
    work();
  } catch (error) {
    assertAppError(error);
    return error;
  }
  assert.fail("expected an AppError, and nothing was thrown");
};

/** The AppError that the promise (or the call) rejects with; fails when it resolves. */
export const rejectedAppError = async (
  work: Promise<unknown> | (() => Promise<unknown>),
): Promise<AppError> => {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    assertAppError(error);
    return error;
  }
  assert.fail("expected a rejection with an AppError, and it resolved");
};

/** Asserts that `work` throws an AppError with `code` (and a message matching `message`). */
export const throwsCode = (work: () => unknown, code: ErrorCode, message?: RegExp): void => {
  assertCode(thrownAppError(work), code, message);
};

/** Asserts that the promise (or the call) rejects with an AppError with `code`. */
export const rejectsWithCode = async (
  work: Promise<unknown> | (() => Promise<unknown>),
  code: ErrorCode,
  message?: RegExp,
): Promise<void> => {
  assertCode(await rejectedAppError(work), code, message);
};

export type Problem = {
  type: string;
  code: string;
  title: string;
  status: number;
  detail: string;
  correlationId: string;
  message?: string;
  resultId?: string;
  validationErrors?: { fieldPath?: string; message: string; errorId?: string }[];
  errors?: { field?: string; message: string }[];
};

type Answer = { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string };

/** A fetch Response read whole, in the shape `assertProblem` takes (for tests over real sockets). */
export const fetchedAnswer = async (response: Response): Promise<Answer> => {
  const body = await response.text();
  return {
    statusCode: response.status,
    headers: { "content-type": response.headers.get("content-type") ?? "" },
    body,
    json: () => JSON.parse(body),
  };
};

/**
 * Asserts that an admin-API answer is a problem document (`application/problem+json`) with
 * `code`, at the HTTP status the catalogue gives that code unless `status` says otherwise.
 */
export const assertProblem = (response: Answer, code: ErrorCode, status?: number): Problem => {
  const expected = status ?? errorCatalogue[code].status;
  assert.equal(response.statusCode, expected, response.body.slice(0, 500));
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  const problem = response.json() as Problem;
  assert.equal(problem.code, code, response.body.slice(0, 500));
  return problem;
};
