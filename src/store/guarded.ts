import { AppError } from "../lib/errors.ts";

/** Unique-key violations from either driver become STORE_CONFLICT; everything else passes through. */
const translate = (error: unknown): unknown => {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new AppError("STORE_CONFLICT", {
      message: "A record with that key already exists.",
      cause: error,
    });
  }
  return error;
};

export const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw translate(error);
  }
};
