import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { AppError } from "../src/lib/errors.ts";

/**
 * A private OpenLDAP: Debian's slapd run from a slapd.conf and a database in a directory of its
 * own, on loopback ports, in a process group of its own; the Debian service is never started.
 * `portico demo --ldap` runs one as its directory, the tests run one each
 * (test/support/slapd.ts) and so does bench/ldap.ts.
 */

const run = promisify(execFile);

export const slapdTools = {
  slapd: "/usr/sbin/slapd",
  slapadd: "/usr/sbin/slapadd",
  slaptest: "/usr/sbin/slaptest",
} as const;

/** Fails, naming the Debian package to install, when the program at `path` is not there. */
export const requireTool = (path: string, debianPackage: string): void => {
  if (existsSync(path)) return;
  const name = path.slice(path.lastIndexOf("/") + 1);
  throw new AppError("CLI_TOOL_MISSING", {
    message: `${name} is not installed (${path}): install the Debian package ${debianPackage} (apt-get install ${debianPackage}).`,
  });
};

/** One LDIF entry to add: `dn` and its attributes (a value per line; no value needs base64 here). */
export const ldifEntry = (attributes: Readonly<Record<string, string | readonly string[]>>, dn: string) =>
  [
    `dn: ${dn}`,
    ...Object.entries(attributes).flatMap(([name, value]) =>
      (typeof value === "string" ? [value] : value).map((v) => `${name}: ${v}`),
    ),
    "",
  ].join("\n");

/** Fails, naming the Debian package, unless slapd and its tools are installed. */
export const requireSlapd = (): void => {
  for (const path of Object.values(slapdTools)) requireTool(path, "slapd");
};

/** A port nothing listens on now, on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Whether something accepts a TCP connection on host:port. */
export const accepts = (port: number, host = "127.0.0.1"): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Stops a server started detached (its own process group): SIGTERM, SIGKILL after 5 s. */
export const stopProcessGroup = async (running: ChildProcess | undefined): Promise<void> => {
  if (!running || running.exitCode !== null || running.signalCode !== null || running.pid === undefined)
    return;
  const pid = running.pid;
  const exited = new Promise((resolve) => running.once("exit", resolve));
  process.kill(-pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
};

export type PrivateSlapdOptions = {
  /** The instance's own directory: slapd.conf goes here, the database in `db/` (the conf names it). */
  readonly dir: string;
  /** slapd.conf's text. */
  readonly conf: string;
  /** Loopback ports to listen on: plain LDAP, and LDAPS when the conf has a certificate. */
  readonly ports: { readonly ldap: number; readonly ldaps?: number };
  /**
   * Entries (LDIF, no changetype) written into the database with slapadd before slapd first
   * starts: tens of thousands a second, where adds over LDAP manage hundreds. Overlays do not see
   * them (memberof sets no memberOf on them).
   */
  readonly preload?: string;
};

export type PrivateSlapd = {
  /** The plain LDAP URL, `ldap://127.0.0.1:<port>`. */
  readonly url: string;
  /** Starts slapd and resolves once it accepts connections on every port. */
  start(): Promise<void>;
  /** Stops slapd (its whole process group), keeping the database; `start` brings it back. */
  stop(): Promise<void>;
};

/** Writes the configuration and checks it, loads `preload`; slapd itself starts with `start()`. */
export const createPrivateSlapd = async (options: PrivateSlapdOptions): Promise<PrivateSlapd> => {
  requireSlapd();
  const { dir, ports } = options;
  const confFile = join(dir, "slapd.conf");
  await mkdir(join(dir, "db"), { recursive: true });
  await writeFile(confFile, options.conf);
  await run(slapdTools.slaptest, ["-f", confFile, "-u"]);
  if (options.preload !== undefined) {
    const ldif = join(dir, "preload.ldif");
    await writeFile(ldif, options.preload);
    try {
      // -q: no per-entry consistency checks, as for a bulk load of entries known to be well formed.
      await run(slapdTools.slapadd, ["-q", "-f", confFile, "-l", ldif], { maxBuffer: 16 * 1024 * 1024 });
    } finally {
      await rm(ldif, { force: true });
    }
  }
  const urls = [
    `ldap://127.0.0.1:${ports.ldap}/`,
    ...(ports.ldaps === undefined ? [] : [`ldaps://127.0.0.1:${ports.ldaps}/`]),
  ];
  const listening = [ports.ldap, ...(ports.ldaps === undefined ? [] : [ports.ldaps])];
  let child: ChildProcess | undefined;

  const start = async () => {
    let output = "";
    // -d 0: in the foreground, so it is this process's child; detached: its own process group.
    const started = spawn(slapdTools.slapd, ["-d", "0", "-f", confFile, "-h", urls.join(" ")], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child = started;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    started.stdout?.on("data", collect);
    started.stderr?.on("data", collect);
    for (let attempt = 0; attempt < 200; attempt++) {
      if (started.exitCode !== null) throw new Error(`slapd exited ${started.exitCode}:\n${output}`);
      const up = await Promise.all(listening.map((port) => accepts(port)));
      if (up.every(Boolean)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`slapd did not listen in time:\n${output}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    await stopProcessGroup(running);
  };

  return { url: `ldap://127.0.0.1:${ports.ldap}`, start, stop };
};
