import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
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

const run = promisify(execFile);

export const baseDn = "dc=example,dc=com";
export const adminDn = `cn=admin,${baseDn}`;
export const adminPassword = "admin-secret";
export const serviceDn = `cn=portico,ou=services,${baseDn}`;
export const servicePassword = "portico-service-secret";
/** What a plain (unpaged) search may return to the service account. */
export const serviceSizeLimit = 20;

export type SeedUser = { uid: string; givenName: string; sn: string; mail: string; password: string };

/** The named people; `bulkUsers` more (user001…) are added after them. */
export const people: readonly SeedUser[] = [
  { uid: "ada", givenName: "Ada", sn: "Lovelace", mail: "ada@example.com", password: "ada-pw" },
  { uid: "bob", givenName: "Bob", sn: "Builder", mail: "bob@example.com", password: "bob-pw" },
  { uid: "carol", givenName: "Carol", sn: "Shaw", mail: "carol@example.com", password: "carol-pw" },
  { uid: "dave", givenName: "Dave", sn: "Cutler", mail: "dave@example.com", password: "dave-pw" },
];

/**
 * Groups (groupOfNames). salesforce-users holds ada, bob and the group engineering; engineering
 * holds carol and platform; platform holds dave and, closing a cycle, salesforce-users.
 */
export const groupDn = (cn: string) => `cn=${cn},ou=groups,${baseDn}`;
export const userDn = (uid: string) => `uid=${uid},ou=people,${baseDn}`;
/** OpenLDAP's password policy (ppolicy) for every entry: it refuses a locked account's bind. */
export const policyDn = `cn=default,ou=policies,${baseDn}`;

const tools = {
  slapd: "/usr/sbin/slapd",
  slaptest: "/usr/sbin/slaptest",
  ldapmodify: "/usr/bin/ldapmodify",
  ldapsearch: "/usr/bin/ldapsearch",
  openssl: "/usr/bin/openssl",
} as const;

