import { isAppError } from "../../lib/errors.ts";

/** A stored ISO instant as the console shows it: to the minute, in UTC, said so. */
export const when = (iso: string | null | undefined, never = "—"): string =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : never;

/** Problems with a form, by field name; "" holds those that belong to no one field. */
export type FormErrors = Readonly<Record<string, string>>;

/**
 * The errors a service raised about a form, each next to its field: the error's details name
 * their fields; `fieldOf` places a code that has none (ADMIN_EXISTS → username). An error that
 * is not about the input (a bug, the database, a refusal, a thing gone) is thrown again, for
 * the error page.
 */
export const formErrorsOf = (error: unknown, fieldOf: Readonly<Record<string, string>> = {}): FormErrors => {
  if (!isAppError(error) || error.status >= 500) throw error;
  if ([401, 403, 404].includes(error.status) && fieldOf[error.code] === undefined) throw error;
  const errors: Record<string, string> = {};
  for (const d of error.details) {
    const key = d.field ?? "";
    if (errors[key] === undefined) errors[key] = d.message;
  }
  if (error.details.length === 0) errors[fieldOf[error.code] ?? ""] = error.message;
  return errors;
};

/** The same problems as a list for the summary above the form, each naming its field's label. */
export const summaryOf = (errors: FormErrors, labels: Readonly<Record<string, string>>) =>
  Object.entries(errors).map(([field, message]) => ({ field: labels[field], message }));
