/**
 * What the test domain controller (samba.ts) holds: the domain CORP.EXAMPLE.COM (the README's
 * example domain, so its JSON runs against it as written), its administrator,
 * a service account for Portico, the seeded people and nested groups, as LDIF that Active
 * Directory takes over LDAPS (passwords as unicodePwd, which AD accepts on an encrypted
 * connection only).
 */
export const realm = "CORP.EXAMPLE.COM";
export const netbiosDomain = "CORP";
export const adBaseDn = "DC=corp,DC=example,DC=com";
export const administratorDn = `CN=Administrator,CN=Users,${adBaseDn}`;
/** Samba's default policy wants three kinds of character and seven of them; every password here has them. */
export const administratorPassword = "Portico-Adm1n-Secret";
export const adServiceDn = `CN=Portico,OU=Service Accounts,${adBaseDn}`;
export const adServicePassword = "Portico-Svc-Secret-1";
export const peopleDn = `OU=People,${adBaseDn}`;
export const groupsDn = `OU=Groups,${adBaseDn}`;
/** An OU outside People: a user moved here leaves a channel whose base DN is People. */
export const leaversDn = `OU=Leavers,${adBaseDn}`;

export type AdUser = {
  readonly sAMAccountName: string;
  readonly givenName: string;
  readonly sn: string;
  readonly mail: string;
  readonly password: string;
  readonly title?: string;
};

export const adUser = (sAMAccountName: string, givenName: string, sn: string): AdUser => ({
  sAMAccountName,
  givenName,
  sn,
  mail: `${sAMAccountName}@example.com`,
  password: `${givenName}-Passw0rd!`,
});

/** ada and bob are in Salesforce Users, carol through Engineering, dave through Platform; erin in none. */
export const adPeople: readonly AdUser[] = [
  { ...adUser("ada", "Ada", "Lovelace"), title: "Countess" },
  adUser("bob", "Bob", "Builder"),
  adUser("carol", "Carol", "Shaw"),
  adUser("dave", "Dave", "Cutler"),
  adUser("erin", "Erin", "Meyer"),
];

const person = (sAMAccountName: string): AdUser => {
  const found = adPeople.find((p) => p.sAMAccountName === sAMAccountName);
  if (!found) throw new Error(`no seeded AD user ${sAMAccountName}`);
  return found;
};

/** AD names a user's entry by its full name; `ou` defaults to People. */
export const adUserDn = (user: AdUser | string, ou = peopleDn) => {
  const u = typeof user === "string" ? person(user) : user;
  return `CN=${u.givenName} ${u.sn},${ou}`;
};
export const adGroupDn = (cn: string) => `CN=${cn},${groupsDn}`;

/** A password as AD's unicodePwd wants it: quoted, UTF-16LE, here base64 for LDIF (MS-ADTS §3.1.1.3.1.5). */
export const unicodePwd = (password: string) => Buffer.from(`"${password}"`, "utf16le").toString("base64");

/** userAccountControl: NORMAL_ACCOUNT (0x200), and with ACCOUNTDISABLE (0x2) (MS-ADTS §2.2.16). */
export const normalAccount = 512;
export const disabledAccount = 514;

const ldifEntry = (dn: string, lines: readonly string[]) => [`dn: ${dn}`, ...lines, ""].join("\n");

/** LDIF adding a user (enabled, password set; AD leaves an account added without both disabled). */
export const addAdUserLdif = (user: AdUser, ou = peopleDn, extra: readonly string[] = []) =>
  ldifEntry(adUserDn(user, ou), [
    "changetype: add",
    "objectClass: user",
    `sAMAccountName: ${user.sAMAccountName}`,
    `userPrincipalName: ${user.sAMAccountName}@${realm.toLowerCase()}`,
    `givenName: ${user.givenName}`,
    `sn: ${user.sn}`,
    `displayName: ${user.givenName} ${user.sn}`,
    `mail: ${user.mail}`,
    ...(user.title ? [`title: ${user.title}`] : []),
    `unicodePwd:: ${unicodePwd(user.password)}`,
    `userAccountControl: ${normalAccount}`,
    ...extra,
  ]);

/** LDIF replacing one attribute of an entry. */
export const replaceLdif = (dn: string, attribute: string, value: string | number) =>
  ldifEntry(dn, ["changetype: modify", `replace: ${attribute}`, `${attribute}: ${value}`, "-"]);

/** LDIF adding or removing one member of a group. */
export const memberLdif = (group: string, member: string, change: "add" | "delete") =>
  ldifEntry(adGroupDn(group), ["changetype: modify", `${change}: member`, `member: ${member}`, "-"]);

/** LDIF moving an entry to another OU, keeping its name (AD keeps objectGUID across a move). */
export const moveLdif = (dn: string, newSuperior: string) => {
  const [rdn] = dn.split(/,(?=OU=|CN=|DC=)/);
  return ldifEntry(dn, [
    "changetype: modrdn",
    `newrdn: ${rdn}`,
    "deleteoldrdn: 1",
    `newsuperior: ${newSuperior}`,
  ]);
};

const group = (cn: string, members: readonly string[]) =>
  ldifEntry(adGroupDn(cn), [
    "changetype: add",
    "objectClass: group",
    `sAMAccountName: ${cn.toLowerCase().replace(/ /g, "-")}`,
    ...members.map((m) => `member: ${m}`),
  ]);

const ou = (dn: string) => ldifEntry(dn, ["changetype: add", "objectClass: organizationalUnit"]);

/**
 * The seed. The domain locks an account after three wrong passwords (for 30 minutes), as AD's
 * Default Domain Policy does with a threshold set. Salesforce Users holds ada, bob and
 * Engineering; Engineering holds carol and Platform; Platform holds dave and, closing a cycle,
 * Salesforce Users. SF-Sales holds ada and carol. The service account reads the directory as any
 * authenticated user does.
 */
export const adSeedLdif = (): string =>
  [
    ldifEntry(adBaseDn, [
      "changetype: modify",
      "replace: lockoutThreshold",
      "lockoutThreshold: 3",
      "-",
      "replace: lockoutDuration",
      "lockoutDuration: -18000000000",
      "-",
      "replace: lockOutObservationWindow",
      "lockOutObservationWindow: -18000000000",
      "-",
    ]),
    ou(`OU=Service Accounts,${adBaseDn}`),
    ou(peopleDn),
    ou(leaversDn),
    ou(groupsDn),
    ldifEntry(adServiceDn, [
      "changetype: add",
      "objectClass: user",
      "sAMAccountName: portico-svc",
      `unicodePwd:: ${unicodePwd(adServicePassword)}`,
      // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD, as service accounts are usually set.
      "userAccountControl: 66048",
    ]),
    ...adPeople.map((p) => addAdUserLdif(p)),
    group("Platform", [adUserDn("dave")]),
    group("Engineering", [adUserDn("carol"), adGroupDn("Platform")]),
    group("Salesforce Users", [adUserDn("ada"), adUserDn("bob"), adGroupDn("Engineering")]),
    memberLdif("Platform", adGroupDn("Salesforce Users"), "add"),
    // Provisioned as a Salesforce public group by the README's channel (groups named SF-*).
    group("SF-Sales", [adUserDn("ada"), adUserDn("carol")]),
  ].join("\n");
