import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireTool } from "../../scripts/slapd.ts";
import { runProcess, type Started, startProcess } from "./processes.ts";

/**
 * A PostgreSQL server of the test's own, which the test may stop and start: Debian's binaries
 * (package `postgresql`) on a free loopback port with trust auth, in a temp dir, and its socket
 * there too. The shared server on 5432 is never touched. PostgreSQL refuses to run as root, so
 * under root it runs as the `postgres` user that Debian's package creates.
 */
export type PostgresServer = {
  readonly port: number;
  /** A URL of a database on this server (`postgres` unless named). */
  url(database?: string): string;
  /** `pg_ctl stop` in the given mode: fast ends sessions cleanly, immediate is a crash. */
  stop(mode: "fast" | "immediate"): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Everything the server logged since it was (last) started. */
  output(): string;
  /** Stops it however it can and deletes its files. */
  dispose(): Promise<void>;
};

/** The newest PostgreSQL whose server programs Debian installed under /usr/lib/postgresql. */
const binDir = (): string => {
  const root = "/usr/lib/postgresql";
  const newest = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  const bin = join(root, newest ?? "<version>", "bin");
  requireTool(join(bin, "initdb"), "postgresql");
  return bin;
};

/** Runs a PostgreSQL program as the user the server runs as. */
const as = (asRoot: boolean, program: string, args: readonly string[]): [string, string[]] =>
  asRoot ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, [...args]];

export const startPostgresServer = async (): Promise<PostgresServer> => {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "portico-pg-"));
  const data = join(dir, "data");
  const env = { PATH: process.env.PATH ?? "", LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
  const options = { cwd: dir, env };
  if (asRoot) {
    mkdirSync(data, { mode: 0o700 });
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(data, uid, gid);
  }
  const port = await freePort();
  let server: Started | undefined;

  const run = async (program: string, args: readonly string[]) => {
    const [command, argv] = as(asRoot, join(bin, program), args);
    const result = await runProcess(command, argv, options);
    if (result.code !== 0) throw new Error(`${program} ${args.join(" ")} failed:\n${result.output}`);
  };

  const start = async () => {
    const [command, argv] = as(asRoot, join(bin, "postgres"), [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      // A test server: losing its data to a power cut costs nothing, and fsync costs seconds.
      "-c",
      "fsync=off",
      "-c",
      "full_page_writes=off",
    ]);
    server = await startProcess(command, argv, options, (text) =>
      /database system is ready to accept connections/.test(text),
    );
  };

  /** The postmaster's pid from its lock file, for when pg_ctl could not stop it. */
  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const stop = async (mode: "fast" | "immediate") => {
    const running = server;
    await run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "30", "stop"]);
    // The output is complete, and the port free, once the process (and runuser) have ended.
    if (running && running.child.exitCode === null)
      await new Promise((resolve) => running.child.once("close", resolve));
    server = undefined;
  };

  try {
    await run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    output: () => server?.output() ?? "",
    dispose: async () => {
      try {
        if (server) await stop("immediate");
      } catch {
        // pg_ctl failed: end the server's process group, and the postmaster's own.
        const pids = [server?.child.pid, postmasterPid()].filter((pid) => pid !== undefined);
        for (const target of pids.flatMap((pid) => [-pid, pid])) {
          try {
            process.kill(target, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
