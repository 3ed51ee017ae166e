import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { Channel } from "../../src/domain/channel.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { runChannel } from "../../src/services/provisioning/channels.ts";
import { auditor, type ConsoleBench, startConsole } from "../support/console.ts";
import { acmeUsers, addStaff } from "../support/provisioning.ts";
import {
  clientCredentialsSettings,
  connectionWithTarget,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { api } from "../support/server.ts";

/**
 * Manage Channels in a real browser, against the Salesforce emulator: a channel created on the
 * built-in directory, edited, and deleted after a confirmation (a page, so without script too); an LDAP data store's preset
 * filling the Source Settings; bad source input named next to its field; the channel list, and
 * the channel's users appearing in the emulator once it is active.
 */
describe("console: Outbound Provisioning, Manage Channels", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  let sf: SalesforceEmulator;
  const id = "sf-channels";
  const channels = `/console/connections/${id}/provisioning/channels`;

  const storedChannels = async (): Promise<Channel[]> => {
    const got = await bench.server.request("GET", `${api}/idp/spConnections/${id}`);
    assert.equal(got.statusCode, 200, got.body);
    return (got.json() as SpConnection).outboundProvision?.channels ?? [];
  };
  const admin = async (): Promise<Page> => {
    const p = await (await bench.context()).newPage();
    await bench.signIn(p);
    return p;
  };
  const submit = async (p: Page, name: string) => {
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name, exact: true }).click()]);
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    bench = await startConsole();
    const document = connectionWithTarget(id, clientCredentialsSettings(sf));
    document.active = true;
    const created = await bench.server.request("POST", `${api}/idp/spConnections`, document);
    assert.equal(created.statusCode, 201, created.body);
    const store = await bench.server.request("POST", `${api}/dataStores`, {
      type: "LDAP",
      id: "corp-pd",
      name: "Corporate PingDirectory",
      ldapType: "PING_DIRECTORY",
      hostnames: ["ldap.corp.example.com"],
      userDN: "cn=Portico,ou=services,dc=corp,dc=example,dc=com",
      password: "a-bind-password",
    });
    assert.equal(store.statusCode, 201, store.body);
    await addStaff(bench.server.context, "sam", 2);
    await bench.addAuditor();
  });
  after(async () => {
    await bench?.dispose();
    await sf?.close();
  });

  it("creates a channel on the built-in directory, lists it and edits it", async () => {
    const p = await admin();
    await p.goto(channels);
    assert.match((await p.textContent("main")) ?? "", /No channel yet/);
    await Promise.all([p.waitForEvent("load"), p.getByRole("link", { name: "Create Channel" }).click()]);
    assert.equal(await p.getByLabel("Source (data store)").inputValue(), "builtin");
    assert.equal(await p.getByLabel("Max Threads").inputValue(), "1", "PingFederate's default");
    assert.equal(await p.getByLabel("Timeout (seconds)").inputValue(), "60");
    await p.getByLabel(/^Channel Name/).fill("staff");
    await p.getByLabel("Users Group DN").fill("cn=salesforce-users,ou=groups");
    await submit(p, "Create channel");
    assert.match(p.url(), /\/channels\/staff\/mapping$/, "on to the mapping");
    assert.match((await p.getByRole("status").first().textContent()) ?? "", /created, inactive/);

    const [created] = await storedChannels();
    assert.equal(created?.name, "staff");
    assert.equal(created?.active, false);
    assert.equal(created?.channelSource.userSourceLocation?.groupDN, "cn=salesforce-users,ou=groups");
    assert.ok(
      created?.attributeMapping.some((m) => m.fieldName === "Username"),
      "the default mapping",
    );

    await p.goto(channels);
    const row = p.getByRole("row", { name: /staff/ });
    assert.match((await row.textContent()) ?? "", /Built-in directory.*Inactive/s);
    await Promise.all([
      p.waitForEvent("load"),
      row.getByRole("link", { name: "staff", exact: true }).click(),
    ]);
    await p.getByLabel("Max Threads").fill("4");
    await submit(p, "Save channel");
    assert.match((await p.getByRole("status").first().textContent()) ?? "", /Channel "staff" saved/);
    assert.equal((await storedChannels())[0]?.maxThreads, 4);
  });

  it("names bad source input next to its field and stores nothing", async () => {
    const p = await admin();
    await p.goto(`${channels}/staff`);
    const before = await storedChannels();
    await p.getByLabel("Users Filter").fill("(department=Sales");
    await p.getByLabel("Max Threads").fill("99");
    await submit(p, "Save channel");
    assert.ok(await p.locator("#f-usersFilter-error").isVisible(), "the filter's error, by the filter");
    assert.match((await p.locator("#f-maxThreads-error").textContent()) ?? "", /1 to 16/);
    assert.equal(await p.getByLabel("Users Filter").inputValue(), "(department=Sales", "as typed");
    assert.deepEqual(await storedChannels(), before);
  });

  it("pre-fills an LDAP data store's Source Settings from its kind of directory", async () => {
    const p = await admin();
    await p.goto(`${channels}/new`);
    await p.getByLabel("Source (data store)").selectOption("corp-pd");
    await submit(p, "Use this source");
    assert.equal(await p.getByLabel("Entry GUID Attribute").inputValue(), "entryUUID");
    assert.equal(await p.getByLabel("Changed Users Algorithm").inputValue(), "TIMESTAMP_NO_NEGATION");
    assert.equal(await p.getByLabel("Account Status Attribute").inputValue(), "nsaccountlock");
    assert.equal(await p.getByLabel("Group Member Attribute").inputValue(), "uniqueMember");
    assert.equal(await p.getByLabel(/^Base DN/).getAttribute("aria-required"), "true");
    await p.getByLabel(/^Channel Name/).fill("corp");
    await p.getByLabel(/^Base DN/).fill("ou=people,dc=corp,dc=example,dc=com");
    await p.getByLabel("Users Group DN").fill("salesforce-users");
    await submit(p, "Create channel");
    assert.match(
      (await p.locator("#f-usersGroupDN-error").textContent()) ?? "",
      /is not a DN/,
      "an LDAP group is named by its DN",
    );
    assert.equal(await p.getByLabel("Entry GUID Attribute").inputValue(), "entryUUID", "still as typed");
    assert.equal((await storedChannels()).length, 1, "nothing stored");
    await p.getByLabel("Users Group DN").fill("");
    await p.getByLabel("Users Filter").fill("(objectClass=inetOrgPerson)");
    await submit(p, "Create channel");
    const corp = (await storedChannels()).find((c) => c.name === "corp");
    assert.equal(corp?.channelSource.dataSource.id, "corp-pd");
    assert.equal(corp?.channelSource.guidAttributeName, "entryUUID");
    assert.equal(corp?.channelSource.baseDn, "ou=people,dc=corp,dc=example,dc=com");
    assert.equal(
      corp?.attributeMapping.find((m) => m.fieldName === "Alias")?.saasFieldInfo.expression,
      "Left(Trim([uid]), 8)",
      "the LDAP default mapping",
    );
  });

  it("deletes a channel after asking on a page of its own, which works without script", async () => {
    const p = await (await bench.context({ javaScriptEnabled: false })).newPage();
    await bench.signIn(p);
    await p.goto(channels);
    const deleteCorp = p.getByRole("row", { name: /corp/ }).getByRole("link", { name: "Delete corp" });
    await deleteCorp.click();
    await p.waitForURL(/\/channels\/corp\/delete$/);
    assert.match((await p.textContent("main")) ?? "", /Delete the channel corp\?/);
    await p.getByRole("link", { name: "Cancel" }).click();
    await p.waitForURL(/\/channels$/);
    assert.ok(
      (await storedChannels()).some((c) => c.name === "corp"),
      "cancelled: kept",
    );

    await deleteCorp.click();
    await submit(p, "Delete channel");
    assert.match(p.url(), /\/channels$/);
    assert.match((await p.getByRole("status").first().textContent()) ?? "", /Channel "corp" deleted/);
    assert.deepEqual(
      (await storedChannels()).map((c) => c.name),
      ["staff"],
    );
  });

  it("provisions the channel's users into the emulator once it is active", async () => {
    const p = await admin();
    await p.goto(`${channels}/staff/mapping`);
    await p.getByLabel("Active", { exact: true }).check();
    await submit(p, "Save status");
    assert.match((await p.getByRole("status").first().textContent()) ?? "", /is active/);
    assert.equal((await storedChannels())[0]?.active, true);
    await runChannel(bench.server.context, id, "staff");
    const usernames = (await acmeUsers(sf)).map((u) => u.Username).sort();
    assert.deepEqual(usernames, ["sam1@acme.example.com", "sam2@acme.example.com"]);
  });

  it("copies a channel under a new name, with its source and mapping, inactive", async () => {
    const p = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(p);
    await p.goto(channels);
    const row = p.getByRole("row", { name: /staff/ });
    await Promise.all([p.waitForEvent("load"), row.getByRole("link", { name: "Copy staff" }).click()]);
    assert.deepEqual(await bench.axe(p), [], "the copy page");
    await p.getByLabel(/^New Channel Name/).fill("staff");
    await submit(p, "Copy channel");
    assert.match(
      (await p.locator("#f-name-error").textContent()) ?? "",
      /"staff" is used by another channel/,
    );
    await p.getByLabel(/^New Channel Name/).fill(" ");
    await submit(p, "Copy channel");
    assert.match((await p.locator("#f-name-error").textContent()) ?? "", /enter a name for the copy/);
    assert.equal((await storedChannels()).length, 1, "nothing stored");

    await p.getByLabel(/^New Channel Name/).fill("staff-eu");
    await submit(p, "Copy channel");
    assert.match(p.url(), /\/channels$/);
    assert.match((await p.getByRole("status").first().textContent()) ?? "", /copied to "staff-eu", inactive/);
    assert.match((await p.getByRole("row", { name: /staff-eu/ }).textContent()) ?? "", /Inactive/);
    const [original, copy] = await storedChannels();
    assert.equal(original?.active, true, "the original keeps running");
    assert.equal(copy?.name, "staff-eu");
    assert.equal(copy?.active, false);
    assert.deepEqual(copy?.channelSource, original?.channelSource);
    assert.deepEqual(copy?.attributeMapping, original?.attributeMapping);
    await p.goto(`${channels}/staff-eu/delete`);
    assert.deepEqual(await bench.axe(p), [], "the delete confirmation page");

    const reader = await (await bench.context()).newPage();
    await bench.signIn(reader, auditor.username, auditor.password);
    await reader.goto(channels);
    assert.equal(await reader.getByRole("link", { name: /^Copy / }).count(), 0, "no Copy for auditors");
    const _csrf = await reader.locator("input[name=_csrf]").first().inputValue();
    const posted = await reader.request.post(`${channels}/staff/copy`, {
      form: { _csrf, name: "auditor-copy" },
      maxRedirects: 0,
    });
    assert.equal(posted.status(), 403);
    assert.equal((await storedChannels()).length, 2);
  });

  it('opens a channel called "new": the create form has an address no channel name takes', async () => {
    const p = await admin();
    await p.goto(`${channels}/new`);
    assert.match(p.url(), /\/new-channel$/, "the form's old address, while no channel is called new");
    await p.goto(channels);
    const row = p.getByRole("row", { name: /staff-eu/ });
    await Promise.all([p.waitForEvent("load"), row.getByRole("link", { name: "Copy staff-eu" }).click()]);
    await p.getByLabel(/^New Channel Name/).fill("new");
    await submit(p, "Copy channel");
    await p.goto(`${channels}/new`);
    assert.match(p.url(), /\/channels\/new$/);
    assert.match(await p.title(), /Channel new/);
    assert.equal(await p.getByRole("button", { name: "Save channel" }).count(), 1, "the channel's own form");
  });
});
