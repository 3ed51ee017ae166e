import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { ldapAttributeSources } from "../../src/services/sso/attribute-sources.ts";
import { makeTestCertificates } from "../support/certificates.ts";
import { auditor, type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

/**
 * An existing connection in a real browser: it opens on PingFederate's tabs by their names, each
 * tab's Save stores the whole connection through the admin API's update (so a refused change
 * leaves it as it was), and an auditor can look but not save.
 */
const fixture = (): SpConnection =>
  JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  );

// biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
const uidFilter = "(uid=${uid})";

describe("console connection tabs", { timeout: 240_000 }, () => {
  let bench: ConsoleBench;
  const shots = process.env.CONSOLE_SHOTS;
  const look = async (page: Page, name: string) => {
    if (shots) await page.screenshot({ path: `${shots}/tabs-${name}.png`, fullPage: true });
    assert.deepEqual(await bench.axe(page), [], name);
  };
  const stored = async () =>
    (await bench.server.request("GET", `${api}/idp/spConnections/sfprod`)).json() as SpConnection;
  const appliedSources = (c: SpConnection) => c.spBrowserSso?.adapterMappings[0]?.attributeSources ?? [];
  const tab = (page: Page, name: string) =>
    page
      .getByRole("navigation", { name: "Connection tabs" })
      .getByRole("link", { name, exact: true })
      .click();

  before(async () => {
    bench = await startConsole();
    const key = await bench.server.request("POST", `${api}/keyPairs/signing/generate`, {
      id: "sig1",
      commonName: "idp.acme.example",
    });
    assert.equal(key.statusCode, 201, key.body);
    const created = await bench.server.request("POST", `${api}/idp/spConnections`, fixture());
    assert.equal(created.statusCode, 201, created.body);
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
    await bench.addAuditor();
  });
  after(async () => bench?.dispose());

  it("opens on General Info, Browser SSO, Credentials, Outbound Provisioning, Activation & Summary, and saves each", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await page.getByRole("link", { name: "Salesforce Production", exact: true }).click();
    const names = await page
      .getByRole("navigation", { name: "Connection tabs" })
      .getByRole("link")
      .allTextContents();
    assert.deepEqual(names, [
      "General Info",
      "Browser SSO",
      "Credentials",
      "Outbound Provisioning",
      "Activation & Summary",
    ]);
    assert.equal(await page.getByLabel("Connection Name").inputValue(), "Salesforce Production");
    await look(page, "general");
    await page.getByLabel("Connection Name").fill("Salesforce Production (EU)");
    await page.getByRole("button", { name: "Save" }).click();
    assert.match((await page.getByRole("status").textContent()) ?? "", /Saved General Info/);
    assert.equal((await stored()).name, "Salesforce Production (EU)");

    await tab(page, "Browser SSO");
    await look(page, "browser-sso");
    await page.getByRole("link", { name: /^Edit ACS https:\/\/acme\.my\.salesforce\.com/ }).click();
    await page.getByLabel("Endpoint URL (row 1)").fill("javascript:alert(1)");
    await page.getByRole("button", { name: "Update" }).click();
    assert.match((await page.locator("main").textContent()) ?? "", /absolute http\(s\) URL/);
    assert.equal(
      (await stored()).spBrowserSso?.ssoServiceEndpoints[0]?.url,
      "https://acme.my.salesforce.com?so=00D000000000001",
      "untouched",
    );
    await page.getByLabel("Endpoint URL (row 1)").fill("https://acme.my.salesforce.com?so=00D000000000001");
    await page.getByLabel("Default (row 1)").check();
    await page.getByRole("button", { name: "Update" }).click();
    assert.deepEqual(
      (await stored()).spBrowserSso?.ssoServiceEndpoints.map((e) => e.isDefault),
      [true, false],
      "the org URL is the default now",
    );
    await page.getByLabel("Minutes After").fill("10");
    await page.getByRole("button", { name: "Save" }).click();
    assert.match((await page.getByRole("status").textContent()) ?? "", /Saved Browser SSO/);
    assert.equal((await stored()).spBrowserSso?.assertionLifetime.minutesAfter, 10);

    await tab(page, "Credentials");
    await look(page, "credentials");
    await page.getByLabel("Include the certificate in the signature <KeyInfo> element").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    assert.equal((await stored()).credentials?.signingSettings?.includeCertInSignature, false);

    await tab(page, "Outbound Provisioning");
    await page.waitForURL(/\/connections\/sfprod\/provisioning$/);
    assert.match((await page.getByRole("heading", { level: 1 }).textContent()) ?? "", /Target/);

    await page.goto("/console/connections/sfprod/activation");
    assert.match(
      (await page.locator("#sso-endpoint").textContent()) ?? "",
      /startSSO\.ping\?PartnerSpId=https%3A%2F%2Facme\.my\.salesforce\.com$/,
    );
    await look(page, "activation");
    await page.getByLabel("Inactive").check();
    await page.getByRole("button", { name: "Save" }).click();
    assert.match((await page.getByRole("status").textContent()) ?? "", /the connection is inactive/);
    assert.equal((await stored()).active, false);
  });

  it("adds an LDAP attribute source, fills a contract attribute from it, and edits the SLO URLs", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await page.goto("/console/connections/sfprod/browser-sso");
    const add = () => page.getByRole("button", { name: "Add attribute source" }).click();
    await page.getByLabel(/^Attribute Source ID/).fill("hr");
    await page.getByLabel(/^Search Filter/).fill(uidFilter.slice(0, -1));
    // Blanks get past the browser's own check of required fields; the server still says what is missing.
    await page.getByLabel(/^Base DN/).fill("  ");
    await page.getByLabel(/^Attributes to return/).fill(" , ");
    await add();
    assert.match(
      (await page.locator("#f-sourceDataStore-error").textContent()) ?? "",
      /choose the LDAP data store/,
    );
    assert.match((await page.locator("#f-sourceBaseDn-error").textContent()) ?? "", /enter the base DN/);
    assert.ok(await page.locator("#f-sourceFilter-error").isVisible(), "the broken filter is named");
    assert.match(
      (await page.locator("#f-sourceAttributes-error").textContent()) ?? "",
      /list the attributes/,
    );
    assert.match((await page.getByRole("alert").first().textContent()) ?? "", /Base DN/, "summed up above");
    assert.equal(await page.getByLabel(/^Attribute Source ID/).inputValue(), "hr", "as typed");
    await look(page, "browser-sso-source-errors");
    assert.deepEqual(appliedSources(await stored()), [], "nothing stored");

    await page.getByLabel("LDAP Data Store").selectOption({ label: "HR Directory" });
    await page.getByLabel(/^Base DN/).fill("ou=people,dc=hr,dc=example,dc=com");
    await page.getByLabel(/^Search Filter/).fill(uidFilter);
    await page.getByLabel(/^Attributes to return/).fill("title, departmentNumber");
    await add();
    assert.match((await page.getByRole("status").textContent()) ?? "", /Added the attribute source "hr"/);
    assert.match(
      (await page.getByRole("table", { name: "LDAP Attribute Sources" }).textContent()) ?? "",
      /HR Directory.*ou=people,dc=hr,dc=example,dc=com.*\(uid=\$\{uid\}\).*title, departmentNumber/s,
    );
    assert.deepEqual(ldapAttributeSources(await stored()), [
      {
        id: "hr",
        dataStoreId: "hr-ldap",
        baseDn: "ou=people,dc=hr,dc=example,dc=com",
        scope: "sub",
        searchFilter: uidFilter,
        searchAttributes: ["title", "departmentNumber"],
      },
    ]);

    await page.locator("input[name=attrName]").last().fill("title");
    await page.locator("select[name=attrSource]").last().selectOption({ label: "LDAP (hr)" });
    await page
      .getByLabel("Logout URL (SLO row 1)")
      .fill("acme.my.salesforce.com/services/auth/sp/saml2/logout");
    await page.getByRole("button", { name: "Save" }).click();
    const main = (await page.locator("main").textContent()) ?? "";
    assert.match(main, /title: enter the attribute "hr" returns/);
    assert.match(
      main,
      /acme\.my\.salesforce\.com\/services\/auth\/sp\/saml2\/logout: must be an absolute http\(s\) URL/,
    );
    await page
      .getByRole("row")
      .filter({ has: page.locator('input[name=attrName][value="title"]') })
      .locator("input[name=attrValue]")
      .fill("title");
    await page
      .getByLabel("Logout URL (SLO row 1)")
      .fill("https://acme.my.salesforce.com/services/auth/sp/saml2/logout");
    await page.getByLabel("Logout binding (SLO row 1)").selectOption("REDIRECT");
    await look(page, "browser-sso-ldap-slo");
    await page.getByRole("button", { name: "Save" }).click();
    assert.match((await page.getByRole("status").textContent()) ?? "", /Saved Browser SSO/);
    const saved = (await stored()).spBrowserSso;
    assert.deepEqual(saved?.adapterMappings[0]?.attributeContractFulfillment.title, {
      source: { type: "LDAP_DATA_STORE", id: "hr" },
      value: "title",
    });
    assert.deepEqual(saved?.sloServiceEndpoints, [
      { binding: "REDIRECT", url: "https://acme.my.salesforce.com/services/auth/sp/saml2/logout" },
    ]);
    assert.equal(
      await page.getByLabel("Logout binding (SLO row 1)").inputValue(),
      "REDIRECT",
      "shown as stored",
    );

    await page.getByRole("button", { name: "Delete hr" }).click();
    assert.match(
      (await page.locator("main").textContent()) ?? "",
      /"hr" fills title: give it another source first/,
    );
    assert.equal(appliedSources(await stored()).length, 1, "kept while in use");

    await page.getByLabel("Logout URL (SLO row 1)").fill("");
    await page.getByRole("button", { name: "Save" }).click();
    assert.deepEqual((await stored()).spBrowserSso?.sloServiceEndpoints, [], "a cleared row is removed");
  });

  it("uploads the SP's verification certificates (PEM or DER), lists them with subject and expiry, and removes one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "portico-certs-"));
    await makeTestCertificates(dir, "DNS:acme.my.salesforce.com");
    const der = join(dir, "other-ca.der");
    await writeFile(der, new X509Certificate(await readFile(join(dir, "other-ca.pem"))).raw);
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await page.goto("/console/connections/sfprod/credentials");
    const upload = async (file: string) => {
      await page.getByLabel(/^Verification Certificate/).setInputFiles(file);
      await page.getByRole("button", { name: "Upload certificate" }).click();
    };
    const certs = () => page.getByRole("table", { name: "The SP's certificates" });

    await upload(join(dir, "server.key"));
    assert.match((await page.locator("#f-certificate-error").textContent()) ?? "", /holds a private key/);
    await upload(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url).pathname);
    assert.match(
      (await page.locator("#f-certificate-error").textContent()) ?? "",
      /not an X\.509 certificate \(PEM or DER\)/,
    );
    assert.deepEqual((await stored()).credentials?.certs, [], "nothing stored");

    await upload(join(dir, "server.pem"));
    assert.match((await page.getByRole("status").textContent()) ?? "", /Added the verification certificate/);
    await upload(der);
    const expiry = new X509Certificate(await readFile(join(dir, "server.pem"))).validTo;
    const rows = await certs().getByRole("row").allTextContents();
    assert.match(
      rows[1] ?? "",
      new RegExp(
        `CN=Portico test server.*${new Date(expiry).toISOString().slice(0, 10)}.*primary verification`,
      ),
    );
    assert.match(rows[2] ?? "", /CN=Portico test other-ca.*secondary verification/);
    await look(page, "credentials-certs");
    await upload(der);
    assert.match((await page.locator("#f-certificate-error").textContent()) ?? "", /already listed/);
    const uploaded = (await stored()).credentials?.certs ?? [];
    assert.equal(uploaded.length, 2);
    assert.equal(
      new X509Certificate(uploaded[1]?.x509File.fileData ?? "").fingerprint256,
      new X509Certificate(await readFile(der)).fingerprint256,
      "the DER file, stored as the same certificate",
    );

    page.once("dialog", (dialog) => void dialog.accept());
    await certs()
      .getByRole("row", { name: /Portico test server/ })
      .getByRole("button", { name: "Remove" })
      .click();
    await page.waitForURL(/credentials#certs-h$/);
    const left = (await stored()).credentials?.certs ?? [];
    assert.equal(left.length, 1);
    assert.equal(left[0]?.primaryVerificationCert, true, "the secondary becomes the primary");
    assert.match((await certs().textContent()) ?? "", /other-ca.*primary verification/s);
    await rm(dir, { recursive: true, force: true });
  });

  it("lets an auditor read the tabs but not save them, even by posting a form", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, auditor.username, auditor.password);
    await page.goto("/console/connections/sfprod/browser-sso");
    assert.equal(await page.getByRole("button", { name: "Save" }).count(), 0);
    assert.equal(await page.getByRole("link", { name: /^Edit ACS/ }).count(), 0);
    const _csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const posted = await page.request.post("/console/connections/sfprod/general", {
      form: { _csrf, entityId: "https://evil.example", name: "Taken" },
      maxRedirects: 0,
    });
    assert.equal(posted.status(), 403);
    assert.notEqual((await stored()).entityId, "https://evil.example");
    assert.equal(await page.getByRole("button", { name: "Add attribute source" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: /^Delete / }).count(), 0);
    const source = await page.request.post("/console/connections/sfprod/browser-sso/sources", {
      form: { _csrf, op: "delete", sourceId: "hr" },
      maxRedirects: 0,
    });
    assert.equal(source.status(), 403);
    assert.equal(appliedSources(await stored()).length, 1);
    await page.goto("/console/connections/sfprod/credentials");
    assert.equal(await page.getByRole("button", { name: /^(Remove|Upload certificate)$/ }).count(), 0);
    const removed = await page.request.post("/console/connections/sfprod/credentials/certs", {
      form: { _csrf, op: "remove", row: "0" },
      maxRedirects: 0,
    });
    assert.equal(removed.status(), 403);
    assert.equal((await stored()).credentials?.certs?.length, 1);
  });

  it("fits a narrow window: no tab scrolls sideways (wide tables scroll in their own box)", async () => {
    const context = await bench.context();
    const page = await context.newPage();
    await page.setViewportSize({ width: 400, height: 800 });
    await bench.signIn(page);
    for (const slug of ["general", "browser-sso", "credentials", "activation"]) {
      await page.goto(`/console/connections/sfprod/${slug}`);
      if (shots) await page.screenshot({ path: `${shots}/tabs-narrow-${slug}.png`, fullPage: true });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      const wide = await page.evaluate(() =>
        Array.from(document.querySelectorAll("body *"))
          .filter(
            (e) =>
              !e.closest(".table-wrap") &&
              e.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
          )
          .slice(0, 5)
          .map((e) => `${e.tagName}.${e.className}#${e.id}`),
      );
      assert.ok(overflow <= 0, `${slug} is ${overflow}px wider than the window: ${wide.join(", ")}`);
    }
  });
});
