import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeTestCertificates } from "./certificates.ts";
import { accepts, stopProcessGroup } from "./processes.ts";
import { adBaseDn, administratorDn, administratorPassword, adSeedLdif, realm } from "./samba-seed.ts";
import { provisionedCopy } from "./samba-template.ts";

/**
 * A real Active Directory for tests: Samba's AD domain controller, provisioned by `samba-tool
 * domain provision` (once per test run: samba-template.ts) into a temp dir (the Debian service
 * never runs) and started in the foreground with only its LDAP server. AD's LDAP ports are fixed (389, and 636 for LDAPS), so
 * each DC listens on a loopback address of its own, 127.0.0.N, chosen free. Clients reach it as
 * a real deployment does: LDAPS, with a certificate for that address signed by a test CA (Samba
 * keeps its default of refusing simple binds without TLS). Seeded with samba-seed.ts.
 *
 * A missing Samba fails the test with the packages to install (scripts/debian-packages.txt); it
 * never skips. Samba must run as root (its ports are below 1024, and it insists).
 */

export * from "./samba-seed.ts";

const run = promisify(execFile);

/** Each package and why the harness needs it. */
const packages = {
  samba: "the AD DC daemon, /usr/sbin/samba",
  "samba-common-bin": "samba-tool, which provisions the domain",
  "samba-dsdb-modules": "the directory database modules the DC runs on",
  "samba-vfs-modules": "acl_xattr and xattr_tdb, which provisioning uses for sysvol's ACLs",
  "samba-ad-provision": "the AD schema files provisioning reads",
  "ldap-utils": "ldapmodify, which seeds the directory",
} as const;

const missingPackages = async (): Promise<string[]> => {
  const names = Object.keys(packages);
  // One dpkg-query for all; it exits non-zero when one is unknown, and still lists the others.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a template
  const listed = await run("dpkg-query", ["-W", "-f=${Package} ${Status}\\n", ...names]).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
  );
  const installed = new Set(
    listed.stdout
      .split("\n")
      .filter((line) => line.endsWith("install ok installed"))
      .map((line) => line.split(" ")[0]),
  );
  return names.filter((name) => !installed.has(name));
};

