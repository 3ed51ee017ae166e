import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Channel } from "../src/domain/channel.ts";
import { ldapValidatorPluginId } from "../src/domain/credential-validator.ts";
import { defaultLdapMapping } from "../src/provisioning/model/channel-config.ts";
import { usernamePlaceholder } from "../src/services/credential-validators/ldap-settings.ts";
import { createPrivateSlapd, ldifEntry } from "./slapd.ts";

/**
 * `portico demo --ldap`: the demo's people in OpenLDAP instead of the built-in directory. A
 * private slapd (scripts/slapd.ts: Debian's slapd from a temp dir, on DEMO_LDAP_PORT, the Debian
 * service untouched) holds them, and Portico is wired to it as an administrator would wire a
 * company's directory: an LDAP data store (the OpenLDAP preset, binding as a service account),
 * the LDAP Username Password Credential Validator first in the sign-in form, and the
 * provisioning channel reading the data store's group salesforce-users.
 */

export const demoLdap = {
  baseDn: "dc=example,dc=com",
  adminDn: "cn=admin,dc=example,dc=com",
  adminPassword: "demo-ldap-admin-password",
  serviceDn: "cn=portico,ou=services,dc=example,dc=com",
  servicePassword: "demo-ldap-service-password",
  /** Every demo person's LDAP password. */
  userPassword: "demo-ldap-password-1",
  groupDn: "cn=salesforce-users,ou=groups,dc=example,dc=com",
  dataStoreId: "demo-ldap",
  validatorId: "DemoLdap",
} as const;

export const personDn = (uid: string) => `uid=${uid},ou=people,${demoLdap.baseDn}`;

export type DemoPerson = {
  readonly uid: string;
  readonly mail: string;
  readonly givenName: string;
  readonly sn: string;
};

const conf = (dir: string) => `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args

database mdb
suffix "${demoLdap.baseDn}"
rootdn "${demoLdap.adminDn}"
rootpw ${demoLdap.adminPassword}
directory ${dir}/db
maxsize 67108864
index objectClass eq
index uid,mail eq
index member eq
index entryUUID,modifyTimestamp eq
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
`;

const person = (p: DemoPerson) =>
  ldifEntry(
    {
      objectClass: "inetOrgPerson",
      uid: p.uid,
      cn: `${p.givenName} ${p.sn}`,
      givenName: p.givenName,
      sn: p.sn,
      mail: p.mail,
      userPassword: demoLdap.userPassword,
    },
    personDn(p.uid),
  );

const seed = (people: readonly DemoPerson[]) =>
  [
    ldifEntry({ objectClass: ["dcObject", "organization"], dc: "example", o: "Example" }, demoLdap.baseDn),
    ...["people", "groups", "services"].map((ou) =>
      ldifEntry({ objectClass: "organizationalUnit", ou }, `ou=${ou},${demoLdap.baseDn}`),
    ),
    ldifEntry(
      {
        objectClass: ["organizationalRole", "simpleSecurityObject"],
        cn: "portico",
        userPassword: demoLdap.servicePassword,
      },
      demoLdap.serviceDn,
    ),
    ...people.map(person),
    ldifEntry(
      { objectClass: "groupOfNames", cn: "salesforce-users", member: people.map((p) => personDn(p.uid)) },
      demoLdap.groupDn,
    ),
  ].join("\n");

export type DemoDirectory = {
  /** `ldap://127.0.0.1:<port>` */
  readonly url: string;
  readonly hostname: string;
  /** Stops slapd and removes its files. */
  stop(): Promise<void>;
};

/** slapd on 127.0.0.1:`port`, its files in a temp dir, seeded with `people` in the group salesforce-users. */
export const startDemoDirectory = async (
  port: number,
  people: readonly DemoPerson[],
): Promise<DemoDirectory> => {
  const dir = await mkdtemp(join(tmpdir(), "portico-demo-slapd-"));
  let stop = async () => {};
  try {
    const slapd = await createPrivateSlapd({
      dir,
      conf: conf(dir),
      ports: { ldap: port },
      preload: seed(people),
    });
    stop = slapd.stop;
    await slapd.start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    hostname: `127.0.0.1:${port}`,
    stop: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

type Admin = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * Portico wired to the directory through its admin API: the data store, the validator first in
 * the sign-in form (the built-in directory after it, for the org's integration user), and LDAP
 * polled every 10 s instead of 60, so a change shows soon. Returns the channel's source.
 */
export const wireDemoDirectory = async (
  admin: Admin,
  directory: DemoDirectory,
): Promise<Channel["channelSource"]> => {
  await admin("POST", "/dataStores", {
    type: "LDAP",
    id: demoLdap.dataStoreId,
    name: "Demo OpenLDAP",
    ldapType: "GENERIC",
    hostnames: [directory.hostname],
    userDN: demoLdap.serviceDn,
    password: demoLdap.servicePassword,
  });
  await admin("POST", "/passwordCredentialValidators", {
    id: demoLdap.validatorId,
    name: "Demo LDAP",
    pluginDescriptorRef: { id: ldapValidatorPluginId },
    configuration: {
      fields: [
        { name: "LDAP Datastore", value: demoLdap.dataStoreId },
        { name: "Search Base", value: `ou=people,${demoLdap.baseDn}` },
        { name: "Search Filter", value: `(uid=${usernamePlaceholder})` },
      ],
    },
  });
  await admin("PUT", "/idp/adapters/htmlform", {
    configuration: {
      tables: [
        {
          name: "Credential Validators",
          rows: [demoLdap.validatorId, "PorticoDirectory"].map((value) => ({
            fields: [{ name: "Password Credential Validator Instance", value }],
          })),
        },
      ],
    },
  });
  await admin("PUT", "/serverSettings/outboundProvisioning", {
    synchronizationFrequency: 10,
    fullSynchronizationFrequency: 3600,
    deprovisionHold: { minimum: 10, percent: 10 },
  });
  return {
    dataSource: { id: demoLdap.dataStoreId },
    baseDn: demoLdap.baseDn,
    userSourceLocation: { groupDN: demoLdap.groupDn },
  };
};

export const demoLdapMapping = () => defaultLdapMapping("GENERIC");

/** An LDIF file that adds grace and puts her in the group, for the banner's ldapmodify line. */
export const writeGraceLdif = async (file: string, mail: string): Promise<void> =>
  writeFile(
    file,
    [
      person({ uid: "grace", mail, givenName: "Grace", sn: "Hopper" }),
      [
        `dn: ${demoLdap.groupDn}`,
        "changetype: modify",
        "add: member",
        `member: ${personDn("grace")}`,
        "",
      ].join("\n"),
    ].join("\n"),
  );

/** The banner's command adding grace (ldapmodify is in Debian's ldap-utils). */
export const addGraceCommand = (directory: DemoDirectory, file: string) =>
  `ldapmodify -a -x -H ${directory.url} -D ${demoLdap.adminDn} -w ${demoLdap.adminPassword} -f ${file}`;