const requireTools = () => {
  for (const [name, path] of Object.entries(tools)) {
    if (!existsSync(path)) {
      const pkg = name === "openssl" ? "openssl" : name.startsWith("ldap") ? "ldap-utils" : "slapd";
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

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

const entry = (lines: Record<string, string | readonly string[]>, dn: string) =>
  [
    `dn: ${dn}`,
    ...Object.entries(lines).flatMap(([name, value]) =>
      (typeof value === "string" ? [value] : value).map((v) => `${name}: ${v}`),
    ),
    "",
  ].join("\n");

const seedLdif = (bulkUsers: number): string => {
  const bulk: SeedUser[] = Array.from({ length: bulkUsers }, (_, i) => {
    const uid = `user${String(i + 1).padStart(3, "0")}`;
    return {
      uid,
      givenName: "User",
      sn: `Number ${i + 1}`,
      mail: `${uid}@example.com`,
      password: `${uid}-pw`,
    };
  });
  const ou = (name: string) => entry({ objectClass: "organizationalUnit", ou: name }, `ou=${name},${baseDn}`);
  const person = (u: SeedUser) =>
    entry(
      {
        objectClass: "inetOrgPerson",
        uid: u.uid,
        cn: `${u.givenName} ${u.sn}`,
        givenName: u.givenName,
        sn: u.sn,
        mail: u.mail,
        userPassword: u.password,
      },
      userDn(u.uid),
    );
  const group = (cn: string, members: readonly string[]) =>
    entry({ objectClass: "groupOfNames", cn, member: members }, groupDn(cn));
  return [
    entry({ objectClass: ["dcObject", "organization"], dc: "example", o: "Example" }, baseDn),
    ou("people"),
    ou("groups"),
    ou("services"),
    ou("policies"),
    // ppolicy's lock without a failure count: an account is locked only by setting its
    // pwdAccountLockedTime, as an administrator does (000001010000Z: until unlocked).
    entry(
      {
        objectClass: ["organizationalRole", "pwdPolicy"],
        cn: "default",
        pwdAttribute: "userPassword",
        pwdLockout: "TRUE",
        pwdMaxFailure: "0",
        pwdMaxAge: "0",
      },
      policyDn,
    ),
    entry(
      {
        objectClass: ["organizationalRole", "simpleSecurityObject"],
        cn: "portico",
        userPassword: servicePassword,
      },
      serviceDn,
    ),
    ...[...people, ...bulk].map(person),
    group("platform", [userDn("dave")]),
    group("engineering", [userDn("carol"), groupDn("platform")]),
    group("salesforce-users", [userDn("ada"), userDn("bob"), groupDn("engineering")]),
    [
      `dn: ${userDn("ada")}`,
      "changetype: modify",
      "add: objectClass",
      "objectClass: porticoTestAdIdentifiers",
      "-",
      "add: objectGUID",
      `objectGUID:: ${adaGuidBytes.toString("base64")}`,
      "-",
      "add: objectSid",
      `objectSid:: ${adaSidBytes.toString("base64")}`,
      "",
    ].join("\n"),
    // The cycle is closed last, so the memberof overlay sees both groups exist.
    [
      `dn: ${groupDn("platform")}`,
      "changetype: modify",
      "add: member",
      `member: ${groupDn("salesforce-users")}`,
      "",
    ].join("\n"),
  ].join("\n");
};

/**
 * Active Directory's two binary identifiers, under AD's own OIDs, on an auxiliary class: enough to
 * read objectGUID and objectSid as bytes from slapd (a whole AD schema would clash with memberof).
 * And uSNChanged (an integer with ordering), which a test sets on each change as AD's DC would,
 * to read changes by USN.
 */
const adLikeSchema = `
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.146 NAME 'objectSid' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.120 NAME 'uSNChanged' EQUALITY integerMatch ORDERING integerOrderingMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.11.99.1 NAME 'porticoTestAdIdentifiers' AUXILIARY MAY ( objectGUID $ objectSid $ uSNChanged ) )
`;

/** ada's binary identifiers, as AD would hold them (see src/ldap/binary.test.ts for the byte order). */
export const adaObjectGuid = "4b3b3b5c-5e6f-4a1b-8c2d-0123456789ab";
export const adaObjectSid = "S-1-5-21-3623811015-3361044348-30300820-1013";
const adaGuidBytes = Buffer.from("5c3b3b4b6f5e1b4a8c2d0123456789ab", "hex");
const adaSidBytes = Buffer.from("010500000000000515000000c7f7fed77c7755c8945ace01f5030000", "hex");

const slapdConf = (dir: string) => `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include ${dir}/ad-like.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload ppolicy
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key

database mdb
suffix "${baseDn}"
rootdn "${adminDn}"
rootpw ${adminPassword}
directory ${dir}/db
maxsize 268435456
index objectClass eq
index uid,mail,cn eq,sub
index member,memberOf eq
index entryUUID,modifyTimestamp eq
limits dn.exact="${serviceDn}" size.soft=${serviceSizeLimit} size.hard=${serviceSizeLimit} size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
overlay ppolicy
ppolicy_default "${policyDn}"
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

database monitor
access to * by dn.exact="${adminDn}" read by * none
`;

/** A CA, a server certificate for "localhost" only (so 127.0.0.1 is a host name mismatch), and an unrelated CA. */
const makeCertificates = async (dir: string) => {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  for (const name of ["ca", "other-ca"]) {
    await run(tools.openssl, [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      join(dir, `${name}.key`),
      "-out",
      join(dir, `${name}.pem`),
      "-days",
      "2",
      "-subj",
      `/CN=Portico test ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
  }
  await run(tools.openssl, [
    "req",
    ...ec,
    "-keyout",
    join(dir, "server.key"),
    "-out",
    join(dir, "server.csr"),
    "-subj",
    "/CN=localhost",
  ]);
  await writeFile(
    join(dir, "server.ext"),
    "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
  );
  await run(tools.openssl, [
    "x509",
    "-req",
    "-in",
    join(dir, "server.csr"),
    "-CA",
    join(dir, "ca.pem"),
    "-CAkey",
    join(dir, "ca.key"),
    "-CAcreateserial",
    "-out",
    join(dir, "server.pem"),
    "-days",
    "2",
    "-extfile",
    join(dir, "server.ext"),
  ]);
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
  /** Stops the server, keeping its data; `start` brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export const startSlapd = async (options: { bulkUsers?: number } = {}): Promise<Slapd> => {
  requireTools();
  const dir = await mkdtemp(join(tmpdir(), "portico-slapd-"));
  await mkdir(join(dir, "db"));
  await makeCertificates(dir);
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
      if ((await accepts(port)) && (await accepts(ldapsPort))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`slapd did not listen in time:\n${output}`);
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    process.kill(-running.pid, "SIGTERM");
    const timer = setTimeout(() => running.pid !== undefined && process.kill(-running.pid, "SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
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
