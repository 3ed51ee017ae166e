import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser } from "../support/browser.ts";
import { type Federation, startFederation } from "../support/federation.ts";

type Validation = { status: string; success: boolean; username?: string; inResponseTo?: string };

describe("sign-in to the emulated Salesforce org in Chromium", () => {
  let federation: Federation;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  before(async () => {
    federation = await startFederation();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.dispose();
    await federation?.dispose();
  });

  const lastValidation = () => federation.emulatorJson<Validation>("/_emulator/sso/validations/last");

  it("IdP-initiated: sign in at Portico and land in Salesforce as the org's user", async () => {
    const page = await browser.newPage();
    const start = `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}&TargetResource=${encodeURIComponent("/lightning/page/home")}`;
    await page.goto(start);
    assert.equal(await page.title(), "Sign in");
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill(federation.userPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    const text = await page.textContent("body");
    assert.match(text ?? "", new RegExp(federation.org.adminUsername.replace(/[.]/g, "\\.")));
    const validation = await lastValidation();
    assert.equal(validation.status, "Success");
    assert.equal(validation.username, federation.org.adminUsername);
    await page.close();
  });

  it("works without JavaScript: the Continue button posts the response", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill(federation.userPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    assert.equal((await lastValidation()).status, "Success");
    await context.close();
  });

  it("shows a wrong password as an error on the form, not a sign-in", async () => {
    const page = await browser.newPage();
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /username or password is incorrect/);
    assert.ok(page.url().startsWith(federation.porticoUrl));
    await page.close();
  });
});
