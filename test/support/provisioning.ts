import assert from "node:assert/strict";
import type { Channel } from "../../src/domain/channel.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import type { ServiceContext } from "../../src/services/context.ts";
import { createGroup } from "../../src/services/directory/groups.ts";
import { importCsv } from "../../src/services/directory/import.ts";
import { clientCredentialsSettings, connectionWithTarget, type SalesforceEmulator } from "./salesforce.ts";
import { basicAuth, type TestServer } from "./server.ts";
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
