import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { assertProblem } from "../support/errors.ts";
import { addAuditor, provisioningConnection, staffChannel } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

type Json = Record<string, unknown>;

/** Refresh Fields, the stored field lists, the default mapping and the server-wide settings. */
describe("provisioning settings and Salesforce's fields on the admin API", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  let auditor: string;
  const settingsPath = "/serverSettings/outboundProvisioning";
  const defaults = {
    mode: "STANDALONE",
    nodeIndex: null,
    failoverGracePeriod: 60,
    synchronizationFrequency: 60,
    fullSynchronizationFrequency: 3600,
    deprovisionHold: { minimum: 10, percent: 10 },
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
    // An inactive channel may be saved before the org's fields are known; its mapping names a
    // field the org does not have.
    const channel = staffChannel({ active: false });
    channel.attributeMapping = [
      ...channel.attributeMapping,
      { fieldName: "Cost_Center__c", saasFieldInfo: { attributeNames: ["departmentNumber"] } },
    ];
    const saved = await server.request(
      "POST",
      "/idp/spConnections",
      provisioningConnection(sf, "org", [channel]),
    );
    assert.equal(saved.statusCode, 201, saved.body);
    auditor = await addAuditor(server);
  });
  after(async () => {
    await server?.dispose();
    await sf?.close();
  });

  it("says clearly when the fields were never fetched", async () => {
    const response = await server.request("GET", "/provisioning/connections/org/fields");
    assertProblem(response, "PROV_FIELDS_NOT_FETCHED");
    assert.match(response.json().detail, /refreshFields/);
    const unknown = await server.request("GET", "/provisioning/connections/nope/fields");
    assertProblem(unknown, "CONN_NOT_FOUND");
  });

  it("Refresh Fields reads the User describe: required, custom, picklists, and flags vanished mappings", async () => {
    await sf.control("POST", "/fields", {
      object: "User",
      fields: [{ name: "Region__c", type: "picklist", picklistValues: ["EMEA", "AMER"] }],
    });
    const response = await server.request("POST", "/provisioning/connections/org/refreshFields");
    assert.equal(response.statusCode, 200, response.body);
    const report = response.json();
    const names = (report.fields.User as Json[]).map((f) => f.name);
    for (const name of ["Username", "LastName", "Email", "Region__c"]) assert.ok(names.includes(name), name);
    for (const name of ["Username", "LastName", "Alias", "Email"])
      assert.ok(report.required.User.includes(name), `${name} is required`);
    assert.ok(!report.required.User.includes("Title"));
    assert.deepEqual(report.custom.User.includes("Region__c"), true);
    assert.ok(!report.custom.User.includes("Username"));
    const region = (report.fields.User as Json[]).find((f) => f.name === "Region__c");
    assert.deepEqual(region?.picklistValues, ["EMEA", "AMER"]);
    assert.equal(report.fields.Contact, undefined, "no Contact without Communities");
    const [channel] = report.channels;
    assert.equal(channel.name, "staff");
    assert.equal(channel.active, false);
    assert.ok(
      channel.problems.some((p: Json) => /Cost_Center__c/.test(`${String(p.field)} ${String(p.message)}`)),
      JSON.stringify(channel.problems),
    );

    const stored = await server.request("GET", "/provisioning/connections/org/fields");
    assert.equal(stored.statusCode, 200);
    assert.equal(stored.json().fetchedAt, report.fetchedAt);
    assert.deepEqual(stored.json().required, report.required);
    const audit = (await server.context.store.auditLog.list({ limit: 50 })).map((e) => e.action);
    assert.ok(audit.includes("provisioning.fields.refresh"));
  });

  it("Refresh Fields reads the Contact describe too when Communities is on", async () => {
    const document = provisioningConnection(sf, "community", [staffChannel({ active: false })]);
    document.outboundProvision?.targetSettings.push({ name: "ENABLE_COMMUNITIES", value: "true" });
    const saved = await server.request("POST", "/idp/spConnections", document);
    assert.equal(saved.statusCode, 201, saved.body);
    const report = (await server.request("POST", "/provisioning/connections/community/refreshFields")).json();
    const contact = (report.fields.Contact as Json[]).map((f) => f.name);
    assert.ok(contact.includes("LastName"), JSON.stringify(contact));
    assert.ok(report.required.Contact.includes("LastName"));
    assert.ok(Array.isArray(report.custom.Contact));
  });

  it("refuses Refresh Fields to auditors and for unknown connections", async () => {
    const byAuditor = await server.request("POST", "/provisioning/connections/org/refreshFields", undefined, {
      auth: auditor,
    });
    assertProblem(byAuditor, "AUTH_FORBIDDEN");
    const unknown = await server.request("POST", "/provisioning/connections/nope/refreshFields");
    assertProblem(unknown, "CONN_NOT_FOUND");
  });

  it("offers the default mapping for the built-in directory", async () => {
    const response = await server.request("GET", "/provisioning/defaultMapping");
    assert.equal(response.statusCode, 200);
    const { dataSource, attributeMapping } = response.json();
    assert.equal(dataSource, "builtin");
    const username = attributeMapping.find((m: Json) => m.fieldName === "Username");
    assert.deepEqual(username.saasFieldInfo.attributeNames, ["mail"]);
  });

  it("offers the default mapping for an LDAP data store by its kind of directory", async () => {
    const store = await server.request("POST", "/dataStores", {
      type: "LDAP",
      id: "corp-ad",
      name: "Corporate AD",
      ldapType: "ACTIVE_DIRECTORY",
      hostnames: ["dc1.corp.example.com"],
      userDN: "CN=Portico,DC=corp,DC=example,DC=com",
      password: "a-bind-password",
    });
    assert.equal(store.statusCode, 201, store.body);
    const response = await server.request("GET", "/provisioning/defaultMapping?dataStore=corp-ad");
    assert.equal(response.statusCode, 200, response.body);
    const { dataSource, attributeMapping } = response.json();
    assert.equal(dataSource, "corp-ad");
    const field = (name: string) => attributeMapping.find((m: Json) => m.fieldName === name)?.saasFieldInfo;
    assert.deepEqual(field("Username").attributeNames, ["mail"]);
    assert.equal(field("Alias").expression, "Left(Trim([sAMAccountName]), 8)");
    assert.deepEqual(field("CommunityNickname").attributeNames, ["sAMAccountName"]);
    const missing = await server.request("GET", "/provisioning/defaultMapping?dataStore=nope");
    assert.equal(missing.statusCode, 404, missing.body);
  });

  it("keeps the synchronization frequency, 60 s by default, and the safety net", async () => {
    const initial = await server.request("GET", settingsPath);
    assert.equal(initial.statusCode, 200);
    assert.deepEqual(initial.json(), defaults);
    const changed = {
      ...defaults,
      synchronizationFrequency: 30,
      deprovisionHold: { minimum: 5, percent: 20 },
    };
    const put = await server.request("PUT", settingsPath, changed);
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), changed);
    assert.deepEqual((await server.request("GET", settingsPath)).json(), changed);
    const audit = (await server.context.store.auditLog.list({ limit: 50 })).map((e) => e.action);
    assert.ok(audit.includes("serverSettings.outboundProvisioning.update"));
  });

  it("keeps the provisioner mode, node index and grace period when a PUT leaves them out", async () => {
    const cluster = { ...defaults, mode: "FAILOVER", nodeIndex: 2, failoverGracePeriod: 15 };
    assert.deepEqual((await server.request("PUT", settingsPath, cluster)).json(), cluster);
    const {
      mode: _m,
      nodeIndex: _n,
      failoverGracePeriod: _g,
      ...older
    } = { ...cluster, synchronizationFrequency: 90 };
    const put = await server.request("PUT", settingsPath, older);
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json(), { ...cluster, synchronizationFrequency: 90 });
    const back = await server.request("PUT", settingsPath, defaults);
    assert.deepEqual(back.json(), defaults, "nodeIndex: null unsets it");
  });

  it("refuses bad settings with the field named, and keeps the stored ones", async () => {
    const stored = (await server.request("GET", settingsPath)).json();
    const bad: [unknown, string, number, ErrorCode][] = [
      [
        { ...defaults, fullSynchronizationFrequency: 60, synchronizationFrequency: 120 },
        "fullSynchronizationFrequency",
        422,
        "PROV_CONFIG_INVALID",
      ],
      [{ ...defaults, synchronizationFrequency: 1 }, "synchronizationFrequency", 400, "REQ_VALIDATION"],
      [
        { ...defaults, deprovisionHold: { minimum: 5, percent: 101 } },
        "deprovisionHold.percent",
        400,
        "REQ_VALIDATION",
      ],
      [{ synchronizationFrequency: 60 }, "fullSynchronizationFrequency", 400, "REQ_VALIDATION"],
      [{ ...defaults, mode: "ACTIVE" }, "mode", 400, "REQ_VALIDATION"],
      [{ ...defaults, nodeIndex: 0 }, "nodeIndex", 400, "REQ_VALIDATION"],
      [{ ...defaults, failoverGracePeriod: 1 }, "failoverGracePeriod", 400, "REQ_VALIDATION"],
      [{ ...defaults, nodeId: 1 }, "nodeId", 400, "REQ_VALIDATION"],
    ];
    for (const [body, field, status, code] of bad) {
      const response = await server.request("PUT", settingsPath, body);
      const problem = assertProblem(response, code, status);
      assert.ok(
        (problem.errors ?? []).some((e) => e.field === field),
        `${field}: ${response.body}`,
      );
    }
    const byAuditor = await server.request("PUT", settingsPath, defaults, { auth: auditor });
    assert.equal(byAuditor.statusCode, 403);
    assert.deepEqual((await server.request("GET", settingsPath)).json(), stored);
    const forAuditor = await server.request("GET", settingsPath, undefined, { auth: auditor });
    assert.equal(forAuditor.statusCode, 200);
  });
});
