import { lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { AppError } from "../lib/errors.ts";
import { usageError } from "./io.ts";

/** The file that marks a directory as the demo's own, which it may empty. */
export const demoMarkerFile = ".portico-demo";

const kindOf = (path: string): "missing" | "directory" | "file" | "other" => {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return "missing";
    throw error;
  }
};

const refuse = (dir: string, why: string): AppError =>
  usageError(
    `DEMO_DATA_DIR: ${dir} ${why}. The demo empties only a directory it created itself ` +
      `(marked by ${demoMarkerFile}); choose another DEMO_DATA_DIR.`,
  );

/**
 * Gives the demo a fresh data dir: creates it (0700, with the marker), empties one it marked on
 * an earlier start, or adopts an empty one. Anything else — a directory with files and no
 * marker, a file, a symbolic link — is refused untouched: it may be a real installation.
 */
export const prepareDemoDataDir = (dir: string): "created" | "emptied" | "adopted" => {
  const kind = kindOf(dir);
  if (kind === "missing") {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeMarker(dir);
    return "created";
  }
  if (kind !== "directory") throw refuse(dir, "is not a directory");
  const entries = readdirSync(dir);
  if (entries.length === 0) {
    writeMarker(dir);
    return "adopted";
  }
  if (kindOf(join(dir, demoMarkerFile)) !== "file")
    throw refuse(dir, "holds files and is not a demo directory");
  for (const entry of entries) rmSync(join(dir, entry), { recursive: true, force: true });
  writeMarker(dir);
  return "emptied";
};

const writeMarker = (dir: string): void =>
  writeFileSync(
    join(dir, demoMarkerFile),
    "This directory belongs to `portico demo`, which empties it on each start.\n",
    { mode: 0o600 },
  );

/** What the demo runs with: its own variables only, so it cannot reach a real installation. */
export type DemoSettings = {
  readonly dataDir: string;
  readonly runtimePort: number;
  readonly adminPort: number;
  readonly emulatorPort: number;
  /** slapd's, with `--ldap`. */
  readonly ldapPort: number;
};

/** The demo's variables and their defaults (the README documents them). */
export const demoVariables = {
  DEMO_DATA_DIR: "./data/demo",
  DEMO_RUNTIME_PORT: "9031",
  DEMO_ADMIN_PORT: "9999",
  DEMO_EMULATOR_PORT: "8443",
  DEMO_LDAP_PORT: "1389",
} as const;

type Env = Readonly<Record<string, string | undefined>>;

const setting = (env: Env, name: keyof typeof demoVariables): string => {
  const text = env[name]?.trim();
  return text === undefined || text === "" ? demoVariables[name] : text;
};

const port = (env: Env, name: keyof typeof demoVariables): number => {
  const text = setting(env, name);
  const value = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || value > 65535)
    throw usageError(`${name}: "${text}" is not a port number`);
  return value;
};

export const demoSettings = (env: Env, cwd: string): DemoSettings => {
  const dir = setting(env, "DEMO_DATA_DIR");
  return {
    dataDir: isAbsolute(dir) ? dir : resolve(cwd, dir),
    runtimePort: port(env, "DEMO_RUNTIME_PORT"),
    adminPort: port(env, "DEMO_ADMIN_PORT"),
    emulatorPort: port(env, "DEMO_EMULATOR_PORT"),
    ldapPort: port(env, "DEMO_LDAP_PORT"),
  };
};

/**
 * One line for each PORTICO_* variable that is set: they configure a real server, and the demo
 * never reads them — above all not the database, the master key or the admin password.
 */
export const ignoredVariableNotices = (env: Env, settings: DemoSettings): string[] => {
  const why: Record<string, string> = {
    PORTICO_DATA_DIR: `its data lives in ${settings.dataDir} (DEMO_DATA_DIR)`,
    PORTICO_DATABASE_URL: `it uses its own database in ${settings.dataDir}`,
    PORTICO_MASTER_KEY: `it generates its own master key in ${settings.dataDir}`,
    PORTICO_ADMIN_PASSWORD: "its admin account has the demo's own password",
    PORTICO_RUNTIME_PORT: "its ports are DEMO_RUNTIME_PORT, DEMO_ADMIN_PORT and DEMO_EMULATOR_PORT",
    PORTICO_ADMIN_PORT: "its ports are DEMO_RUNTIME_PORT, DEMO_ADMIN_PORT and DEMO_EMULATOR_PORT",
  };
  return Object.keys(env)
    .filter((name) => name.startsWith("PORTICO_") && env[name] !== undefined && env[name] !== "")
    .sort()
    .map((name) => `the demo ignores ${name}: ${why[name] ?? "it has its own settings"}`);
};
