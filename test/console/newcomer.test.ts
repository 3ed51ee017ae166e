import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";

/**
 * The newcomer's whole path (issue 10), in one browser, through the console only: sign in; a
 * Salesforce connection from the emulated org's SAMLSP metadata file, tab by tab, with the
 * community ACS made the default and the signing certificate sent in the KeyInfo; the org's
 * client credentials and Test connection; two directory users and a channel on the built-in
 * directory; Refresh Fields and the required fields mapped; activation; the users in the org
 * and on the dashboard; and one of them signing in to the org through Portico.
 *
 * The emulator is only started and read, except for one thing a Salesforce admin does on their
 * side and the emulator has no page for: its Single Sign-On Settings, given the IdP certificate
 * the console offers for download.
 *
 * A screenshot of every step is kept in test-artifacts/console/newcomer/ (the test prints the folder).
 */
const artifacts = new URL("../../test-artifacts/console/newcomer/", import.meta.url).pathname;

type OrgUser = { Username: string; IsActive: boolean; TimeZoneSidKey: string; FirstName: string };
type SsoInfo = { configId: string; communityLoginUrls: { url: string }[] };
type Validation = { status: string; username?: string; redirectTo?: string };

describe("the newcomer's whole path through the console", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  let sf: SalesforceEmulator;
  let step = 0;

  /** A full-page screenshot named for the step, e.g. `07-credentials.png`. */
  const shot = async (page: Page, name: string) => {
    step += 1;
    await page.screenshot({
      path: `${artifacts}${String(step).padStart(2, "0")}-${name}.png`,
      fullPage: true,
    });
  };
  /** A wizard tab done: its screenshot, then Next. */
  const shotAndNext = async (page: Page, name: string) => {
    await shot(page, name);
    await submit(page, "Next");
  };
  const heading = (page: Page) => page.getByRole("heading", { level: 2 }).first().textContent();
  const notice = async (page: Page) => (await page.getByRole("status").first().textContent()) ?? "";
  const submit = async (page: Page, name: string) => {
    await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name, exact: true }).click()]);
  };
  const orgUsers = async () =>
    (await sf.control<{ records: OrgUser[] }>("GET", "/records/User")).records.filter((u) =>
      u.Username.endsWith("@newcomer.example.com"),
    );
  const people = [
    { uid: "ada", givenName: "Ada", sn: "Lovelace", password: "ada-password-123" },
    { uid: "alan", givenName: "Alan", sn: "Turing", password: "alan-password-123" },
  ];

  before(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    sf = await startSalesforceEmulator();
    bench = await startConsole({ runtime: true, provisioning: true });
  });
  after(async () => {
    await bench?.dispose();
    await sf?.close();
  });

  it("signs in, connects the org from its metadata, provisions two people and signs one in to the org", async (t) => {
    t.diagnostic(`screenshots of each step: ${artifacts}`);
    const runtimeUrl = bench.runtimeUrl ?? "";
    const sso = await sf.control<SsoInfo>("GET", "/sso");
    const communityAcs = sso.communityLoginUrls[0]?.url ?? "";
    assert.ok(communityAcs, "the emulated org has an Experience Cloud site");
    // The file the Salesforce admin downloads from Single Sign-On Settings.
    const metadataFile = {
      name: `SAMLSP-${sso.configId}.xml`,
      mimeType: "application/samlmetadata+xml",
      buffer: Buffer.from(
        await (await fetch(`${sf.url}/identity/saml/metadata/SAMLSP-${sso.configId}.xml`)).text(),
      ),
    };
    const page = await (await bench.context()).newPage();
    await page.setViewportSize({ width: 1280, height: 800 });

    // 1. Sign in.
    await bench.signIn(page);
    assert.match(await page.title(), /Portico/);
    await shot(page, "signed-in");

    // 2. A Salesforce connection from the metadata file, through every tab.
    await page.getByRole("link", { name: "SP Connections", exact: true }).click();
    await page.getByRole("link", { name: "Create Connection" }).click();
    assert.equal(await heading(page), "Connection Template");
    await page.getByLabel("Use a template for this connection").check();
    await page.getByLabel("Connection Template").selectOption({ label: "Salesforce Provisioner" });
    await page.getByLabel("Metadata File").setInputFiles(metadataFile);
    await shotAndNext(page, "connection-template");

    assert.equal(await heading(page), "Connection Type");
    assert.match(await notice(page), new RegExp(`Read the metadata of ${sf.url}`));
    assert.equal(await page.getByLabel("Browser SSO Profiles").isChecked(), true);
    assert.equal(await page.getByLabel("Outbound Provisioning").isChecked(), true);
    await shotAndNext(page, "connection-type");

    assert.equal(await heading(page), "Connection Options");
    await shotAndNext(page, "connection-options");

    assert.equal(await heading(page), "General Info");
    assert.equal(await page.getByLabel("Partner's Entity ID (Connection ID)").inputValue(), sf.url);
    await page.getByLabel("Connection Name").fill("Newcomer org");
    await shotAndNext(page, "general-info");

    // 3. The community ACS becomes the default.
    assert.equal(await heading(page), "Browser SSO");
    const acsRows = page.getByRole("table", { name: "Assertion Consumer Service URL" }).getByRole("row");
    assert.match((await acsRows.nth(1).textContent()) ?? "", /^Default/, "the org's URL comes first");
    await page.getByRole("link", { name: `Edit ACS ${communityAcs}` }).click();
    await page.getByLabel("Default (row 2)").check();
    await shot(page, "browser-sso-acs-edit");
    await submit(page, "Update");
    assert.match(await notice(page), /Updated the ACS URL/);
    assert.match((await acsRows.nth(2).textContent()) ?? "", /^Default/, "the community URL is the default");
    assert.doesNotMatch((await acsRows.nth(1).textContent()) ?? "", /Default/, "and only it");
    await shotAndNext(page, "browser-sso");

    // 4. The signing certificate, sent in the KeyInfo.
    assert.equal(await heading(page), "Credentials");
    await page.getByLabel("Signing Certificate").selectOption("default-signing");
    await page.getByLabel("Include the certificate in the signature <KeyInfo> element").check();
    await shotAndNext(page, "credentials");

    assert.equal(await heading(page), "Outbound Provisioning");
    await shotAndNext(page, "outbound-provisioning");

    assert.equal(await heading(page), "Activation & Summary");
    const summary = (await page.locator("main").textContent()) ?? "";
    assert.ok(summary.includes("/customers/login"), "the summary lists the community ACS");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download the IdP certificate" }).click(),
    ]);
    const idpCertificate = readFileSync(await download.path(), "utf8");
    assert.match(idpCertificate, /^-----BEGIN CERTIFICATE-----/);
    await shot(page, "activation-summary");
    await submit(page, "Save");
    // Save opens the new connection on its own tabs.
    await page.waitForURL(/\/console\/connections\/[^/]+\/general$/);
    assert.match(await notice(page), /Saved the connection "Newcomer org" \(active\)/);
    await shot(page, "connection-saved");

    // The Salesforce admin's half: Portico as the org's identity provider, with its certificate.
    await sf.control("PUT", "/sso", {
      issuer: runtimeUrl,
      idpCertificate,
      identityType: "Username",
      idpLoginUrl: `${runtimeUrl}/idp/SSO.saml2`,
    });

    // 5. Target credentials for the org, and Test connection.
    await page
      .getByRole("navigation", { name: "Connection tabs" })
      .getByRole("link", { name: "Outbound Provisioning" })
      .click();
    assert.match((await page.getByRole("heading", { level: 1 }).textContent()) ?? "", /^Target/);
    await page.getByLabel("Salesforce Domain").fill(sf.url);
    await page.getByLabel("Authentication Method").selectOption("CLIENT_CREDENTIALS");
    await page.getByLabel(/^Client ID/).fill(sf.org.clientId);
    await page.getByLabel("Client Secret", { exact: true }).fill(sf.org.clientSecret);
    await submit(page, "Save");
    assert.equal(await notice(page), "Target saved.");
    await submit(page, "Test connection");
    const tested = await notice(page);
    assert.match(tested, /Test connection succeeded/);
    assert.ok(tested.includes(sf.org.orgId), "it names the org");
    await shot(page, "target-tested");

    // 6. Two people in the built-in directory, in a group, and a channel on that group.
    await page.getByRole("link", { name: "Directory", exact: true }).click();
    const groupForm = page.locator("#create-group");
    await groupForm.getByLabel("Group name (cn)").fill("salesforce-users");
    await submit(page, "Create group");
    assert.match(await notice(page), /Group "salesforce-users" created/);
    for (const person of people) {
      await page.getByRole("link", { name: "Directory", exact: true }).click();
      await page.getByRole("link", { name: "Create user" }).click();
      await page.getByLabel("User ID (uid)").fill(person.uid);
      await page.getByLabel("First name").fill(person.givenName);
      await page.getByLabel("Last name").fill(person.sn);
      await page.getByLabel("Email (mail)").fill(`${person.uid}@newcomer.example.com`);
      await page.getByLabel("Password").fill(person.password);
      await page.getByRole("checkbox", { name: "salesforce-users" }).check();
      await submit(page, "Create user");
      assert.match(await notice(page), new RegExp(`User "${person.uid}" created`));
    }
    await page.getByRole("link", { name: "Directory", exact: true }).click();
    await shot(page, "directory");

    await page.getByRole("link", { name: "SP Connections", exact: true }).click();
    await page.getByRole("link", { name: "Provisioning of Newcomer org" }).click();
    await page.getByRole("link", { name: "Manage Channels" }).click();
    await page.getByRole("link", { name: "Create Channel" }).click();
    assert.equal(await page.getByLabel("Source (data store)").inputValue(), "builtin");
    await page.getByLabel(/^Channel Name/).fill("staff");
    await page.getByLabel("Users Group DN").fill("cn=salesforce-users");
    await shot(page, "channel");
    await submit(page, "Create channel");
    assert.match(await notice(page), /created, inactive/);

    // 7. Refresh Fields; every required field is mapped, one of them to a value of our own.
    await submit(page, "Refresh Fields");
    assert.match(await notice(page), /Fields refreshed from Salesforce: \d+ User fields/);
    const mapping = page.getByRole("table", { name: "Attribute Mapping" }).getByRole("row");
    const required = mapping.filter({ hasText: "(required)" });
    assert.ok((await required.count()) >= 5, "Salesforce's required fields are marked");
    for (const row of await required.all())
      assert.doesNotMatch((await row.textContent()) ?? "", /not mapped/i, (await row.textContent()) ?? "");
    await page.getByRole("link", { name: "Edit TimeZoneSidKey" }).click();
    await page.getByLabel("Default Value").selectOption("Europe/London");
    await submit(page, "Save mapping");
    assert.match(await notice(page), /Mapping of TimeZoneSidKey saved/);
    await shot(page, "attribute-mapping");

    // 8. Activate.
    await page.getByLabel("Active", { exact: true }).check();
    await submit(page, "Save status");
    assert.match(await notice(page), /Channel "staff" is active/);
    await shot(page, "channel-active");

    // 9. The people appear in the org, and on the dashboard: provisioning in the background picks
    // the channel up within seconds (a minute at most on a loaded machine).
    for (let i = 0; i < 300 && (await orgUsers()).length < people.length; i++) await page.waitForTimeout(200);
    const provisioned = await orgUsers();
    assert.deepEqual(
      provisioned.map((u) => [u.Username, u.FirstName, u.IsActive, u.TimeZoneSidKey]).sort(),
      people.map((p) => [`${p.uid}@newcomer.example.com`, p.givenName, true, "Europe/London"]),
    );
    await page.getByRole("link", { name: "Provisioning", exact: true }).click();
    const card = page.getByRole("region", { name: "Newcomer org · staff" });
    // The page updates itself: it may open before the cycle has recorded its last user.
    await card
      .locator("dl.counts")
      .filter({ hasText: /Active\s*2/ })
      .waitFor();
    assert.match((await card.textContent()) ?? "", /Last cycle.*CREATE 2/s);
    await shot(page, "dashboard");

    // 10. Ada signs in to the org through Portico, at the SSO Application Endpoint the console shows.
    await page.getByRole("link", { name: "SP Connections", exact: true }).click();
    await page.getByRole("link", { name: "Newcomer org", exact: true }).click();
    await page
      .getByRole("navigation", { name: "Connection tabs" })
      .getByRole("link", { name: "Activation & Summary" })
      .click();
    const endpoint = (await page.locator("#sso-endpoint").textContent()) ?? "";
    assert.ok(endpoint.startsWith(`${runtimeUrl}/idp/startSSO.ping?PartnerSpId=`), endpoint);
    await page.goto(endpoint);
    assert.equal(await page.title(), "Sign in");
    const [ada] = people;
    assert.ok(ada);
    await page.getByLabel("Username").fill(ada.uid);
    await page.getByLabel("Password").fill(ada.password);
    await shot(page, "portico-sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(`${sf.url}/customers/login`));
    assert.equal(await page.title(), "Signed in");
    assert.equal(await page.locator("#username").textContent(), "ada@newcomer.example.com");
    const validation = await sf.control<Validation>("GET", "/sso/validations/last");
    assert.equal(validation.status, "Success");
    assert.equal(validation.username, "ada@newcomer.example.com");
    assert.equal(validation.redirectTo, `${sf.url}/customers/s/`, "the site's landing page");
    await shot(page, "signed-in-to-org");
  });
});
