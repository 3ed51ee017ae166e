import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { launchBrowser } from "../support/browser.ts";
import { type Federation, startFederation } from "../support/federation.ts";
import { baseDn, type Slapd, serviceDn, servicePassword, startSlapd } from "../support/slapd.ts";

type Validation = { status: string; success: boolean; username?: string; inResponseTo?: string };

/**
 * A user who exists only in LDAP signs in to the emulated Salesforce org in Chromium, exactly
 * as a built-in user does: Portico's form checks the password by bind against slapd (StartTLS,
 * the test CA) and the NameID comes from the entry's mail.
 */
describe("sign-in to the emulated Salesforce org as an LDAP user, in Chromium", () => {
  let slapd: Slapd;
  let federation: Federation;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const ivyPassword = "ivy-ldap-password";

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    federation = await startFederation();
    browser = await launchBrowser();
    await slapd.modify(
      [
        `dn: uid=ivy,ou=people,${baseDn}`,
        "objectClass: inetOrgPerson",
        "uid: ivy",
        "cn: Ivy Ldap",
        "givenName: Ivy",
        "sn: Ldap",
        `mail: ${federation.org.adminUsername}`,
        `userPassword: ${ivyPassword}`,
        "",
      ].join("\n"),
    );
    const { portico } = federation;
    const created = [
      await portico.request("POST", "/dataStores", {
        type: "LDAP",
        id: "corp",
        name: "Corporate",
        ldapType: "GENERIC",
        hostnames: [slapd.hostname],
        userDN: serviceDn,
        password: servicePassword,
        useStartTLS: true,
        trustedCAs: [slapd.caPem],
      }),
      await portico.request("POST", "/passwordCredentialValidators", {
        id: "corpLdap",
        name: "Corporate LDAP",
        pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
        configuration: {
          fields: [
            { name: "LDAP Datastore", value: "corp" },
            { name: "Search Base", value: baseDn },
            { name: "Search Filter", value: `(uid=${usernamePlaceholder})` },
          ],
        },
      }),
    ];
    for (const response of created) assert.equal(response.statusCode, 201, response.body);
    const form = await portico.request("PUT", "/idp/adapters/htmlform", {
      configuration: {
        tables: [
          {
            name: "Credential Validators",
            rows: ["corpLdap", "PorticoDirectory"].map((value) => ({
              fields: [{ name: "Password Credential Validator Instance", value }],
            })),
          },
        ],
      },
    });
    assert.equal(form.statusCode, 200, form.body);
  });
  after(async () => {
    await browser?.dispose();
    await federation?.dispose();
    await slapd?.dispose();
  });

  const lastValidation = () => federation.emulatorJson<Validation>("/_emulator/sso/validations/last");

  it("IdP-initiated: signs in at Portico with the LDAP password and lands in Salesforce", async () => {
    const page = await browser.newPage();
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    await page.getByLabel("Username").fill("ivy");
    await page.getByLabel("Password").fill(ivyPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    const validation = await lastValidation();
    assert.equal(validation.status, "Success");
    assert.equal(validation.username, federation.org.adminUsername);
    await page.close();
  });

  it("SP-initiated: answers Salesforce's request, and the session serves the next one without a password", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${federation.emulatorUrl}/saml/login?so=${federation.org.orgId15}`);
    assert.ok(page.url().startsWith(`${federation.porticoUrl}/idp/SSO.saml2?SAMLRequest=`), page.url());
    await page.getByLabel("Username").fill("ivy");
    await page.getByLabel("Password").fill(ivyPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(federation.emulatorUrl));
    const validation = await lastValidation();
    assert.equal(validation.status, "Success");
    assert.match(validation.inResponseTo ?? "", /^_2CAAAA/);
    await page.goto(`${federation.emulatorUrl}/saml/login?so=${federation.org.orgId15}`);
    await page.waitForURL(
      (url) => url.href.startsWith(federation.emulatorUrl) && !url.href.includes("/saml/login"),
    );
    assert.equal((await lastValidation()).status, "Success");
    await context.close();
  });

  it("shows a wrong LDAP password as an error on the form", async () => {
    const page = await browser.newPage();
    await page.goto(
      `${federation.porticoUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    );
    await page.getByLabel("Username").fill("ivy");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /username or password is incorrect/);
    assert.ok(page.url().startsWith(federation.porticoUrl));
    await page.close();
  });
});
