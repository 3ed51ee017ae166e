import { IdGenerator, keyPrefixes } from "./ids.ts";
import { Schema } from "./schema/schema.ts";
import type { FieldDef } from "./schema/types.ts";
import { type SRecord, Store } from "./store.ts";

/** The External Client App / Connected App that Portico authenticates as. */
export type ConnectedApp = {
  name: string;
  clientId: string;
  clientSecret: string;
  /** Allowed redirect URIs; a trailing `*` matches any suffix. */
  callbackUrls: string[];
  scopes: string[];
  /** PEM X.509 certificate for the JWT bearer flow ("Use digital signatures"). */
  jwtCertificate: string | null;
  rotateRefreshTokens: boolean;
  tokenLifetimeSeconds: number;
  /** Client credentials flow's "Run As" user; null when the flow is not enabled. */
  runAsUsername: string | null;
  /** Users pre-authorized for the JWT flow; null means every active user. */
  approvedUsernames: string[] | null;
};

export type Community = { name: string; urlPathPrefix: string; siteId: string };

export type OrgSettings = {
  orgId: string;
  myDomain: string;
  minApiVersion: number;
  maxApiVersion: number;
  dailyApiRequests: number;
  apiRequestsUsed: number;
  /** Org Setup setting "Make Federation ID case-insensitive" (on by default, §3.2). */
  federationIdCaseInsensitive: boolean;
};

/** Feature licences behind `UserPermissions*` booleans: field → total. */
export type FeatureLicenses = Record<string, number>;

export type DmlContext = { userId: string };

/** Everything one emulated org holds; the routes read and write it, the control API shapes it. */
export class Org {
  readonly schema = new Schema();
  readonly store = new Store();
  readonly clock: () => Date;
  baseUrl: string;
  settings: OrgSettings;
  connectedApp: ConnectedApp;
  communities: Community[] = [];
  featureLicenses: FeatureLicenses = {};
  /** Usernames taken in other orgs: Username is unique across all of Salesforce (§3.2). */
  reservedUsernames = new Set<string>();
  /** Ids of deleted records, so an update of one reports ENTITY_IS_DELETED. */
  deletedIds = new Set<string>();
  adminUserId = "";
  /** Runtime ids only grow; seeded records take theirs from a generator that restarts per reset. */
  readonly ids: IdGenerator;
  seedIds: IdGenerator;
  seeding = false;

  constructor(options: {
    clock: () => Date;
    baseUrl: string;
    settings: OrgSettings;
    connectedApp: ConnectedApp;
  }) {
    this.clock = options.clock;
    this.baseUrl = options.baseUrl;
    this.settings = options.settings;
    this.connectedApp = options.connectedApp;
    const pod = options.settings.orgId.slice(3, 5);
    this.ids = new IdGenerator(pod, 1_000_000);
    this.seedIds = new IdGenerator(pod);
  }

  get orgId15(): string {
    return this.settings.orgId.slice(0, 15);
  }

  get instanceUrl(): string {
    return this.baseUrl;
  }

  /** Where the OAuth token endpoint lives and what a JWT's `aud` must name. */
  get loginUrl(): string {
    return this.baseUrl;
  }

  newId(typeName: string): string {
    const prefix = this.schema.type(typeName)?.def.keyPrefix ?? typeName;
    return (this.seeding ? this.seedIds : this.ids).next(prefix);
  }

  newSiteId(): string {
    return (this.seeding ? this.seedIds : this.ids).next(keyPrefixes.Site);
  }

  get(typeName: string, id: string): SRecord | undefined {
    return this.store.get(typeName, id);
  }

  rows(typeName: string): IterableIterator<SRecord> {
    return this.store.table(typeName).rows.values();
  }

  findOne(typeName: string, index: string, key: string): SRecord | undefined {
    for (const id of this.store.table(typeName).lookup(index, key)) return this.store.get(typeName, id);
    return undefined;
  }

  userByUsername(username: string): SRecord | undefined {
    return this.findOne("User", "Username", username.toLowerCase());
  }

  userLoginOf(userId: string): SRecord | undefined {
    return this.findOne("UserLogin", "UserId", userId.toLowerCase());
  }

  licenseOfProfile(profileId: unknown): SRecord | undefined {
    if (typeof profileId !== "string") return undefined;
    const profile = this.get("Profile", profileId);
    const licenseId = profile?.UserLicenseId;
    return typeof licenseId === "string" ? this.get("UserLicense", licenseId) : undefined;
  }

  usedLicenses(licenseId: string): number {
    return this.store.table("User").lookup("license", licenseId).size;
  }

  addCustomField(typeName: string, f: FieldDef): void {
    const t = this.schema.type(typeName);
    if (t === undefined) return;
    t.addField(f);
    if (f.unique || f.externalId) {
      this.store.table(t.name).addIndex(f.name, fieldKey(f.name));
    }
  }

  /** The files every table keeps: what uniqueness checks and equality filters use. */
  installIndexes(): void {
    const indexed: Record<string, string[]> = {
      User: [
        "Username",
        "FederationIdentifier",
        "CommunityNickname",
        "Email",
        "ProfileId",
        "ContactId",
        "UserRoleId",
      ],
      UserLogin: ["UserId"],
      Contact: ["Email", "AccountId"],
      Account: ["Name", "OwnerId"],
      Profile: ["Name"],
      UserRole: ["DeveloperName", "ParentRoleId"],
      PermissionSet: ["Name", "ProfileId"],
      PermissionSetAssignment: ["AssigneeId", "PermissionSetId"],
      Group: ["DeveloperName"],
      GroupMember: ["GroupId", "UserOrGroupId"],
    };
    for (const [type, fields] of Object.entries(indexed)) {
      const table = this.store.table(type);
      for (const f of fields) table.addIndex(f, fieldKey(f));
    }
    const users = this.store.table("User");
    users.addIndex("license", (u) => {
      if (u.IsActive !== true) return undefined;
      const license = this.licenseOfProfile(u.ProfileId);
      return license?.Id;
    });
    this.store
      .table("PermissionSetAssignment")
      .addIndex("pair", (a) => `${String(a.AssigneeId)}|${String(a.PermissionSetId)}`.toLowerCase());
    this.store
      .table("GroupMember")
      .addIndex("pair", (m) => `${String(m.GroupId)}|${String(m.UserOrGroupId)}`.toLowerCase());
    this.store
      .table("Group")
      .addIndex("typeName", (g) => `${String(g.Type)}|${String(g.DeveloperName)}`.toLowerCase());
  }

  /** Indexes for feature licences: one per `UserPermissions*` field with a total. */
  installFeatureLicenseIndexes(): void {
    const users = this.store.table("User");
    for (const field of Object.keys(this.featureLicenses)) {
      const name = `feature:${field}`;
      if (!users.hasIndex(name))
        users.addIndex(name, (u) => (u.IsActive === true && u[field] === true ? "1" : undefined));
    }
  }
}

/** Index key for equality on a field: Salesforce compares text case-insensitively. */
export function fieldKey(field: string): (r: SRecord) => string | undefined {
  return (r) => {
    const v = r[field];
    return v === null || v === undefined ? undefined : String(v).toLowerCase();
  };
}
