import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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

  it("SP-initiated over HTTP-Redirect: Salesforce's signed AuthnRequest, answered to its ACS with InResponseTo", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(
      `${federation.emulatorUrl}/saml/login?so=${federation.org.orgId15}&startURL=${encodeURIComponent("/001/o")}`,
    );
    assert.ok(page.url().startsWith(`${federation.porticoUrl}/idp/SSO.saml2?SAMLRequest=`), page.url());
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill(federation.userPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    const validation = await lastValidation();
    assert.equal(validation.status, "Success");
    assert.match(validation.inResponseTo ?? "", /^_2CAAAA/, "answers Salesforce's own request ID");

    // The SSO session at Portico now serves the next request without a password.
    await page.goto(`${federation.emulatorUrl}/saml/login?so=${federation.org.orgId15}`);
    await page.waitForURL(
      (url) => url.href.startsWith(federation.emulatorUrl) && !url.href.includes("/saml/login"),
    );
    assert.equal((await lastValidation()).status, "Success");

    // SP-initiated single logout: Salesforce's logout link ends Portico's session too.
    await page.goto(`${federation.emulatorUrl}/secur/logout.jsp`);
    await page.waitForLoadState("load");
    const logouts =
      await federation.emulatorJson<{ direction?: string; status?: string }[]>("/_emulator/sso/logouts");
    assert.ok(logouts.length > 0, "the emulator saw the logout");
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    assert.equal(await page.title(), "Sign in", "Portico's session ended with Salesforce's");
    await context.close();
  });

  it("IdP-initiated single logout signs the user out of Portico and of the org", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill(federation.userPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    const sessionsBefore = await federation.emulatorJson<unknown[]>("/_emulator/sso/sessions");
    await page.goto(`${federation.porticoUrl}/idp/startSLO.ping`);
    await page.waitForURL((url) => url.href.startsWith(`${federation.porticoUrl}/idp/SLO.saml2`));
    assert.equal(await page.title(), "Signed out");
    assert.match((await page.textContent("body")) ?? "", /signed out of Portico and of the applications/);
    const sessionsAfter = await federation.emulatorJson<unknown[]>("/_emulator/sso/sessions");
    assert.equal(sessionsAfter.length, sessionsBefore.length - 1, "the org's session ended");
    await context.close();
  });
});

describe("login CSRF in Chromium", () => {
  let federation: Federation;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let hostile: Server;
  let hostileUrl = "";
  let attackerForm = "";
  before(async () => {
    federation = await startFederation();
    browser = await launchBrowser();
    await federation.portico.request("POST", "/directory/users", {
      uid: "mallory",
      password: "mallory-password-1",
      mail: "mallory@evil.test",
    });
    // The attacker opens a sign-in form in their own browser and puts it, filled in with their
    // own account, on a page of theirs that submits itself.
    const page = await fetch(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    const resume = /name="resume" value="([^"]*)"/.exec(await page.text())?.[1] ?? "";
    attackerForm = `<!doctype html><title>Win a prize</title>
      <form id="f" method="post" action="${federation.porticoUrl}/idp/login">
        <input type="hidden" name="resume" value="${resume}">
        <input type="hidden" name="username" value="mallory">
        <input type="hidden" name="password" value="mallory-password-1">
      </form><script>document.getElementById("f").submit()</script>`;
    hostile = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end(attackerForm);
    });
    await new Promise<void>((resolve) => hostile.listen(0, "localhost", resolve));
    hostileUrl = `http://localhost:${(hostile.address() as AddressInfo).port}/`;
  });
  after(async () => {
    hostile?.close();
    await browser?.dispose();
    await federation?.dispose();
  });

  it("a hostile page cannot sign the victim's browser into the attacker's account", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The victim has used Portico before: a form cookie of their own is in the browser.
    await page.goto(`${federation.porticoUrl}/idp/login`);
    await page.goto(hostileUrl);
    await page.waitForURL((url) => url.href.startsWith(`${federation.porticoUrl}/idp/login`));
    assert.equal(await page.title(), "Sign-in refused");
    const cookies = await context.cookies(federation.porticoUrl);
    assert.ok(!cookies.some((c) => c.name === "PORTICO_SSO"), "no SSO session was started");
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    assert.equal(await page.title(), "Sign in", "the victim's next SSO asks the victim to sign in");
    await context.close();
  });
});

describe("SP-initiated sign-in over HTTP-POST in Chromium", () => {
  let federation: Federation;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  before(async () => {
    federation = await startFederation({ requestBinding: "HTTP-POST" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.dispose();
    await federation?.dispose();
  });

  it("verifies the enveloped signature of a POSTed AuthnRequest and signs the user in", async () => {
    const page = await browser.newPage();
    await page.goto(`${federation.emulatorUrl}/saml/login?so=${federation.org.orgId15}`);
    await page.waitForURL((url) => url.href.startsWith(`${federation.porticoUrl}/idp/SSO.saml2`));
    assert.equal(await page.title(), "Sign in");
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill(federation.userPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    const validation = await federation.emulatorJson<Validation>("/_emulator/sso/validations/last");
    assert.equal(validation.status, "Success");
    assert.match(validation.inResponseTo ?? "", /^_2CAAAA/);
  });
});
