import assert from "node:assert/strict";
import type { Channel } from "../../src/domain/channel.ts";
import type { CycleReport } from "../../src/provisioning/engine/cycle.ts";
import { type RunOptions, runChannel } from "../../src/services/provisioning/channels.ts";
import { addStaff, provisioningConnection, staffChannel } from "./provisioning.ts";
import { connectionWithTarget, type SalesforceEmulator } from "./salesforce.ts";
import type { TestServer } from "./server.ts";

/**
 * Shared setup of the provisioning fault, PostgreSQL, kill and SSO tests: a connection "org" with
 * one channel "staff" on a test server, the channel's status as the admin API shows it, and the
 * emulated org's users with the fields that prove nothing was duplicated or lost.
 */

export const connectionId = "org";

/** The channel as `GET /provisioning/channels` shows it. */
export type ChannelStatus = {
  connectionId: string;
  channelName: string;
  state: string;
  stateReason: string | null;
  nextCycleAt: string | null;
  watermark: string | null;
  lastError: { code: string; message: string } | null;
  lastCycle: { counts: Record<string, number>; failures: number } | null;
  users: Record<string, number>;
};

/**
 * Saves the connection (created or replaced) with `channel` and, when given, other target
 * settings than the client-credentials ones; asserts the admin API took it.
 */
export const saveProvisioning = async (
  server: TestServer,
  sf: SalesforceEmulator,
  options: { channel?: Partial<Channel>; settings?: Record<string, string> } = {},
): Promise<void> => {
  const channel = staffChannel(options.channel);
  const document =
    options.settings === undefined
      ? provisioningConnection(sf, connectionId, [channel])
      : connectionWithTarget(connectionId, options.settings);
  document.active = true;
  if (document.outboundProvision) document.outboundProvision.channels = [channel];
  const existing = await server.request("GET", `/idp/spConnections/${connectionId}`);
  const saved =
    existing.statusCode === 200
      ? await server.request("PUT", `/idp/spConnections/${connectionId}`, document)
      : await server.request("POST", "/idp/spConnections", document);
  assert.ok(saved.statusCode < 300, saved.body);
};

/** `count` staff users `<prefix>1…` in the directory's `salesforce-users` group. */
export const staff = (server: TestServer, prefix: string, count: number) =>
  addStaff(server.context, prefix, count);

/** One cycle of org/staff, waited for. */
export const cycle = (server: TestServer, options: RunOptions = {}): Promise<CycleReport> =>
  runChannel(server.context, connectionId, "staff", options);

export const channelStatus = async (server: TestServer): Promise<ChannelStatus> => {
  const response = await server.request("GET", "/provisioning/channels");
  assert.equal(response.statusCode, 200, response.body);
  const found = (response.json() as { items: ChannelStatus[] }).items.find(
    (c) => c.connectionId === connectionId && c.channelName === "staff",
  );
  assert.ok(found, response.body);
  return found;
};

export type OrgUser = {
  Id: string;
  Username: string;
  FederationIdentifier: string | null;
  IsActive: boolean;
  FirstName: string | null;
  LastName: string;
  Email: string;
};

/** Every user of the emulated org under `@acme.example.com`, read past the query's page size. */
export const orgUsers = async (sf: SalesforceEmulator): Promise<OrgUser[]> => {
  const out: OrgUser[] = [];
  let page = await sf.asAdmin<{ records: OrgUser[]; nextRecordsUrl?: string }>(
    "GET",
    `query?q=${encodeURIComponent("SELECT Id, Username, FederationIdentifier, IsActive, FirstName, LastName, Email FROM User WHERE Username LIKE '%@acme.example.com'")}`,
  );
  out.push(...page.records);
  while (page.nextRecordsUrl !== undefined) {
    page = await sf.asAdmin("GET", page.nextRecordsUrl.replace(/^\/services\/data\/v[\d.]+\//, ""));
    out.push(...page.records);
  }
  return out;
};

/** Values of `key` that more than one user has (case-insensitive, as Salesforce compares them). */
export const duplicated = (users: readonly OrgUser[], key: "Username" | "FederationIdentifier"): string[] => {
  const seen = new Map<string, number>();
  for (const user of users) {
    const value = user[key];
    if (value === null) continue;
    seen.set(value.toLowerCase(), (seen.get(value.toLowerCase()) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([value]) => value);
};

/**
 * Asserts that the org holds exactly one active user per staff member `<prefix>1…<prefix>n`,
 * with the values `addStaff` gave them, and no duplicate by Username or Federation ID.
 */
export const assertStaffInOrg = async (sf: SalesforceEmulator, prefix: string, count: number) => {
  const users = await orgUsers(sf);
  assert.deepEqual(duplicated(users, "Username"), [], "no Username twice");
  assert.deepEqual(duplicated(users, "FederationIdentifier"), [], "no Federation ID twice");
  const byUsername = new Map(users.map((u) => [u.Username, u]));
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) {
    const username = `${prefix}${i}@acme.example.com`;
    const user = byUsername.get(username);
    if (!user) {
      missing.push(username);
      continue;
    }
    assert.equal(user.IsActive, true, `${username} is active`);
    assert.equal(user.FederationIdentifier, username, `${username}'s Federation ID`);
    assert.equal(user.LastName, `Number${i}`, `${username}'s LastName`);
    assert.equal(user.FirstName, prefix, `${username}'s FirstName`);
    assert.equal(user.Email, username, `${username}'s Email`);
  }
  assert.deepEqual(missing, [], "every directory user is in Salesforce");
  return users;
};
