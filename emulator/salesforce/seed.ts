import { insertRecord } from "./dml.ts";
import type { DmlContext, Org } from "./org.ts";
import type { SObjectType } from "./schema/schema.ts";
import type { FieldValue, SRecord } from "./store.ts";
import { formatDateTime } from "./values.ts";

/**
 * The org as a fresh Developer Edition plus what provisioning needs (issue 4, "Start"): licences,
 * standard and cloned community profiles, a role hierarchy, permission sets, public groups, the
 * integration user, a business account whose owner has a role, and one community.
 */

export const defaultLicenseTotals: Record<string, number> = {
  Salesforce: 20_000,
  "Chatter Free": 5_000,
  "Customer Community": 20_000,
};

export const defaultFeatureLicenses: Record<string, number> = {
  UserPermissionsMarketingUser: 100,
  UserPermissionsKnowledgeUser: 100,
  UserPermissionsSFContentUser: 1_000,
  UserPermissionsSupportUser: 100,
};

const licenses: [name: string, key: string][] = [
  ["Salesforce", "SFDC"],
  ["Chatter Free", "PID_Chatter"],
  ["Customer Community", "PID_Customer_Community"],
];

const profiles: [name: string, license: string, userType: string, manageUsers: boolean][] = [
  ["System Administrator", "Salesforce", "Standard", true],
  ["Standard User", "Salesforce", "Standard", false],
  ["Read Only", "Salesforce", "Standard", false],
  ["Minimum Access - Salesforce", "Salesforce", "Standard", false],
  ["Chatter Free User", "Chatter Free", "CsnOnly", false],
  ["Customer Community User", "Customer Community", "CspLitePortal", false],
  ["Acme Customer Community User", "Customer Community", "CspLitePortal", false],
];

const roles: [name: string, developerName: string, parent: string | null][] = [
  ["CEO", "CEO", null],
  ["VP, Sales", "VP_Sales", "CEO"],
  ["Sales Manager", "Sales_Manager", "VP_Sales"],
  ["Sales Representative", "Sales_Rep", "Sales_Manager"],
  ["VP, Customer Success", "VP_Customer_Success", "CEO"],
  ["Customer Success Manager", "Customer_Success_Manager", "VP_Customer_Success"],
];

const permissionSets: [name: string, label: string, license: string | null][] = [
  ["Sales_Ops", "Sales Operations", null],
  ["Marketing_Analytics", "Marketing Analytics", null],
  ["API_Access", "API Access", "Salesforce"],
  ["Community_Case_Access", "Community Case Access", "Customer Community"],
];

const groups: [name: string, developerName: string][] = [
  ["Sales Team", "Sales_Team"],
  ["Support Team", "Support_Team"],
  ["Partner Champions", "Partner_Champions"],
];

type Ids = Map<string, string>;

function put(org: Org, type: string, ids: Ids, key: string, fields: Record<string, FieldValue>): SRecord {
  const now = formatDateTime(org.clock());
  const t = org.schema.type(type);
  const record: Record<string, FieldValue> = {};
  for (const f of t?.fields ?? []) record[f.name] = f.type === "boolean" ? f.defaultValue === true : null;
  Object.assign(record, fields, { CreatedDate: now, LastModifiedDate: now, SystemModstamp: now });
  if (org.adminUserId !== "")
    Object.assign(record, { CreatedById: org.adminUserId, LastModifiedById: org.adminUserId });
  const withId: SRecord = { ...record, Id: org.newId(type) };
  org.store.put(type, withId);
  ids.set(key, withId.Id);
  return withId;
}

function insert(
  org: Org,
  typeName: string,
  values: Record<string, FieldValue>,
  ctx: DmlContext,
  id?: string,
): SRecord {
  const type = org.schema.type(typeName) as SObjectType;
  return insertRecord(org, type, values, ctx, id === undefined ? {} : { id });
}

function must(ids: Ids, key: string): string {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`seed: ${key} was not created`);
  return id;
}

export function userDefaults(
  username: string,
  lastName: string,
  firstName: string,
): Record<string, FieldValue> {
  return {
    Username: username,
    Email: username,
    FirstName: firstName,
    LastName: lastName,
    Alias: `${firstName.slice(0, 1)}${lastName}`.toLowerCase().slice(0, 8),
    TimeZoneSidKey: "America/Los_Angeles",
    LocaleSidKey: "en_US",
    EmailEncodingKey: "UTF-8",
    LanguageLocaleKey: "en_US",
  };
}

export type SeedOptions = {
  adminUsername: string;
  licenseTotals: Record<string, number>;
  featureLicenses: Record<string, number>;
};

export function seedOrg(org: Org, options: SeedOptions): void {
  org.seeding = true;
  try {
    seed(org, options);
  } finally {
    org.seeding = false;
  }
}

