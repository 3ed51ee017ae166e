import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A real OpenLDAP for tests: Debian's slapd on free loopback ports, with its own config and
 * database in a temp dir (the Debian instance never runs), the memberof overlay, StartTLS on the
 * plain port and LDAPS on a second one with a test CA made here with openssl (no key is ever
 * committed), and cn=Monitor for counting connections. Seeded with people, groups, nested groups
 * (with a cycle) and a service account limited like a real one: 20 entries per plain search, so
 * only a paged search sees everyone.
 *
 * A missing slapd fails the test with the package to install (scripts/test-prerequisites.sh
 * installs it, from scripts/debian-packages.txt); it never skips.
 */

import { makeTestCertificates } from "./certificates.ts";
import { accepts, stopProcessGroup } from "./processes.ts";
import { adLikeSchema, adminDn, adminPassword, seedLdif, slapdConf } from "./slapd-seed.ts";

export * from "./slapd-seed.ts";

const run = promisify(execFile);

const tools = {
  slapd: "/usr/sbin/slapd",
  slaptest: "/usr/sbin/slaptest",
  ldapmodify: "/usr/bin/ldapmodify",
  ldapsearch: "/usr/bin/ldapsearch",
} as const;

const requireTools = () => {
  for (const [name, path] of Object.entries(tools)) {
    if (!existsSync(path)) {
      const pkg = name.startsWith("ldap") ? "ldap-utils" : "slapd";
      throw new Error(
        `${name} is missing (${path}): install the Debian package ${pkg} (scripts/test-prerequisites.sh)`,
      );
    }
  }
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export type Slapd = {
  /** Plain LDAP (StartTLS available) and LDAPS ports on 127.0.0.1. */
  readonly port: number;
  readonly ldapsPort: number;
  /** `localhost:<port>`, the name the certificate carries. */
  readonly hostname: string;
  readonly ldapsHostname: string;
  /** The CA that signed the server's certificate, and one that did not. */
  readonly caPem: string;
  readonly otherCaPem: string;
  /** Applies LDIF (changetype records, or plain entries to add) as the admin. */
  modify(ldif: string): Promise<void>;
  /** Connections slapd has accepted since it started (cn=Monitor). */
  totalConnections(): Promise<number>;
  /** Stops the server, keeping its data; `start` brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export const startSlapd = async (options: { bulkUsers?: number } = {}): Promise<Slapd> => {
  requireTools();
  const dir = await mkdtemp(join(tmpdir(), "portico-slapd-"));
  await mkdir(join(dir, "db"));
  // A certificate for "localhost" only, so 127.0.0.1 is a host name mismatch.
  await makeTestCertificates(dir, "DNS:localhost");
  await writeFile(join(dir, "ad-like.schema"), adLikeSchema);
  await writeFile(join(dir, "slapd.conf"), slapdConf(dir));
  await run(tools.slaptest, ["-f", join(dir, "slapd.conf"), "-u"]);
  const port = await freePort();
  const ldapsPort = await freePort();
  let child: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    output = "";
    const started = spawn(
      tools.slapd,
      [
        "-d",
        "0",
        "-f",
        join(dir, "slapd.conf"),
        "-h",
        `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`,
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    child = started;
    started.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    started.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    for (let attempt = 0; attempt < 200; attempt++) {
      if (started.exitCode !== null) throw new Error(`slapd exited ${started.exitCode}:\n${output}`);
      if ((await accepts(port, "127.0.0.1")) && (await accepts(ldapsPort, "127.0.0.1"))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`slapd did not listen in time:\n${output}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    await stopProcessGroup(running);
  };

  // Simple bind as the admin, on the plain port.
  const asAdmin = () => ["-x", "-H", `ldap://127.0.0.1:${port}`, "-D", adminDn, "-w", adminPassword];
  const ldapmodify = async (ldif: string) => {
    const file = join(dir, `change-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
    await writeFile(file, ldif);
    try {
      await run(tools.ldapmodify, ["-a", ...asAdmin(), "-f", file]);
    } finally {
      await rm(file, { force: true });
    }
  };

  try {
    await start();
    await ldapmodify(seedLdif(options.bulkUsers ?? 30));
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    ldapsPort,
    hostname: `localhost:${port}`,
    ldapsHostname: `localhost:${ldapsPort}`,
    caPem: await readFile(join(dir, "ca.pem"), "utf8"),
    otherCaPem: await readFile(join(dir, "other-ca.pem"), "utf8"),
    modify: ldapmodify,
    totalConnections: async () => {
      const { stdout } = await run(tools.ldapsearch, [
        "-LLL",
        ...asAdmin(),
        "-b",
        "cn=Total,cn=Connections,cn=Monitor",
        "-s",
        "base",
        "monitorCounter",
      ]);
      const counter = /monitorCounter: (\d+)/.exec(stdout)?.[1];
      if (counter === undefined) throw new Error(`no monitorCounter in:\n${stdout}`);
      return Number(counter);
    },
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
