/**
 * The one error type of Portico. Every failure that crosses a boundary carries a stable `code`
 * from the catalogue below; HTTP, CLI and the provisioning applier map it at their edges.
 */
import { identityErrors } from "./error-catalogue/identity.ts";
import { platformErrors } from "./error-catalogue/platform.ts";
import { provisioningErrors } from "./error-catalogue/provisioning.ts";
import type { ErrorSpec } from "./error-catalogue/spec.ts";

/**
 * The catalogue: code → HTTP status and default message, kept by area in error-catalogue/.
 * `docs/errors.md` is generated from it.
 */
export const errorCatalogue = {
  ...platformErrors,
  ...identityErrors,
  ...provisioningErrors,
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

/** Whether a code (from another process: the admin API, say) is one of the catalogue's. */
export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === "string" && Object.hasOwn(errorCatalogue, code);

/** Validation failure naming the field, the shape most admin-API checks need. */
export const invalid = (code: ErrorCode, field: string, message: string): AppError =>
  new AppError(code, { message: `${field}: ${message}`, details: [{ field, message }] });