export type SambaDc = {
  /** The loopback address the DC listens on, and `address:636` for a data store's hostnames. */
  readonly address: string;
  readonly hostname: string;
  /** The CA that signed the DC's certificate, and one that did not. */
  readonly caPem: string;
  readonly otherCaPem: string;
  /** Time spent copying (or first provisioning) the domain and starting the DC; never asserted. */
  readonly timings: { readonly provisionMs: number; readonly startMs: number };
  /** Applies LDIF change records as the domain's Administrator, over LDAPS. */
  modify(ldif: string): Promise<void>;
  /** Searches as the Administrator; the raw LDIF ldapsearch prints (-LLL). */
  search(baseDn: string, filter: string, attributes: readonly string[]): Promise<string>;
  /**
   * A user's objectGUID as the DC itself writes it (xxxxxxxx-xxxx-…), read through AD's extended
   * DN control, so that no Portico code stands between the test and the answer.
   */
  guidOf(sAMAccountName: string): Promise<string>;
  /** Tries a simple bind over LDAPS: undefined when it succeeds, else the server's message. */
  bind(dn: string, password: string): Promise<string | undefined>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

/** Loopback addresses to try, from one that depends on the process, so parallel test files rarely meet. */
const candidates = function* () {
  const first = 100 + (process.pid % 100);
  for (let i = 0; i < 100; i++) yield `127.0.0.${100 + ((first - 100 + i) % 100)}`;
};

export const startSambaDc = async (): Promise<SambaDc> => {
  const missing = await missingPackages();
  if (missing.length > 0)
    throw new Error(
      `Samba AD DC is missing: install the Debian packages ${missing.join(" ")} (${missing
        .map((p) => `${p}: ${packages[p as keyof typeof packages]}`)
        .join("; ")}); scripts/test-prerequisites.sh installs them`,
    );
  if (process.getuid?.() !== 0) throw new Error("Samba's AD DC runs as root only: run these tests as root");
  const dir = await mkdtemp(join(tmpdir(), "portico-samba-"));
  const tls = join(dir, "tls");
  let child: ChildProcess | undefined;
  let address = "";
  let output = "";

  const spawnDc = async (): Promise<"started" | "address in use"> => {
    output = "";
    const started = spawn(
      "samba",
      [
        "--interactive",
        "--model=single",
        "--debuglevel=1",
        `--configfile=${join(dir, "etc", "smb.conf")}`,
        `--option=interfaces = ${address}/8`,
      ],
      { stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    child = started;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    started.stdout?.on("data", collect);
    started.stderr?.on("data", collect);
    for (let attempt = 0; attempt < 600; attempt++) {
      if (started.exitCode !== null || started.signalCode !== null) {
        if (/ADDRESS_ALREADY_ASSOCIATED/.test(output)) return "address in use";
        throw new Error(`samba exited ${started.exitCode ?? started.signalCode}:\n${output}`);
      }
      if (await accepts(636, address)) return "started";
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`samba did not listen on ${address}:636 in time:\n${output}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    await stopProcessGroup(running);
  };

  const start = async () => {
    if ((await spawnDc()) === "address in use")
      throw new Error(`${address} is taken since the DC last ran:\n${output}`);
  };

  const ldapEnv = () => ({ ...process.env, LDAPTLS_CACERT: join(tls, "ca.pem"), LDAPTLS_REQCERT: "demand" });
  const asAdministrator = () => [
    "-x",
    "-H",
    `ldaps://${address}`,
    "-D",
    administratorDn,
    "-w",
    administratorPassword,
  ];
  const modify = async (ldif: string) => {
    const file = join(dir, `change-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
    await writeFile(file, ldif);
    try {
      await run("ldapmodify", [...asAdministrator(), "-f", file], { env: ldapEnv() });
    } finally {
      await rm(file, { force: true });
    }
  };

  const timings = { provisionMs: 0, startMs: 0 };
  try {
    let began = performance.now();
    await provisionedCopy(dir);
    timings.provisionMs = performance.now() - began;
    began = performance.now();
    for (const candidate of candidates()) {
      if ((await accepts(389, candidate)) || (await accepts(636, candidate))) continue;
      address = candidate;
      await makeTestCertificates(tls, `IP:${address},DNS:dc1.${realm.toLowerCase()}`);
      // Samba refuses a private key others may read.
      await chmod(join(tls, "server.key"), 0o600);
      if ((await spawnDc()) === "started") break;
      address = "";
    }
    if (address === "") throw new Error("no free loopback address in 127.0.0.100-199 for the DC");
    timings.startMs = performance.now() - began;
    await modify(adSeedLdif());
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    address,
    hostname: `${address}:636`,
    caPem: await readFile(join(tls, "ca.pem"), "utf8"),
    otherCaPem: await readFile(join(tls, "other-ca.pem"), "utf8"),
    timings,
    modify,
    search: async (baseDn, filter, attributes) =>
      (
        await run(
          "ldapsearch",
          ["-LLL", "-o", "ldif-wrap=no", ...asAdministrator(), "-b", baseDn, filter, ...attributes],
          {
            env: ldapEnv(),
          },
        )
      ).stdout,
    guidOf: async (sAMAccountName) => {
      // LDAP_SERVER_EXTENDED_DN_OID with ExtendedDNFlag 1 (BER 30 03 02 01 01): "<GUID=…>;<SID=…>;CN=…"
      // (MS-ADTS §3.1.1.3.4.1.5), base64 in LDIF since it starts with "<".
      const { stdout } = await run(
        "ldapsearch",
        [
          "-LLL",
          "-o",
          "ldif-wrap=no",
          ...asAdministrator(),
          "-E",
          "!1.2.840.113556.1.4.529=::MAMCAQE=",
          "-b",
          adBaseDn,
          `(sAMAccountName=${sAMAccountName})`,
          "1.1",
        ],
        { env: ldapEnv() },
      );
      const dn = Buffer.from(/^dn:: (\S+)/m.exec(stdout)?.[1] ?? "", "base64").toString("utf8");
      const guid = /^<GUID=([0-9a-f-]{36})>/.exec(dn)?.[1];
      if (!guid) throw new Error(`no GUID for ${sAMAccountName} in:\n${stdout}`);
      return guid;
    },
    bind: async (dn, password) => {
      try {
        // Samba answers no WhoAmI (ldapwhoami): a base search of the root DSE proves the bind.
        await run(
          "ldapsearch",
          ["-x", "-H", `ldaps://${address}`, "-D", dn, "-w", password, "-b", "", "-s", "base", "1.1"],
          {
            env: ldapEnv(),
          },
        );
        return undefined;
      } catch (error) {
        return error instanceof Error && "stderr" in error ? String(error.stderr) : String(error);
      }
    },
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
