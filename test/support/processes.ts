import { type ChildProcess, spawn } from "node:child_process";
import { accepts } from "../../scripts/slapd.ts";

export type Started = {
  readonly child: ChildProcess;
  /** Everything the process wrote so far, both streams. */
  output(): string;
  /** Standard output alone. */
  stdout(): string;
};

/**
 * Process groups of processes started here. Each runs in its own group, so whatever a failed test
 * leaves behind — including a grandchild that outlived its parent — is killed at the end.
 */
const groups = new Set<number>();

export const killLeftovers = (): void => {
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // The group has already gone.
    }
  }
  groups.clear();
};

type Options = { cwd: string; env: Record<string, string> };

const launch = (command: string, args: readonly string[], options: Options) => {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid !== undefined) groups.add(child.pid);
  let text = "";
  let stdout = "";
  const listeners: (() => void)[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    text += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  });
  // "close", not "exit": the output is complete only once both streams have ended.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const started: Started = { child, output: () => text, stdout: () => stdout };
  return { started, exited, onOutput: (listener: () => void) => listeners.push(listener) };
};

/**
 * Starts a program as a user would and resolves once its output satisfies `isReady`; rejects
 * with the output when it exits first.
 */
export const startProcess = (
  command: string,
  args: readonly string[],
  options: Options,
  isReady: (output: string) => boolean,
): Promise<Started> =>
  new Promise((resolve, reject) => {
    const { started, exited, onOutput } = launch(command, args, options);
    let settled = false;
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${started.output()}`)), 90_000);
    onOutput(() => {
      if (settled || !isReady(started.output())) return;
      settled = true;
      clearTimeout(timer);
      resolve(started);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`exited ${code}:\n${started.output()}`));
    });
  });

/** Runs a program to its end; one still running after a minute is killed (code null). */
export const runProcess = async (
  command: string,
  args: readonly string[],
  options: Options,
): Promise<{ code: number | null; output: string }> => {
  const { started, exited } = launch(command, args, options);
  const timer = setTimeout(() => {
    if (started.child.pid !== undefined) process.kill(-started.child.pid, "SIGKILL");
  }, 60_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, output: started.output() };
};

/**
 * Sends a signal and resolves with the exit code, once the output is complete: when the streams
 * have closed, or shortly after the exit when a grandchild still holds them.
 */
export const stopProcess = async (child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> => {
  const closed = new Promise((resolve) => child.once("close", resolve));
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  child.kill(signal);
  const code = await exited;
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  return code;
};

/** Resolves true once nothing listens on the port any more, false when something still does after a while. */
export const portReleased = async (port: number, host = "127.0.0.1"): Promise<boolean> => {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (!(await accepts(port, host))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
};

/** TCP probe and process-group stop, shared with the product's own slapd runner. */
export { accepts, stopProcessGroup } from "../../scripts/slapd.ts";

const portico = new URL("../../bin/portico.js", import.meta.url).pathname;

/**
 * `portico serve` as a separate process on free ports, for the kill and failover tests; resolves
 * once its admin API listens, with that API's URL.
 */
export const startServe = (options: {
  cwd: string;
  databaseUrl: string;
  masterKey: string;
  adminPassword: string;
  env?: Record<string, string>;
}): Promise<Started & { adminUrl: string }> =>
  startProcess(
    process.execPath,
    [portico, "serve"],
    {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? "",
        PORTICO_DATA_DIR: `${options.cwd}/data`,
        PORTICO_DATABASE_URL: options.databaseUrl,
        PORTICO_MASTER_KEY: options.masterKey,
        PORTICO_ADMIN_PASSWORD: options.adminPassword,
        PORTICO_BASE_URL: "https://idp.example.com",
        PORTICO_RUNTIME_PORT: "0",
        PORTICO_ADMIN_PORT: "0",
        PORTICO_LOG_LEVEL: "warn",
        ...options.env,
      },
    },
    (text) => /admin API http:\/\/\S+\/pf-admin-api/.test(text),
  ).then((started) => ({
    ...started,
    adminUrl: /admin API (http:\/\/\S+)\/pf-admin-api/.exec(started.output())?.[1] ?? "",
  }));
