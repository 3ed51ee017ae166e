import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { Channel } from "../../src/domain/channel.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { addStaff, provisioningConnection, staffChannel } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { api } from "../support/server.ts";

/**
 * A channel's Attribute Mapping in a real browser, against the Salesforce emulator: Refresh
 * Fields and the required marks, View Partner Field Specifications, the mapping editor with its
 * expression test shown step by step, activation refused with the exact unmapped field, and an
 * auditor who can read it all and change nothing.
 */
describe("console: Outbound Provisioning, Attribute Mapping", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  let sf: SalesforceEmulator;
  const id = "sf-mapping";
  const channel = `/console/connections/${id}/provisioning/channels/staff`;

  const stored = async (): Promise<Channel | undefined> => {
    const got = await bench.server.request("GET", `${api}/idp/spConnections/${id}`);
    assert.equal(got.statusCode, 200, got.body);
    return (got.json() as SpConnection).outboundProvision?.channels[0];
  };
  const mappingOf = async (field: string) =>
    (await stored())?.attributeMapping.find((m) => m.fieldName === field)?.saasFieldInfo;
  const admin = async (context = bench.context()): Promise<Page> => {
    const p = await (await context).newPage();
    await bench.signIn(p);
    return p;
  };
  const submit = async (p: Page, name: string) => {
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name, exact: true }).click()]);
  };
  const notice = async (p: Page) => (await p.getByRole("status").first().textContent()) ?? "";

  before(async () => {
    sf = await startSalesforceEmulator();
    bench = await startConsole();
    const document = provisioningConnection(sf, id, [staffChannel({ active: false })]);
    const created = await bench.server.request("POST", `${api}/idp/spConnections`, document);
    assert.equal(created.statusCode, 201, created.body);
    await addStaff(bench.server.context, "kim", 1);
    await bench.addAuditor();
  });
  after(async () => {
    await bench?.dispose();
    await sf?.close();
  });

  it("refreshes Salesforce's fields, marks the required ones, and shows their specifications", async () => {
    const p = await admin();
    await p.goto(`${channel}/mapping`);
    assert.match((await p.textContent("main")) ?? "", /never read for this connection/);
    await submit(p, "Refresh Fields");
    assert.match(await notice(p), /Fields refreshed from Salesforce: \d+ User fields/);
    const lastName = p.getByRole("row", { name: /LastName/ });
    assert.match((await lastName.textContent()) ?? "", /\*.*\(required\).*sn or cn or uid/s);
    const title = p.getByRole("row", { name: /^Title/ });
    assert.doesNotMatch((await title.textContent()) ?? "", /required/, "an optional field is not marked");

    await Promise.all([
      p.waitForEvent("load"),
      p.getByRole("link", { name: "View Partner Field Specifications" }).click(),
    ]);
    const profile = p.getByRole("table", { name: "User fields" }).getByRole("row", { name: /ProfileId/ });
    assert.match((await profile.textContent()) ?? "", /reference.*yes/s, "ProfileId: a required reference");
  });

  it("with Communities, lists the Contact's fields too, required ones marked, and the Account", async () => {
    const document = provisioningConnection(sf, "sf-community", [staffChannel({ active: false })]);
    document.outboundProvision?.targetSettings.push({ name: "ENABLE_COMMUNITIES", value: "true" });
    const created = await bench.server.request("POST", `${api}/idp/spConnections`, document);
    assert.equal(created.statusCode, 201, created.body);
    const p = await admin();
    await p.goto("/console/connections/sf-community/provisioning/channels/staff/mapping");
    await submit(p, "Refresh Fields");
    assert.match(await notice(p), /User and \d+ Contact fields/);
    const contactLastName = p.getByRole("row", { name: /Contact\.LastName/ });
    assert.match((await contactLastName.textContent()) ?? "", /\(required\)/);
    assert.equal(await p.getByRole("link", { name: "Edit AccountId" }).count(), 1);
    assert.match(
      (await p.getByRole("note").first().textContent()) ?? "",
      /not mapped: .*Contact\.LastName/,
      "the Contact's required fields must be mapped too",
    );
  });

  it("refuses activation naming the unmapped required field, and activates once it is mapped", async () => {
    const p = await admin();
    await p.goto(`${channel}/mapping`);
    await Promise.all([p.waitForEvent("load"), p.getByRole("link", { name: "Edit TimeZoneSidKey" }).click()]);
    p.once("dialog", (dialog) => void dialog.accept());
    await Promise.all([
      p.waitForURL(/\/mapping$/),
      p.getByRole("button", { name: "Remove mapping" }).click(),
    ]);
    assert.match(await notice(p), /Mapping of TimeZoneSidKey removed/);
    assert.match(
      (await p.getByRole("note").first().textContent()) ?? "",
      /required by Salesforce and not mapped: TimeZoneSidKey/,
    );

    await p.getByLabel("Active", { exact: true }).check();
    await submit(p, "Save status");
    assert.equal(await p.getByRole("heading", { name: "Activation refused" }).count(), 1);
    assert.match(
      (await p.locator("#errors").textContent()) ?? "",
      /required by Salesforce and not mapped: TimeZoneSidKey/,
    );
    assert.equal((await stored())?.active, false, "nothing half-done is saved as active");

    await Promise.all([p.waitForEvent("load"), p.getByRole("link", { name: "Edit TimeZoneSidKey" }).click()]);
    await p.getByLabel("Default Value").selectOption("America/New_York", { timeout: 5000 });
    await submit(p, "Save mapping");
    assert.match(await notice(p), /Mapping of TimeZoneSidKey saved/);
    assert.deepEqual(await mappingOf("TimeZoneSidKey"), { defaultValue: "America/New_York" });
    await p.getByLabel("Active", { exact: true }).check();
    await submit(p, "Save status");
    assert.match(await notice(p), /Channel "staff" is active/);
    assert.equal((await stored())?.active, true);
  });

  it("tests an expression on a directory user step by step, then saves it with its options", async () => {
    const p = await admin();
    await p.goto(`${channel}/mapping/Alias`);
    const before = await mappingOf("Alias");
    await p.getByLabel("Expression").fill("Left(Upper([givenName]), 2)");
    await p.getByLabel("Directory user (uid)").fill("kim1");
    await submit(p, "Test expression");
    const steps = (await p.getByRole("status").first().textContent()) ?? "";
    assert.match(steps, /Read the directory user kim1/);
    assert.match(steps, /Attribute givenName: “kim”/);
    assert.match(steps, /Result: “KI”/);
    assert.equal(
      await p.getByLabel("Expression").inputValue(),
      "Left(Upper([givenName]), 2)",
      "kept as typed",
    );
    assert.deepEqual(await mappingOf("Alias"), before, "a test writes nothing");

    await p.getByLabel("Expression").fill("Left([uid]");
    await submit(p, "Save mapping");
    assert.ok(
      await p.locator("#f-expression-error").isVisible(),
      "the expression's error, by the expression",
    );
    assert.deepEqual(await mappingOf("Alias"), before);

    await p.getByLabel("Expression").fill("Left(Upper([givenName]), 2)");
    await p.getByLabel("Case").selectOption("LOWER");
    await p.getByLabel("Mask Log Values").check();
    await submit(p, "Save mapping");
    const saved = await mappingOf("Alias");
    assert.equal(saved?.expression, "Left(Upper([givenName]), 2)");
    assert.equal(saved?.characterCase, "LOWER");
    assert.equal(saved?.masked, true);
  });

  it("lets an auditor read the mapping but refuses every change posted directly", async () => {
    const p = await (await bench.context()).newPage();
    await bench.signIn(p, "audrey", "auditor-password-123");
    await p.goto(`${channel}/mapping`);
    assert.equal(await p.getByRole("button", { name: "Refresh Fields" }).count(), 0);
    assert.equal(await p.getByRole("button", { name: "Save status" }).count(), 0);
    await p.goto(`${channel}/mapping/Alias`);
    assert.equal(await p.getByRole("button", { name: "Save mapping" }).count(), 0);
    const before = await stored();
    const token = await p.locator("input[name=_csrf]").first().inputValue();
    const base = `/console/connections/${id}/provisioning/channels`;
    for (const [path, form] of [
      [`${base}/staff/mapping/refresh`, {}],
      [`${base}/staff/activation`, { status: "inactive" }],
      [`${base}/staff/mapping/Alias`, { defaultValue: "x" }],
      [`${base}/staff/mapping/Alias/test`, { expression: "[uid]", subject: "kim1" }],
      [`${base}/staff/mapping/Alias/remove`, {}],
      [`${base}/staff`, { name: "staff", dataSource: "builtin", maxThreads: "2" }],
      [`${base}/staff/delete`, {}],
      [`${base}/new`, { name: "evil", dataSource: "builtin" }],
    ] as const) {
      const posted = await p.request.post(path, { form: { _csrf: token, ...form }, maxRedirects: 0 });
      assert.equal(posted.status(), 403, path);
    }
    assert.deepEqual(await stored(), before);
  });

  it("has no serious or critical accessibility violation on the channel pages", async () => {
    const p = await admin(bench.context({ bypassCSP: true }));
    const base = `/console/connections/${id}/provisioning/channels`;
    for (const path of [base, `${base}/new`, `${base}/staff`, `${channel}/mapping`, `${channel}/fields`]) {
      await p.goto(path);
      assert.deepEqual(await bench.axe(p), [], path);
    }
    await p.goto(`${channel}/mapping/Alias`);
    await p.getByLabel("Directory user (uid)").fill("kim1");
    await submit(p, "Test expression");
    assert.deepEqual(await bench.axe(p), [], "the editor with a test result");
  });
});
