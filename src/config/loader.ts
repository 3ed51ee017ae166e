import { readFileSync } from "node:fs";
import { AppError } from "../lib/errors.ts";
import { type Config, parseConfig } from "./schema.ts";

/**
 * Loads the configuration: an optional JSON file (`--config`) whose keys are the variable names,
 * overridden by the process environment.
 */
export const loadConfig = (options: {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  file?: string | undefined;
}): Config => {
  const fromFile: Record<string, string> = {};
  if (options.file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(options.file, "utf8"));
    } catch (cause) {
      throw new AppError("CFG_INVALID", {
        message: `--config ${options.file}: not a readable JSON file`,
        cause,
      });
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new AppError("CFG_INVALID", { message: `--config ${options.file}: must be a JSON object` });
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!key.startsWith("PORTICO_")) {
        throw new AppError("CFG_INVALID", { message: `--config ${options.file}: unknown key ${key}` });
      }
      if (typeof value !== "string" && typeof value !== "number") {
        throw new AppError("CFG_INVALID", { message: `--config ${options.file}: ${key} must be a string` });
      }
      fromFile[key] = String(value);
    }
  }
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(options.env)) {
    if (key.startsWith("PORTICO_") && value !== undefined) merged[key] = value;
  }
  return parseConfig(merged, options.cwd);
};
