import { ldifEntry } from "../../scripts/slapd.ts";

/**
 * What the test slapd (slapd.ts) holds: its names and passwords, the seeded people and groups
 * (nested, with a cycle), an AD-like schema with binary identifiers, and its slapd.conf.
 */
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

/** One LDIF entry to add (scripts/slapd.ts writes it). */
export const entry = ldifEntry;

/** The uid of the `i`th numbered user (from 0): user001, user002, … */
export const bulkUid = (i: number) => `user${String(i + 1).padStart(3, "0")}`;

/** The seed's entries (plain LDIF, no changetype): what slapadd can load before slapd starts. */
export const seedEntries = (bulkUsers: number): string => {
  const bulk: SeedUser[] = Array.from({ length: bulkUsers }, (_, i) => {
    const uid = bulkUid(i);
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
  ].join("\n");
};

/** The seed's changes after its entries, over LDAP (the memberof overlay sees them). */
export const seedChanges = (): string =>
  [
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

/**
 * Active Directory's two binary identifiers, under AD's own OIDs, on an auxiliary class: enough to
 * read objectGUID and objectSid as bytes from slapd (a whole AD schema would clash with memberof).
 * And uSNChanged (an integer with ordering), which a test sets on each change as AD's DC would,
 * to read changes by USN.
 */
export const adLikeSchema = `
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

export const slapdConf = (dir: string) => `
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
