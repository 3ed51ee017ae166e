import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { ConfigField, SpConnection } from "../../src/domain/sp-connection.ts";
import { salesforceConnection } from "../support/cli.ts";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { api } from "../support/server.ts";

/**
 * The Outbound Provisioning tab's Target page in a real browser, against the Salesforce emulator:
 * the seed's fields, client credentials saved and tested, secrets never shown back, a bad domain
 * named next to its field with nothing stored, Connect to Salesforce through the emulator's
 * consent page, and an auditor who can look but not change.
 */
describe("console: Outbound Provisioning, Target", { timeout: 240_000 }, () => {
  let bench: ConsoleBench;
  let sf: SalesforceEmulator;
  const id = "sf-target";
  const page = `/console/connections/${id}/provisioning`;

  const stored = async (): Promise<ConfigField[]> => {
    const got = await bench.server.request("GET", `${api}/idp/spConnections/${id}`);
    assert.equal(got.statusCode, 200, got.body);
    return (got.json() as SpConnection).outboundProvision?.targetSettings ?? [];
  };
  const setting = (settings: ConfigField[], name: string) => settings.find((s) => s.name === name);

  const fillClientCredentials = async (p: Page, secret: string) => {
    await p.getByLabel("Salesforce Domain").fill(sf.url);
    await p.getByLabel("Authentication Method").selectOption("CLIENT_CREDENTIALS");
    await p.getByLabel(/^Client ID/).fill(sf.org.clientId);
    await p.getByLabel("Client Secret", { exact: true }).fill(secret);
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    bench = await startConsole();
    const document = salesforceConnection({
      id,
      entityId: "https://acme.my.salesforce.com",
      name: "Acme Salesforce",
      clientSecret: "unused",
    });
    delete document.outboundProvision;
    const created = await bench.server.request("POST", `${api}/idp/spConnections`, document);
    assert.equal(created.statusCode, 201, created.body);
    await bench.addAuditor();
  });
  after(async () => {
    await bench?.dispose();
    await sf?.close();
  });

  it("saves client credentials for the emulator, never shows the secret, and tests the connection", async () => {
    const p = await (await bench.context()).newPage();
    await bench.signIn(p);
    await p.goto(page);
    assert.match((await p.getByRole("heading", { level: 1 }).textContent()) ?? "", /^Target/);
    assert.match((await p.textContent("main")) ?? "", /does not provision yet/);
    for (const label of [
      "Client ID",
      "OAuth Access Token",
      "OAuth Refresh Token",
      "Enable Communities",
      "User Create",
    ])
      assert.equal(
        await p.getByLabel(new RegExp(`^${label}( \\*)?$`)).count(),
        1,
        `the seed's field "${label}"`,
      );
    assert.equal(await p.getByLabel("User Create").isChecked(), true, "User Create is on by default");

    await fillClientCredentials(p, sf.org.clientSecret);
    await p.getByLabel("Enable Communities").check();
    await p.getByLabel("Freeze users instead of disable").check();
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Save" }).click()]);
    assert.equal(await p.getByRole("status").first().textContent(), "Target saved.");

    const settings = await stored();
    assert.equal(setting(settings, "AUTH_METHOD")?.value, "CLIENT_CREDENTIALS");
    assert.equal(setting(settings, "CLIENT_ID")?.value, sf.org.clientId);
    assert.equal(setting(settings, "CLIENT_SECRET")?.value, undefined, "the secret is stored sealed");
    assert.ok(setting(settings, "CLIENT_SECRET")?.encryptedValue);
    assert.equal(setting(settings, "ENABLE_COMMUNITIES")?.value, "true");
    assert.equal(setting(settings, "FREEZE_USER_FLAG")?.value, "true");
    assert.equal(setting(settings, "CREATE_USERS")?.value, "true");

    assert.ok(!(await p.content()).includes(sf.org.clientSecret), "the secret is never sent back");
    assert.equal(await p.getByLabel("Client Secret", { exact: true }).inputValue(), "");
    assert.match((await p.locator("#f-CLIENT_SECRET-hint").textContent()) ?? "", /^Set \(not shown\)/);
    assert.equal(await p.getByLabel("Enable Communities").isChecked(), true);

    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Test connection" }).click()]);
    const result = (await p.getByRole("status").first().textContent()) ?? "";
    assert.match(result, /Test connection succeeded/);
    assert.ok(result.includes(sf.org.orgId), "the org's id");
    assert.ok(result.includes(sf.org.adminUsername), "who Portico acts as");

    // Saving again with the secret left blank keeps it.
    await p.getByLabel("Freeze users instead of disable").uncheck();
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Save" }).click()]);
    const kept = await stored();
    assert.equal(
      setting(kept, "CLIENT_SECRET")?.encryptedValue,
      setting(settings, "CLIENT_SECRET")?.encryptedValue,
    );
    assert.equal(setting(kept, "FREEZE_USER_FLAG")?.value, "false");
  });

  it("names a bad domain next to its field, keeps what was typed and stores nothing", async () => {
    const p = await (await bench.context()).newPage();
    await bench.signIn(p);
    await p.goto(page);
    const before = await stored();
    await p.getByLabel("Salesforce Domain").fill("ftp://acme.example.com");
    await p.getByLabel("Client Secret", { exact: true }).fill("a-new-secret-never-shown");
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Save" }).click()]);
    assert.match((await p.locator("#f-SALESFORCE_DOMAIN-error").textContent()) ?? "", /https/);
    assert.equal(await p.getByLabel("Salesforce Domain").inputValue(), "ftp://acme.example.com");
    assert.ok(!(await p.content()).includes("a-new-secret-never-shown"), "a typed secret is not shown back");
    assert.ok(await p.getByRole("alert").first().isVisible());
    assert.deepEqual(await stored(), before, "stored data untouched");
  });

  it("says why Test connection fails with a wrong secret", async () => {
    const p = await (await bench.context()).newPage();
    await bench.signIn(p);
    await p.goto(page);
    await p.getByLabel("Client Secret", { exact: true }).fill("not-the-secret");
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Save" }).click()]);
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Test connection" }).click()]);
    const alert = (await p.getByRole("alert").first().textContent()) ?? "";
    assert.match(alert, /Test connection failed/);
    assert.match(alert, /PROV_TARGET_AUTH_CLIENT_SECRET/);
    // Back to the right secret for the next test.
    await p.getByLabel("Client Secret", { exact: true }).fill(sf.org.clientSecret);
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Save" }).click()]);
  });

  it("connects to Salesforce through the consent page, which stores a refresh token", async () => {
    const context = await bench.context();
    const p = await context.newPage();
    await bench.signIn(p);
    await p.goto(page);
    await Promise.all([
      p.waitForEvent("load"),
      p.getByRole("button", { name: "Connect to Salesforce" }).click(),
    ]);
    assert.match(
      (await p.locator("#callback-url").textContent()) ?? "",
      /\/pf-admin-api\/v1\/provisioning\/oauth\/callback$/,
    );
    const [popup] = await Promise.all([
      context.waitForEvent("page"),
      p.getByRole("link", { name: /Continue to Salesforce/ }).click(),
    ]);
    await popup.waitForLoadState("load");
    assert.equal(await popup.title(), "Allow Access?");
    await Promise.all([popup.waitForEvent("load"), popup.getByRole("button", { name: "Allow" }).click()]);
    assert.match((await popup.textContent("body")) ?? "", /Connected to Salesforce/);

    const settings = await stored();
    assert.equal(setting(settings, "AUTH_METHOD")?.value, "REFRESH_TOKEN");
    assert.ok(setting(settings, "OAUTH_REFRESH_TOKEN")?.encryptedValue, "a refresh token, sealed");
    await p.goto(page);
    assert.equal(await p.getByLabel("Authentication Method").inputValue(), "REFRESH_TOKEN");
    assert.match((await p.locator("#f-OAUTH_REFRESH_TOKEN-hint").textContent()) ?? "", /^Set/);
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Test connection" }).click()]);
    assert.match((await p.getByRole("status").first().textContent()) ?? "", /Test connection succeeded/);
  });

  it("uses the JWT bearer flow with a signing key pair Portico holds", async () => {
    const certificate = (
      await bench.server.request("GET", `${api}/keyPairs/signing/default-signing/certificate`)
    ).body;
    await sf.control("PUT", "/connected-app", { jwtCertificate: certificate });
    const p = await (await bench.context()).newPage();
    await bench.signIn(p);
    await p.goto(page);
    await p.getByLabel("Authentication Method").selectOption("JWT_BEARER");
    await p.getByLabel("JWT Username").fill(sf.org.adminUsername);
    await p.getByLabel("JWT Signing Certificate").selectOption("default-signing");
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Save" }).click()]);
    assert.equal(setting(await stored(), "JWT_SIGNING_CERTIFICATE")?.value, "default-signing");
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Test connection" }).click()]);
    const result = (await p.getByRole("status").first().textContent()) ?? "";
    assert.match(result, /Test connection succeeded/);
    assert.match(result, /JWT bearer/);
    assert.match(result, /JWT certificate\s*default-signing/);
  });

  it("shows an auditor the target without change buttons, and refuses a posted form", async () => {
    const p = await (await bench.context()).newPage();
    await bench.signIn(p, "audrey", "auditor-password-123");
    await p.goto(page);
    assert.equal(await p.getByRole("button", { name: "Save" }).count(), 0);
    assert.equal(await p.getByRole("button", { name: "Test connection" }).count(), 0);
    const before = await stored();
    const token = await p.locator("input[name=_csrf]").first().inputValue();
    for (const action of ["target", "test", "connect"]) {
      const posted = await p.request.post(`${page}/${action}`, {
        form: { _csrf: token, SALESFORCE_DOMAIN: "evil.example.com" },
        maxRedirects: 0,
      });
      assert.equal(posted.status(), 403, action);
    }
    assert.deepEqual(await stored(), before);
  });

  it("has no serious or critical accessibility violation, with a test result shown", async () => {
    const p = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(p);
    await p.goto(page);
    assert.deepEqual(await bench.axe(p), []);
    await Promise.all([p.waitForEvent("load"), p.getByRole("button", { name: "Test connection" }).click()]);
    assert.deepEqual(await bench.axe(p), []);
  });
});
