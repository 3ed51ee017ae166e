import { AppError } from "../../lib/errors.ts";

const MINUTE_MS = 60_000;

/**
 * A SAML time (saml-core §1.3.3: xs:dateTime in UTC, "Z"), always with milliseconds, e.g.
 * `2026-07-01T12:00:00.000Z`: one shape everywhere, so outputs compare as text.
 */
export const samlInstant = (date: Date): string => {
  if (Number.isNaN(date.getTime())) {
    throw new AppError("INTERNAL", { message: "A SAML time was asked for an invalid date." });
  }
  return date.toISOString();
};

/** `date` moved by a whole number of minutes (negative moves back). */
export const plusMinutes = (date: Date, minutes: number): Date =>
  new Date(date.getTime() + minutes * MINUTE_MS);
