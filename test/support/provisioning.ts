import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import type { Channel } from "../../src/domain/channel.ts";
import type {
  ProvisioningEventFilter,
  StoredProvisioningEvent,
} from "../../src/domain/provisioning-ports.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import type { CycleReport } from "../../src/provisioning/engine/cycle.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import type { ServiceContext } from "../../src/services/context.ts";
import { createGroup } from "../../src/services/directory/groups.ts";
import { importCsv } from "../../src/services/directory/import.ts";
import { createUser } from "../../src/services/directory/users.ts";
import { type RunOptions, runChannel } from "../../src/services/provisioning/channels.ts";
import {
  clientCredentialsSettings,
  connectionWithTarget,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "./salesforce.ts";
import { basicAuth, startTestServer, type TestServer } from "./server.ts";
import { testActor } from "./service-context.ts";

/** A channel "staff" on the built-in directory, scoped to the group `salesforce-users`. */
export const staffChannel = (edit: Partial<Channel> = {}): Channel => ({
  name: "staff",
  active: true,
  channelSource: {
    dataSource: { id: "builtin" },
    userSourceLocation: { groupDN: "cn=salesforce-users,ou=groups" },
  },
  attributeMapping: defaultBuiltinMapping(),
  ...edit,
});

/** A connection provisioning the emulated org through the client-credentials flow, with `channels`. */
export const provisioningConnection = (
  sf: SalesforceEmulator,
  id: string,
  channels: Channel[] = [staffChannel()],
): SpConnection => {
  const document = connectionWithTarget(id, clientCredentialsSettings(sf));
  document.active = true;
  if (document.outboundProvision) document.outboundProvision.channels = channels;
  return document;
};

/**
 * Directory users `<prefix>1…<prefix>n` (no password: nothing to hash), members of
 * `salesforce-users`, which is created with them when it does not exist yet.
 */
export const addStaff = async (context: ServiceContext, prefix: string, count: number) => {
  const rows = Array.from(
    { length: count },
    (_, i) =>
      `${prefix}${i + 1},${prefix}${i + 1}@acme.example.com,${prefix},Number${i + 1},salesforce-users`,
  );
  const result = await importCsv(context, testActor, ["uid,mail,givenName,sn,groups", ...rows].join("\n"));
  assert.equal(result.imported, count);
};

/** A directory group `salesforce-users` with these members. */
export const staffGroup = (context: ServiceContext, members: string[]) =>
  createGroup(context, testActor, { cn: "salesforce-users", members });

/** The emulated org's users under `@acme.example.com`. */
export const acmeUsers = async (sf: SalesforceEmulator) =>
  (
    await sf.asAdmin<{ records: { Id: string; Username: string; IsActive: boolean }[] }>(
      "GET",
      `query?q=${encodeURIComponent("SELECT Id, Username, IsActive FROM User WHERE Username LIKE '%@acme.example.com'")}`,
    )
  ).records;

/** An AUDITOR admin account on `server`; returns its Authorization header. */
export const addAuditor = async (server: TestServer): Promise<string> => {
  const made = await server.request("POST", "/adminAccounts", {
    username: "auditor",
    password: "an-auditor-password",
    role: "AUDITOR",
  });
  assert.equal(made.statusCode, 201, made.body);
  return basicAuth("auditor", "an-auditor-password");
};

export type SfRecord = Readonly<Record<string, unknown>>;

/**
 * One Portico and one emulated org, wired by a connection whose target settings and channels
 * each test sets (`configure`), with the directory and the org at hand. The end-to-end tests
 * of the provisioning options share it.
 */
export type ProvisioningBench = {
  readonly sf: SalesforceEmulator;
  readonly server: TestServer;
  readonly connectionId: string;
  /**
   * Saves the connection through the admin API (POST, then PUT): the client-credentials target
   * plus `settings` (an undefined value drops the setting), with `channels` (default: "staff").
   * Returns the response, so a refused activation can be read.
   */
  configure(options?: {
    settings?: Readonly<Record<string, string | undefined>>;
    channels?: Channel[];
  }): Promise<LightMyRequestResponse>;
  /** A directory user `<uid>@acme.example.com`, given name uid, surname `<Uid>son`, in `groups`. */
  person(
    uid: string,
    attributes?: Readonly<Record<string, string | string[]>>,
    options?: { enabled?: boolean; groups?: string[] },
  ): Promise<void>;
  run(channel?: string, options?: RunOptions): Promise<CycleReport>;
  query<T = SfRecord>(soql: string): Promise<T[]>;
  /** The org's user with this Username (fields: Id, IsActive and `fields`), or undefined. */
  sfUser(username: string, fields?: readonly string[]): Promise<SfRecord | undefined>;
  /** Whether the user's login is frozen (UserLogin.IsFrozen). */
  isFrozen(userId: string): Promise<boolean>;
  /** This connection's events, newest first. */
  events(filter?: Omit<ProvisioningEventFilter, "connectionId">): Promise<StoredProvisioningEvent[]>;
  dispose(): Promise<void>;
};

export const acme = (uid: string) => `${uid}@acme.example.com`;

export const startProvisioningBench = async (connectionId = "org"): Promise<ProvisioningBench> => {
  const sf = await startSalesforceEmulator();
  const server = await startTestServer();
  const query = async <T>(soql: string) =>
    (await sf.asAdmin<{ records: T[] }>("GET", `query?q=${encodeURIComponent(soql)}`)).records;
  return {
    sf,
    server,
    connectionId,
    configure: async (options = {}) => {
      const document = provisioningConnection(sf, connectionId, options.channels ?? [staffChannel()]);
      const settings: Record<string, string> = { ...clientCredentialsSettings(sf) };
      for (const [name, value] of Object.entries(options.settings ?? {})) {
        if (value === undefined) delete settings[name];
        else settings[name] = value;
      }
      if (document.outboundProvision)
        document.outboundProvision.targetSettings = Object.entries(settings).map(([name, value]) => ({
          name,
          value,
        }));
      const existing = await server.request("GET", `/idp/spConnections/${connectionId}`);
      return existing.statusCode === 200
        ? server.request("PUT", `/idp/spConnections/${connectionId}`, document)
        : server.request("POST", "/idp/spConnections", document);
    },
    person: async (uid, attributes = {}, options = {}) => {
      await createUser(server.context, testActor, {
        uid,
        enabled: options.enabled ?? true,
        attributes: {
          mail: acme(uid),
          givenName: uid,
          sn: `${uid[0]?.toUpperCase()}${uid.slice(1)}son`,
          ...attributes,
        },
        groups: options.groups ?? ["salesforce-users"],
      });
    },
    run: (channel = "staff", options = {}) => runChannel(server.context, connectionId, channel, options),
    query,
    sfUser: async (username, fields = []) =>
      (
        await query<SfRecord>(
          `SELECT ${[...new Set(["Id", "IsActive", ...fields])].join(", ")} FROM User WHERE Username = '${username}'`,
        )
      )[0],
    isFrozen: async (userId) =>
      (await query<{ IsFrozen: boolean }>(`SELECT IsFrozen FROM UserLogin WHERE UserId = '${userId}'`))[0]
        ?.IsFrozen === true,
    events: (filter = {}) =>
      server.context.store.provisioning.listEvents({ filter: { ...filter, connectionId }, limit: 1000 }),
    dispose: async () => {
      await server.dispose();
      await sf.close();
    },
  };
};
