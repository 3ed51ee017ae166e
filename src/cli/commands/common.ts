import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, CommanderError, InvalidArgumentError } from "commander";
import { AppError } from "../../lib/errors.ts";
import { type AdminClient, createAdminClient } from "../client.ts";
import { type CliIo, usageError } from "../io.ts";

export { usageError };

/** The options every client command takes to reach the admin API (flags win over the environment). */
export type ConnectionOptions = {
  url?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
};

/** How the help describes the default URL (see defaultAdminUrlFor). */
export const defaultAdminUrl = "http://127.0.0.1:<PORTICO_ADMIN_PORT or 9999>";

/** A JSON document as the CLI sees it: it reads a few fields and passes the rest through. */
export type JsonObject = Record<string, unknown>;

/**
 * Usage errors exit 2 (commander reports them with exit code 1). Set on each command group
 * before its subcommands are added, so they inherit it.
 */
const usageExit = (error: CommanderError): never => {
  if (error.exitCode === 1) throw new CommanderError(2, error.code, error.message);
  throw error;
};

export const commandGroup = (program: Command, name: string, description: string): Command =>
  program.command(name).description(description).exitOverride(usageExit);

/** Adds --url, --user, --password and --token; the help names each one's environment variable. */
export const withConnectionOptions = (command: Command): Command =>
  command
    .option("--url <url>", `admin listener URL (env PORTICO_ADMIN_URL, default ${defaultAdminUrl})`)
    .option("--user <name>", "admin account (env PORTICO_ADMIN_USER, default admin)")
    .option("--password <password>", "admin password (env PORTICO_ADMIN_PASSWORD)")
    .option("--token <token>", "API token, used instead of the password (env PORTICO_API_TOKEN)");

const present = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value;

/**
 * Where the admin API is when neither --url nor PORTICO_ADMIN_URL says: where `portico serve`
 * with the same environment listens (PORTICO_ADMIN_PORT, and PORTICO_ADMIN_HOST unless it is a
 * wildcard address, which is reached on the loopback).
 */
export const defaultAdminUrlFor = (env: CliIo["env"]): string => {
  const port = present(env.PORTICO_ADMIN_PORT) ?? "9999";
  if (!/^[0-9]{1,5}$/.test(port)) throw usageError(`PORTICO_ADMIN_PORT: "${port}" is not a port number`);
  const configured = present(env.PORTICO_ADMIN_HOST);
  const host =
    configured === undefined || configured === "0.0.0.0" || configured === "::" ? "127.0.0.1" : configured;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
};

/** The admin client for a command's options, falling back to the environment. */
export const clientFor = (io: CliIo, options: ConnectionOptions): AdminClient => {
  const token = present(options.token) ?? present(io.env.PORTICO_API_TOKEN);
  const password = present(options.password) ?? present(io.env.PORTICO_ADMIN_PASSWORD);
  return createAdminClient({
    url: present(options.url) ?? present(io.env.PORTICO_ADMIN_URL) ?? defaultAdminUrlFor(io.env),
    user: present(options.user) ?? present(io.env.PORTICO_ADMIN_USER) ?? "admin",
    // A token wins over a password: with both, the client sends only the Bearer token.
    ...(token === undefined ? { password } : { token }),
  });
};

const describeFsError = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
};

/** Reads a file as bytes; relative paths resolve against the caller's working directory. */
export const readBytes = async (io: CliIo, file: string): Promise<Buffer> => {
  if (file === "-") return Buffer.from(await io.readStdin(), "utf8");
  try {
    return await readFile(resolve(io.cwd, file));
  } catch (error) {
    throw usageError(`cannot read ${file}: ${describeFsError(error)}`);
  }
};

/** Reads a text file, or standard input for `-`. */
export const readText = async (io: CliIo, file: string): Promise<string> =>
  (await readBytes(io, file)).toString("utf8");

export const readJsonFile = async (io: CliIo, file: string): Promise<unknown> => {
  const text = await readText(io, file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("REQ_MALFORMED_JSON", {
      message: `${file === "-" ? "standard input" : file} is not JSON (${reason})`,
    });
  }
};

export const readJsonObject = async (io: CliIo, file: string): Promise<JsonObject> => {
  const value = await readJsonFile(io, file);
  if (!isObject(value)) {
    throw new AppError("REQ_VALIDATION", {
      message: `${file === "-" ? "standard input" : file} must hold one JSON object`,
    });
  }
  return value;
};

export const writeOutFile = async (io: CliIo, file: string, text: string): Promise<string> => {
  const path = resolve(io.cwd, file);
  try {
    await writeFile(path, text);
  } catch (error) {
    throw usageError(`cannot write ${file}: ${describeFsError(error)}`);
  }
  return path;
};

export const printJson = (io: CliIo, value: unknown): void =>
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const pathId = (id: string): string => encodeURIComponent(id);

/** Parses a positive integer option value (commander turns the throw into a usage error). */
export const positiveInteger = (value: string): number => {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new InvalidArgumentError("It must be a whole number above 0.");
  return Number(value);
};

/** `2026-11-28` from an ISO timestamp, for tables. */
export const day = (iso: unknown): string =>
  typeof iso === "string" && iso.length >= 10 ? iso.slice(0, 10) : "-";

export const text = (value: unknown, fallback = "-"): string =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : fallback;

export const items = (response: unknown): JsonObject[] => {
  const list = isObject(response) ? response.items : undefined;
  return Array.isArray(list) ? list.filter(isObject) : [];
};
