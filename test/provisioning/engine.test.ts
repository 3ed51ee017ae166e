import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Channel } from "../../src/domain/channel.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { addGroupMember, createGroup, removeGroupMember } from "../../src/services/directory/groups.ts";
import {
  createUser,
  deleteUser,
  disableUser,
  enableUser,
  updateUser,
} from "../../src/services/directory/users.ts";
import {
  confirmChannel,
  resetChannel,
  retryChannel,
  runChannel,
} from "../../src/services/provisioning/channels.ts";
import { putOutboundProvisioningSettings } from "../../src/services/provisioning/server-settings.ts";
import {
  clientCredentialsSettings,
  connectionWithTarget,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

type SfUser = {
  Id: string;
  Username: string;
  IsActive: boolean;
  Title: string | null;
  LastName: string;
  Alias: string;
  FederationIdentifier: string | null;
};

/** The engine end to end: the built-in directory into the emulated org, through the real client. */
describe("provisioning the built-in directory into Salesforce", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  const connectionId = "org";
  const channel = (edit: Partial<Channel> = {}): Channel => ({
    name: "staff",
    active: true,
    channelSource: {
      dataSource: { id: "builtin" },
      userSourceLocation: { groupDN: "cn=salesforce-users,ou=groups" },
    },
    attributeMapping: defaultBuiltinMapping(),
    ...edit,
  });
  const saveConnection = async (edit: (c: SpConnection) => void = () => {}) => {
    const document = connectionWithTarget(connectionId, clientCredentialsSettings(sf));
    document.active = true;
    if (document.outboundProvision) document.outboundProvision.channels = [channel()];
    edit(document);
    const existing = await server.request("GET", `/idp/spConnections/${connectionId}`);
    const saved =
      existing.statusCode === 200
        ? await server.request("PUT", `/idp/spConnections/${connectionId}`, document)
        : await server.request("POST", "/idp/spConnections", document);
    assert.ok(saved.statusCode < 300, saved.body);
  };
  const users = async () =>
    (
      await sf.asAdmin<{ records: SfUser[] }>(
        "GET",
        `query?q=${encodeURIComponent("SELECT Id, Username, IsActive, Title, LastName, Alias, FederationIdentifier FROM User WHERE Username LIKE '%@acme.example.com'")}`,
      )
    ).records;
  const userNamed = async (username: string) => (await users()).find((u) => u.Username === username);
  const run = (options = {}) => runChannel(server.context, connectionId, "staff", options);
  const person = (uid: string, extra: Record<string, string> = {}) =>
    createUser(server.context, testActor, {
      uid,
      password: `${uid}-password-1`,
      attributes: {
        mail: `${uid}@acme.example.com`,
        givenName: uid,
        sn: `${uid[0]?.toUpperCase()}${uid.slice(1)}son`,
        ...extra,
      },
    });

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    for (const uid of ["ada", "bob", "carol"]) await person(uid);
    await createGroup(server.context, testActor, {
      cn: "salesforce-users",
      members: ["ada", "bob", "carol"],
    });
    await saveConnection();
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("creates every user in scope on the first cycle, with the default mapping, as active users", async () => {
    const report = await run();
    assert.equal(report.summary.kind, "full");
    assert.equal(report.summary.counts.CREATE, 3, JSON.stringify(report.summary));
    const ada = await userNamed("ada@acme.example.com");
    assert.equal(ada?.IsActive, true);
    assert.equal(ada?.LastName, "Adason");
    assert.equal(ada?.FederationIdentifier, "ada@acme.example.com");
    assert.equal(report.state.status, "IDLE");
    assert.ok(report.summary.apiCalls <= 12, `${report.summary.apiCalls} API calls for three users`);
  });

  it("does nothing when nothing changed", async () => {
    const report = await run();
    assert.equal(report.summary.kind, "incremental");
    assert.deepEqual(report.summary.counts, {});
    assert.equal(report.summary.apiCalls, 0);
  });

  it("updates only what changed, and keeps create-only fields", async () => {
    await updateUser(server.context, testActor, "ada", { attributes: { title: "Countess" } });
    const report = await run();
    assert.equal(report.summary.counts.UPDATE, 1);
    assert.equal((await userNamed("ada@acme.example.com"))?.Title, "Countess");
    const [event] = await server.context.store.provisioning.listEvents({
      filter: { type: "UPDATE" },
      limit: 1,
    });
    assert.deepEqual(event?.detail, { fields: ["Title"] });
  });

  it("deactivates a disabled user, and one who leaves the scope group; reactivates them when they return", async () => {
    await disableUser(server.context, testActor, "bob");
    await removeGroupMember(server.context, testActor, "salesforce-users", "carol");
    const report = await run();
    assert.equal(report.summary.counts.DEACTIVATE, 2);
    assert.equal((await userNamed("bob@acme.example.com"))?.IsActive, false);
    assert.equal((await userNamed("carol@acme.example.com"))?.IsActive, false);
    await enableUser(server.context, testActor, "bob");
    await addGroupMember(server.context, testActor, "salesforce-users", "carol");
    const back = await run();
    assert.equal(back.summary.counts.REACTIVATE, 2);
    assert.equal((await userNamed("carol@acme.example.com"))?.IsActive, true);
  });

  it("adopts an existing Salesforce user with the same Username instead of creating a second", async () => {
    const existing = await sf.asAdmin<{ id: string }>("POST", "sobjects/User", {
      Username: "dave@acme.example.com",
      LastName: "Existing",
      Email: "dave@acme.example.com",
      Alias: "dave",
      CommunityNickname: "dave-existing",
      TimeZoneSidKey: "America/Los_Angeles",
      LocaleSidKey: "en_US",
      EmailEncodingKey: "UTF-8",
      LanguageLocaleKey: "en_US",
      ProfileId: sf.org.profiles["Standard User"],
    });
    await person("dave");
    await addGroupMember(server.context, testActor, "salesforce-users", "dave");
    const report = await run();
    const failed = await server.context.store.provisioning.listEvents({
      filter: { success: false },
      limit: 3,
    });
    assert.equal(report.summary.counts.ADOPT, 1, JSON.stringify(failed));
    assert.equal(report.summary.counts.CREATE ?? 0, 0);
    const daves = (await users()).filter((u) => u.Username === "dave@acme.example.com");
    assert.equal(daves.length, 1);
    assert.equal(daves[0]?.Id, existing.id);
    assert.equal(daves[0]?.LastName, "Daveson", "adopted, then brought in line with the directory");
  });

  it("keeps Salesforce's message for a refused record, and tries again when the source changes", async () => {
    await person("erin", { title: "x".repeat(200) });
    await addGroupMember(server.context, testActor, "salesforce-users", "erin");
    const refused = await run();
    assert.equal(refused.summary.failures, 1);
    const [row] = await server.context.store.provisioning.getObjects(connectionId, "user", ["erin"]);
    assert.equal(row?.status, "FAILED");
    assert.match(row?.lastError?.message ?? "", /Title/);
    assert.equal((await run()).summary.failures, 0, "not retried while its source is unchanged");
    await updateUser(server.context, testActor, "erin", { attributes: { title: "Engineer" } });
    const fixed = await run();
    assert.equal(fixed.summary.counts.CREATE, 1);
    assert.equal((await userNamed("erin@acme.example.com"))?.Title, "Engineer");
  });

  it("holds deactivations past the safety limit until an admin confirms; creates go on", async () => {
    await putOutboundProvisioningSettings(server.context, testActor, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 4, percent: 10 },
    });
    // Two deactivations this hour already (the test above): two more go ahead, two wait.
    for (const uid of ["ada", "bob", "carol", "dave"]) await disableUser(server.context, testActor, uid);
    await person("fay");
    await addGroupMember(server.context, testActor, "salesforce-users", "fay");
    const held = await run();
    assert.equal(held.state.status, "HELD");
    assert.match(held.state.statusReason ?? "", /held/);
    assert.equal(held.summary.counts.DEACTIVATE, 2, "up to the limit go ahead");
    assert.equal(held.summary.counts.CREATE, 1, "creates are not held");
    const confirmed = await confirmChannel(server.context, testActor, connectionId, "staff");
    assert.equal(confirmed.state.status, "IDLE");
    for (const uid of ["ada", "bob", "carol", "dave"])
      assert.equal((await userNamed(`${uid}@acme.example.com`))?.IsActive, false, uid);
    for (const uid of ["ada", "bob", "carol", "dave"]) await enableUser(server.context, testActor, uid);
    await run();
    await putOutboundProvisioningSettings(server.context, testActor, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 10, percent: 10 },
    });
  });

  it("deprovisions nobody when the scope group is emptied, and says why", async () => {
    const members = ["ada", "bob", "carol", "dave", "erin", "fay"];
    for (const uid of members) await removeGroupMember(server.context, testActor, "salesforce-users", uid);
    const stopped = await run({ full: true });
    assert.equal(stopped.state.status, "STOPPED");
    assert.match(stopped.state.statusReason ?? "", /has no members; nobody is deprovisioned/);
    assert.ok((await users()).filter((u) => u.IsActive).length >= members.length);
    for (const uid of members) await addGroupMember(server.context, testActor, "salesforce-users", uid);
    assert.equal((await run({ full: true })).state.status, "IDLE");
  });

  it("deactivates a user deleted from the directory, and forgets nothing on reset", async () => {
    await deleteUser(server.context, testActor, "fay");
    assert.equal((await run()).summary.counts.DEACTIVATE, 1);
    assert.equal((await userNamed("fay@acme.example.com"))?.IsActive, false);
    await resetChannel(server.context, testActor, connectionId, "staff");
    const again = await run();
    assert.equal(again.summary.kind, "full");
    assert.equal(
      again.summary.counts.CREATE ?? 0,
      0,
      "after a reset existing users are adopted, never duplicated",
    );
    assert.ok((again.summary.counts.ADOPT ?? 0) >= 5);
    await retryChannel(server.context, connectionId, "staff");
  });
});
