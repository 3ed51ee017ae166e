import { randomBytes } from "node:crypto";
import { to18 } from "./ids.ts";
import { type Community, type ConnectedApp, Org, type OrgSettings } from "./org.ts";
import type { FieldDef } from "./schema/types.ts";
import { defaultFeatureLicenses, defaultLicenseTotals, seedOrg, seedOrganization } from "./seed.ts";
import type { SRecord } from "./store.ts";

/** Builds an org (seeded, or from saved state) and saves one to plain JSON. */

export type OrgOptions = {
  clock: () => Date;
  baseUrl: string;
  orgId?: string;
  myDomain?: string;
  clientId?: string;
  clientSecret?: string;
  adminUsername?: string;
  licenseTotals?: Record<string, number>;
  featureLicenses?: Record<string, number>;
  dailyApiRequests?: number;
  maxApiVersion?: number;
  tokenLifetimeSeconds?: number;
  rotateRefreshTokens?: boolean;
  reservedUsernames?: string[];
};

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomBase62(n: number): string {
  return [...randomBytes(n)].map((b) => base62.charAt(b % 62)).join("");
}

/** A `3MVG9…` consumer key and a 64-hex-digit consumer secret, shaped like Salesforce's. */
export function newClientCredentials(): { clientId: string; clientSecret: string } {
  const id = `3MVG9${randomBase62(80)}`;
  return { clientId: id, clientSecret: randomBytes(32).toString("hex").toUpperCase() };
}

export function newOrgId(): string {
  return to18(`00D${randomBase62(2)}0${randomBase62(9)}`);
}

export type ResolvedOptions = Required<Omit<OrgOptions, "clock" | "baseUrl">>;

/** Fills every option not given; the result is what a reset restores. */
export function resolveOptions(options: OrgOptions): ResolvedOptions {
  const creds =
    options.clientId !== undefined && options.clientSecret !== undefined ? undefined : newClientCredentials();
  const myDomain = options.myDomain ?? "acme-emulator";
  return {
    orgId: options.orgId === undefined ? newOrgId() : to18(options.orgId.slice(0, 15)),
    myDomain,
    clientId: options.clientId ?? creds?.clientId ?? "",
    clientSecret: options.clientSecret ?? creds?.clientSecret ?? "",
    adminUsername: options.adminUsername ?? `integration@${myDomain}.example.com`,
    licenseTotals: { ...defaultLicenseTotals, ...options.licenseTotals },
    featureLicenses: { ...defaultFeatureLicenses, ...options.featureLicenses },
    dailyApiRequests: options.dailyApiRequests ?? 100_000,
    maxApiVersion: options.maxApiVersion ?? 66,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 7200,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    reservedUsernames: options.reservedUsernames ?? ["taken.elsewhere@example.com"],
  };
}

function defaultApp(o: ResolvedOptions): ConnectedApp {
  return {
    name: "Portico Provisioning",
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    callbackUrls: ["http://localhost:*", "http://127.0.0.1:*", "https://localhost:*", "https://127.0.0.1:*"],
    scopes: ["api", "id", "web", "refresh_token", "offline_access"],
    jwtCertificate: null,
    rotateRefreshTokens: o.rotateRefreshTokens,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds,
    runAsUsername: o.adminUsername,
    approvedUsernames: null,
  };
}

function settingsFor(o: ResolvedOptions): OrgSettings {
  return {
    orgId: o.orgId,
    myDomain: o.myDomain,
    minApiVersion: 31,
    maxApiVersion: o.maxApiVersion,
    dailyApiRequests: o.dailyApiRequests,
    apiRequestsUsed: 0,
    federationIdCaseInsensitive: true,
  };
}

export function createOrg(clock: () => Date, baseUrl: string, o: ResolvedOptions): Org {
  const org = new Org({ clock, baseUrl, settings: settingsFor(o), connectedApp: defaultApp(o) });
  org.installIndexes();
  org.reservedUsernames = new Set(o.reservedUsernames.map((u) => u.toLowerCase()));
  seedOrg(org, {
    adminUsername: o.adminUsername,
    licenseTotals: o.licenseTotals,
    featureLicenses: o.featureLicenses,
  });
  return org;
}

export type OrgState = {
  settings: OrgSettings;
  connectedApp: ConnectedApp;
  communities: Community[];
  featureLicenses: Record<string, number>;
  reservedUsernames: string[];
  adminUserId: string;
  ids: Record<string, number>;
  seedIds: Record<string, number>;
  customFields: Record<string, FieldDef[]>;
  records: Record<string, SRecord[]>;
  deletedIds: string[];
};

export function orgToJSON(org: Org): OrgState {
  const records: Record<string, SRecord[]> = {};
  for (const type of org.store.types()) {
    const rows = [...org.store.table(type).rows.values()];
    if (rows.length > 0) records[type] = rows;
  }
  return {
    settings: org.settings,
    connectedApp: org.connectedApp,
    communities: org.communities,
    featureLicenses: org.featureLicenses,
    reservedUsernames: [...org.reservedUsernames],
    adminUserId: org.adminUserId,
    ids: org.ids.toJSON(),
    seedIds: org.seedIds.toJSON(),
    customFields: org.schema.customFields(),
    records,
    deletedIds: [...org.deletedIds],
  };
}

export function orgFromJSON(clock: () => Date, baseUrl: string, state: OrgState): Org {
  const org = new Org({ clock, baseUrl, settings: state.settings, connectedApp: state.connectedApp });
  org.installIndexes();
  org.communities = state.communities;
  org.featureLicenses = state.featureLicenses;
  org.installFeatureLicenseIndexes();
  org.reservedUsernames = new Set(state.reservedUsernames);
  org.adminUserId = state.adminUserId;
  org.ids.load(state.ids);
  org.seedIds.load(state.seedIds);
  for (const [type, fields] of Object.entries(state.customFields))
    for (const f of fields) org.addCustomField(type, f);
  // Profiles and licences first: the licence index reads them while users are filed.
  const order = ["UserLicense", "Profile"];
  const types = [...order, ...Object.keys(state.records).filter((t) => !order.includes(t))];
  for (const type of types) for (const r of state.records[type] ?? []) org.store.put(type, r);
  org.deletedIds = new Set(state.deletedIds);
  // State saved before the Organization object existed still gets its record.
  seedOrganization(org);
  return org;
}
