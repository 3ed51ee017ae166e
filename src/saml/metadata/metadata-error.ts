import { AppError, type ErrorCode } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";

/** An error about uploaded metadata; the message names the problem and reads "metadata: …". */
export const metadataError = (code: ErrorCode, problem: string): AppError =>
  new AppError(code, { message: `metadata: ${problem}` });

/** A value from the metadata, quoted, shortened and made printable for a message. */
export const quote = (value: string): string => JSON.stringify(snippet(value, 100));
