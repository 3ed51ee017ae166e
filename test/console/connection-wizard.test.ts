import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { makeTestCertificates } from "../support/certificates.ts";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

/**
 * Create Connection in a real browser, tab by tab as the seed walks it: Connection Template
 * (Salesforce Provisioner, the SAMLSP metadata file), Connection Type, Connection Options, General
 * Info, Outbound Provisioning, Activation & Summary. Each tab says what is missing; nothing is
 * stored before Save; a bad metadata file says why.
 */
const metadata = (name: string) => new URL(`../fixtures/metadata/${name}`, import.meta.url).pathname;
const salesforceMetadata = metadata("SAMLSP-0LE5g000000CaJx.xml");
// biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
const mailFilter = "(mail=${mail})";

describe("console Create Connection wizard", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  let certificates: string | undefined;
  let spCertificate = "";
  const shots = process.env.CONSOLE_SHOTS;
  const look = async (page: Page, name: string) => {
    if (shots) await page.screenshot({ path: `${shots}/wizard-${name}.png`, fullPage: true });
    assert.deepEqual(await bench.axe(page), [], name);
  };
  const connections = async () =>
    ((await bench.server.request("GET", `${api}/idp/spConnections`)).json() as { items: SpConnection[] })
      .items;
  const heading = (page: Page) => page.getByRole("heading", { level: 2 }).first().textContent();
  const startWith = async (page: Page, file: string) => {
    await page.goto("/console/connections");
    await page.getByRole("link", { name: "Create Connection" }).click();
    await page.getByLabel("Use a template for this connection").check();
    await page.getByLabel("Connection Template").selectOption({ label: "Salesforce Provisioner" });
    await page.getByLabel("Metadata File").setInputFiles(file);
    await page.getByRole("button", { name: "Next" }).click();
  };

  before(async () => {
    bench = await startConsole();
    await bench.addAuditor();
    const store = await bench.server.request("POST", `${api}/dataStores`, {
      type: "LDAP",
      id: "hr-ldap",
      name: "HR Directory",
      ldapType: "PING_DIRECTORY",
      hostnames: ["ldap.hr.example.com"],
      userDN: "cn=Portico,ou=services,dc=hr,dc=example,dc=com",
      password: "a-bind-password",
    });
    assert.equal(store.statusCode, 201, store.body);
    certificates = await mkdtemp(join(tmpdir(), "portico-wizard-"));
    await makeTestCertificates(certificates, "DNS:acme.my.salesforce.com");
    spCertificate = join(certificates, "server.pem");
  });
  after(async () => {
    await bench?.dispose();
    if (certificates) await rm(certificates, { recursive: true, force: true });
  });

  it("creates a Salesforce connection from its metadata file, through every tab, and saves it active", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await page.getByRole("link", { name: "Create Connection" }).click();
    assert.equal(await heading(page), "Connection Template");
    await look(page, "1-template");
    await startWith(page, salesforceMetadata);

    assert.equal(await heading(page), "Connection Type");
    assert.match(
      (await page.getByRole("status").textContent()) ?? "",
      /Read the metadata of https:\/\/acme\.my\.salesforce\.com/,
    );
    assert.equal(await page.getByLabel("Browser SSO Profiles").isChecked(), true);
    assert.equal(await page.getByLabel("Outbound Provisioning").isChecked(), true);
    await look(page, "2-type");
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "Connection Options");
    await page.getByLabel("Salesforce Just-in-Time provisioning").check();
    await page.getByRole("button", { name: "Next" }).click();
    assert.match(
      (await page.locator("#f-profile-error").textContent()) ?? "",
      /enter the profile/,
      "JIT without a profile says what is missing",
    );
    await page.getByLabel("Profile for new users").fill("Standard User");
    await look(page, "3-options-error");
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "General Info");
    assert.equal(
      await page.getByLabel("Partner's Entity ID (Connection ID)").inputValue(),
      "https://acme.my.salesforce.com",
      "from the metadata",
    );
    await page.getByLabel("Connection Name").fill("Acme Salesforce");
    await page.getByLabel("Virtual Server IDs").fill("urn:acme:pf");
    await page.getByLabel("Contact Email").fill("idm@acme.example.com");
    await page.getByLabel("Transaction Logging").selectOption({ label: "Enhanced" });
    await look(page, "4-general");
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "Browser SSO");
    // The seed: Edit the community's ACS row, tick Default, Update.
    await page.getByRole("link", { name: /^Edit ACS https:\/\/acme\.my\.site\.com/ }).click();
    await page.getByLabel("Default (row 2)").check();
    await look(page, "6-browser-sso-acs-edit");
    await page.getByRole("button", { name: "Update" }).click();
    assert.match((await page.getByRole("status").textContent()) ?? "", /Updated the ACS URL/);
    const acsRows = page.getByRole("table", { name: "Assertion Consumer Service URL" }).getByRole("row");
    assert.match((await acsRows.nth(2).textContent()) ?? "", /^Default/, "the community URL is the default");
    assert.doesNotMatch((await acsRows.nth(1).textContent()) ?? "", /Default/, "and only it");
    // An LDAP attribute source, kept in the draft like the rest.
    await page.getByLabel(/^Attribute Source ID/).fill("hr");
    await page.getByLabel("LDAP Data Store").selectOption({ label: "HR Directory" });
    await page.getByLabel(/^Base DN/).fill("ou=people,dc=hr,dc=example,dc=com");
    await page.getByLabel(/^Search Filter/).fill(mailFilter);
    await page.getByLabel(/^Attributes to return/).fill("departmentNumber");
    await page.getByRole("button", { name: "Add attribute source" }).click();
    assert.match((await page.getByRole("status").textContent()) ?? "", /Added the attribute source "hr"/);
    await page.getByLabel("IdP-Initiated SSO").uncheck();
    await page.getByLabel("SP-Initiated SSO").uncheck();
    await page.getByRole("button", { name: "Next" }).click();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /at least one SSO profile/);
    await page.getByLabel("IdP-Initiated SSO").check();
    await page.getByLabel("SP-Initiated SSO").check();
    const added = page.locator("input[name=attrName]").last();
    await added.fill("User.Department");
    await page.locator("select[name=attrSource]").last().selectOption({ label: "LDAP (hr)" });
    await page.locator("input[name=attrValue]").last().fill("departmentNumber");
    await look(page, "6-browser-sso");
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "Credentials");
    await page.getByLabel("Signing Certificate").selectOption("default-signing");
    await page.getByLabel("Include the certificate in the signature <KeyInfo> element").check();
    await page.getByLabel(/^Verification Certificate/).setInputFiles(spCertificate);
    await page.getByRole("button", { name: "Upload certificate" }).click();
    assert.match(
      (await page.getByRole("table", { name: "The SP's certificates" }).textContent()) ?? "",
      /SelfSignedCert.*primary verification.*Portico test server.*secondary verification/s,
      "next to the certificate from the metadata",
    );
    await look(page, "7-credentials");
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "Outbound Provisioning");
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "Activation & Summary");
    assert.equal(
      await page.locator("#sso-endpoint").textContent(),
      "https://idp.example.com/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Facme.my.salesforce.com",
    );
    const main = (await page.locator("main").textContent()) ?? "";
    assert.match(main, /Acme Salesforce/);
    assert.match(main, /User\.ProfileId/);
    assert.match(main, /acme\.my\.site\.com\/customers/, "the community ACS from the metadata");
    assert.equal(await page.getByLabel("Active", { exact: true }).isChecked(), true, "on by default");
    await look(page, "5-activation");
    const [certificate] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download the IdP certificate" }).click(),
    ]);
    assert.match(readFileSync(await certificate.path(), "utf8"), /^-----BEGIN CERTIFICATE-----/);
    assert.equal((await connections()).length, 0, "nothing is stored before Save");
    await page.getByRole("button", { name: "Save" }).click();

    const [saved] = await connections();
    assert.ok(saved);
    await page.waitForURL(new RegExp(`/console/connections/${saved.id}/general$`));
    assert.match(
      (await page.getByRole("status").textContent()) ?? "",
      /Saved the connection "Acme Salesforce" \(active\)/,
    );
    assert.equal(
      await page.getByLabel("Connection Name").inputValue(),
      "Acme Salesforce",
      "the new connection's own tabs",
    );
    assert.equal(
      await page
        .getByRole("navigation", { name: "Connection tabs" })
        .getByRole("link", { name: "General Info" })
        .getAttribute("aria-current"),
      "page",
    );
    await look(page, "8-saved");
    assert.equal(saved.active, true);
    assert.equal(saved.name, "Acme Salesforce");
    assert.deepEqual(saved.virtualEntityIds, ["urn:acme:pf"]);
    assert.equal(saved.defaultVirtualEntityId, "urn:acme:pf");
    assert.equal(saved.contactInfo?.email, "idm@acme.example.com");
    assert.equal(saved.loggingMode, "ENHANCED");
    assert.equal(saved.outboundProvision?.type, "SalesforceProvisioner");
    assert.deepEqual(
      saved.spBrowserSso?.ssoServiceEndpoints.map((e) => [e.index, e.isDefault]),
      [
        [0, false],
        [1, true],
      ],
    );
    assert.equal(saved.credentials?.signingSettings?.includeCertInSignature, true);
    assert.deepEqual(
      saved.spBrowserSso?.adapterMappings[0]?.attributeContractFulfillment["User.Department"],
      {
        source: { type: "LDAP_DATA_STORE", id: "hr" },
        value: "departmentNumber",
      },
    );
    assert.equal(saved.spBrowserSso?.adapterMappings[0]?.attributeSources?.[0]?.searchFilter, mailFilter);
    assert.equal(saved.credentials?.certs?.length, 2, "the metadata's certificate and the uploaded one");
    assert.equal(
      saved.spBrowserSso?.adapterMappings[0]?.attributeContractFulfillment["User.ProfileId"]?.value,
      "Standard User",
    );
    await page.goBack();
    assert.match(
      (await page.locator("main").textContent()) ?? "",
      /no longer being edited/,
      "a saved draft is gone",
    );
  });

  it("says why a bad metadata file is refused, next to the file", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await startWith(page, metadata("no-acs.xml"));
    assert.equal(await heading(page), "Connection Template");
    assert.match((await page.locator("#f-metadata-error").textContent()) ?? "", /AssertionConsumerService/);
    await look(page, "1-template-error");
    await startWith(page, metadata("xxe-external-entity.xml"));
    assert.match((await page.locator("#f-metadata-error").textContent()) ?? "", /DOCTYPE|entit/i);
    await startWith(
      page,
      new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url).pathname,
    );
    assert.match((await page.locator("#f-metadata-error").textContent()) ?? "", /SAML_METADATA|XML/);
    assert.equal((await connections()).length, 1, "nothing more stored");
  });

  it("says what each tab is missing, and opens no tab before the ones it needs", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await startWith(page, salesforceMetadata);
    const typeUrl = page.url();
    await page.goto(typeUrl.replace(/\/type$/, "/activation"));
    assert.equal(await heading(page), "Connection Type", "sent back to the first tab not done");
    assert.match((await page.getByRole("status").textContent()) ?? "", /Complete Connection Type first/);

    await page.getByLabel("Browser SSO Profiles").uncheck();
    await page.getByLabel("Outbound Provisioning").uncheck();
    await page.getByRole("button", { name: "Next" }).click();
    assert.match(
      (await page.getByRole("alert").textContent()) ?? "",
      /choose Browser SSO Profiles, Outbound Provisioning, or both/,
    );
    await page.getByLabel("Browser SSO Profiles").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();

    assert.equal(await heading(page), "General Info");
    assert.doesNotMatch(
      (await page.getByRole("navigation", { name: "Connection tabs" }).textContent()) ?? "",
      /Outbound Provisioning/,
      "no provisioning tab without the role",
    );
    await page.getByLabel("Connection Name").fill("   ");
    await page.getByLabel("Virtual Server IDs").fill("urn:a\nurn:b");
    await page.getByLabel("Base URL").fill("acme.example.com");
    await page.getByRole("button", { name: "Next" }).click();
    assert.match(
      (await page.locator("#f-entityId-error").textContent()) ?? "",
      /"Acme Salesforce" already uses/,
    );
    assert.match((await page.locator("#f-name-error").textContent()) ?? "", /enter a name/);
    assert.match((await page.locator("#f-defaultVirtualEntityId-error").textContent()) ?? "", /choose which/);
    assert.match((await page.locator("#f-baseUrl-error").textContent()) ?? "", /absolute http\(s\) URL/);
    assert.equal(
      await page.getByLabel("Virtual Server IDs").inputValue(),
      "urn:a\nurn:b",
      "what was typed is kept",
    );

    await page
      .getByLabel("Partner's Entity ID (Connection ID)")
      .fill("https://acme--uat.sandbox.my.salesforce.com");
    await page.getByLabel("Connection Name").fill("Acme UAT");
    await page.getByLabel("Default Virtual Server ID").fill("urn:b");
    await page.getByLabel("Base URL").fill("");
    await page.getByRole("button", { name: "Next" }).click();
    assert.equal(await heading(page), "Browser SSO");
    await page.getByRole("button", { name: "Next" }).click();
    assert.equal(await heading(page), "Credentials");
    await page.getByRole("button", { name: "Next" }).click();
    assert.equal(await heading(page), "Activation & Summary");
    await page.getByLabel("Inactive").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/console\/connections\/[^/]+\/general$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /"Acme UAT" \(inactive\)/);
    const uat = (await connections()).find((c) => c.name === "Acme UAT");
    assert.ok(uat);
    assert.equal(uat.active, false);
    assert.equal(uat.outboundProvision, undefined, "Outbound Provisioning was not chosen");
    assert.equal(uat.defaultVirtualEntityId, "urn:b");
  });

  it("keeps a draft to the session that started it, and refuses auditors", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await startWith(page, salesforceMetadata);
    const draftUrl = page.url();
    const other = await (await bench.context()).newPage();
    await bench.signIn(other);
    const response = await other.goto(draftUrl);
    assert.equal(response?.status(), 404);
    assert.match((await other.locator("main").textContent()) ?? "", /CONSOLE_DRAFT_NOT_FOUND/);

    const auditor = await (await bench.context()).newPage();
    await bench.signIn(auditor, "audrey", "auditor-password-123");
    assert.equal((await auditor.goto("/console/connections/new"))?.status(), 403);
    const _csrf = await auditor.locator("input[name=_csrf]").first().inputValue();
    const posted = await auditor.request.post("/console/connections/new", {
      multipart: {
        _csrf,
        usesTemplate: "yes",
        templateId: "salesforce-provisioner",
        metadata: { name: "m.xml", mimeType: "text/xml", buffer: Buffer.from("<x/>") },
      },
      maxRedirects: 0,
    });
    assert.equal(posted.status(), 403);
  });
});
