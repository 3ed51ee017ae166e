import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createPrivateSlapd, freePort, requireTool } from "../../scripts/slapd.ts";
import { makeTestCertificates } from "./certificates.ts";

/**
 * A real OpenLDAP for tests: Debian's slapd on free loopback ports, with its own config and
 * database in a temp dir (the Debian instance never runs; scripts/slapd.ts runs this one), the
 * memberof overlay, StartTLS on the plain port and LDAPS on a second one with a test CA made here
 * with openssl (no key is ever committed), and cn=Monitor for counting connections and entries
 * sent. Seeded with people, groups, nested groups (with a cycle) and a service account limited
 * like a real one: 20 entries per plain search, so only a paged search sees everyone.
 *
 * A missing slapd fails the test with the package to install (scripts/test-prerequisites.sh
 * installs it, from scripts/debian-packages.txt); it never skips.
 */

import { adLikeSchema, adminDn, adminPassword, seedChanges, seedEntries, slapdConf } from "./slapd-seed.ts";

export * from "./slapd-seed.ts";

const run = promisify(execFile);

const tools = {
  ldapmodify: "/usr/bin/ldapmodify",
  ldapsearch: "/usr/bin/ldapsearch",
} as const;

const requireTools = () => {
  requireTool(tools.ldapmodify, "ldap-utils");
  requireTool(tools.ldapsearch, "ldap-utils");
};

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
  /** Entries slapd has sent in search results since it started, to anyone (cn=Monitor). */
  entriesSent(): Promise<number>;
  /** Stops the server, keeping its data; `start` brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export type SlapdOptions = {
  /** How many numbered users (user001…) the seed adds after the named people; 30 by default. */
  readonly bulkUsers?: number;
  /**
   * Writes the seed's entries into the database with slapadd before slapd starts (the changes
   * after them go over LDAP): for tens of thousands of users. The memberof overlay does not see
   * preloaded entries, so the named people carry no memberOf.
   */
  readonly preload?: boolean;
  /** More entries (plain LDIF) after the seed's, e.g. a group of the numbered users. */
  readonly moreEntries?: string;
};

export const startSlapd = async (options: SlapdOptions = {}): Promise<Slapd> => {
  requireTools();
  const dir = await mkdtemp(join(tmpdir(), "portico-slapd-"));
  const entries = [
    seedEntries(options.bulkUsers ?? 30),
    ...(options.moreEntries ? [options.moreEntries] : []),
  ].join("\n");
  let server: Awaited<ReturnType<typeof createPrivateSlapd>> | undefined;
  const port = await freePort();
  const ldapsPort = await freePort();

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
  const monitorCounter = async (dn: string) => {
    const { stdout } = await run(tools.ldapsearch, [
      "-LLL",
      ...asAdmin(),
      "-b",
      dn,
      "-s",
      "base",
      "monitorCounter",
    ]);
    const counter = /monitorCounter: (\d+)/.exec(stdout)?.[1];
    if (counter === undefined) throw new Error(`no monitorCounter in:\n${stdout}`);
    return Number(counter);
  };

  try {
    // The server certificate names "localhost" only, so 127.0.0.1 is a host name mismatch.
    await makeTestCertificates(dir, "DNS:localhost");
    await writeFile(join(dir, "ad-like.schema"), adLikeSchema);
    server = await createPrivateSlapd({
      dir,
      conf: slapdConf(dir),
      ports: { ldap: port, ldaps: ldapsPort },
      ...(options.preload ? { preload: entries } : {}),
    });
    await server.start();
    await ldapmodify(options.preload ? seedChanges() : `${entries}\n${seedChanges()}`);
  } catch (error) {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { start, stop } = server;

  return {
    port,
    ldapsPort,
    hostname: `localhost:${port}`,
    ldapsHostname: `localhost:${ldapsPort}`,
    caPem: await readFile(join(dir, "ca.pem"), "utf8"),
    otherCaPem: await readFile(join(dir, "other-ca.pem"), "utf8"),
    modify: ldapmodify,
    totalConnections: () => monitorCounter("cn=Total,cn=Connections,cn=Monitor"),
    entriesSent: () => monitorCounter("cn=Entries,cn=Statistics,cn=Monitor"),
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