function seed(org: Org, options: SeedOptions): void {
  const ids: Ids = new Map();
  org.featureLicenses = { ...options.featureLicenses };
  org.installFeatureLicenseIndexes();
  for (const [name, key] of licenses) {
    put(org, "UserLicense", ids, `license:${name}`, {
      Name: name,
      MasterLabel: name,
      LicenseDefinitionKey: key,
      TotalLicenses: options.licenseTotals[name] ?? 0,
      UsedLicenses: 0,
      Status: "Active",
    });
  }
  for (const [name, license, userType, manageUsers] of profiles) {
    const profile = put(org, "Profile", ids, `profile:${name}`, {
      Name: name,
      UserLicenseId: must(ids, `license:${license}`),
      UserType: userType,
      PermissionsApiEnabled: userType === "Standard",
      PermissionsManageUsers: manageUsers,
    });
    // Each profile owns a hidden permission set (§3.5), named after the profile's id.
    put(org, "PermissionSet", ids, `profileSet:${name}`, {
      Name: `X${profile.Id.slice(0, 15)}`,
      Label: profile.Id.slice(0, 15),
      IsOwnedByProfile: true,
      ProfileId: profile.Id,
      LicenseId: must(ids, `license:${license}`),
      IsCustom: false,
      Type: "Profile",
    });
  }

  const adminId = org.newId("User");
  org.adminUserId = adminId;
  const ctx: DmlContext = { userId: adminId };
  for (const [name, developerName, parent] of roles) {
    const role = insert(
      org,
      "UserRole",
      {
        Name: name,
        DeveloperName: developerName,
        ...(parent === null ? {} : { ParentRoleId: must(ids, `role:${parent}`) }),
      },
      ctx,
    );
    ids.set(`role:${developerName}`, role.Id);
  }

  insert(
    org,
    "User",
    {
      ...userDefaults(options.adminUsername, "Integration", "Portico"),
      Alias: "integ",
      CommunityNickname: "portico.integration",
      ProfileId: must(ids, "profile:System Administrator"),
      UserRoleId: must(ids, "role:CEO"),
      Title: "Integration User",
    },
    ctx,
    adminId,
  );
  const domain = options.adminUsername.split("@")[1] ?? "example.com";
  const owner = insert(
    org,
    "User",
    {
      ...userDefaults(`olivia.owner@${domain}`, "Owner", "Olivia"),
      ProfileId: must(ids, "profile:Standard User"),
      UserRoleId: must(ids, "role:Customer_Success_Manager"),
      Title: "Customer Success Manager",
    },
    ctx,
  );
  const roleless = insert(
    org,
    "User",
    {
      ...userDefaults(`norah.norole@${domain}`, "Norole", "Norah"),
      ProfileId: must(ids, "profile:Standard User"),
    },
    ctx,
  );

  for (const [name, label, license] of permissionSets) {
    insert(
      org,
      "PermissionSet",
      {
        Name: name,
        Label: label,
        ...(license === null ? {} : { LicenseId: must(ids, `license:${license}`) }),
      },
      ctx,
    );
  }
  for (const [name, developerName] of groups)
    insert(org, "Group", { Name: name, DeveloperName: developerName }, ctx);
  put(org, "Group", ids, "group:all", {
    Name: "All Internal Users",
    DeveloperName: "AllInternalUsers",
    Type: "Organization",
    OwnerId: adminId,
    DoesIncludeBosses: false,
  });

  const customers = insert(
    org,
    "Account",
    { Name: "Acme Customers", AccountNumber: "ACME-0001", Type: "Customer - Direct", OwnerId: owner.Id },
    ctx,
  );
  insert(
    org,
    "Account",
    { Name: "Roleless Holdings", AccountNumber: "ROLE-0000", Type: "Prospect", OwnerId: roleless.Id },
    ctx,
  );
  const contact = insert(
    org,
    "Contact",
    {
      AccountId: customers.Id,
      FirstName: "Casey",
      LastName: "Customer",
      Email: `casey.customer@customers.${domain}`,
    },
    ctx,
  );
  insert(
    org,
    "User",
    {
      ...userDefaults(`casey.customer@customers.${domain}`, "Customer", "Casey"),
      ProfileId: must(ids, "profile:Acme Customer Community User"),
      ContactId: contact.Id,
      FederationIdentifier: `casey.customer@customers.${domain}`,
    },
    ctx,
  );

  org.communities = [{ name: "customers", urlPathPrefix: "customers", siteId: org.newSiteId() }];
  seedOrganization(org);
}

/** The Organization record: its Id is the org id; a Developer Edition org on the emulator's instance. */
export function seedOrganization(org: Org): void {
  if (org.get("Organization", org.settings.orgId) !== undefined) return;
  const words = org.settings.myDomain.split(/[-_.]+/).filter((w) => w !== "");
  const now = formatDateTime(org.clock());
  const record: Record<string, FieldValue> = {};
  for (const f of org.schema.type("Organization")?.fields ?? [])
    record[f.name] = f.type === "boolean" ? false : null;
  org.store.put("Organization", {
    ...record,
    Id: org.settings.orgId,
    Name: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ") || "Emulated Org",
    Country: "US",
    PrimaryContact: "Portico Integration",
    DefaultLocaleSidKey: "en_US",
    TimeZoneSidKey: "America/Los_Angeles",
    LanguageLocaleKey: "en_US",
    FiscalYearStartMonth: 1,
    OrganizationType: "Developer Edition",
    // Real instances are named like USA544 or CS42; the emulator's says what it is.
    InstanceName: `EMU${org.settings.orgId.slice(3, 5).toUpperCase()}`,
    IsSandbox: false,
    UiSkin: "Theme3",
    CreatedDate: now,
    CreatedById: org.adminUserId,
    LastModifiedDate: now,
    LastModifiedById: org.adminUserId,
    SystemModstamp: now,
  });
}
