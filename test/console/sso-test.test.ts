import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createUser } from "../../src/services/directory/users.ts";
import { salesforceConnection } from "../support/cli.ts";
import { auditor, type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

/**
 * The SSO test page in a real browser: an admin picks a connection and a directory user and
 * reads each check's verdict, the NameID and the attributes, as `portico sso test` gives them;
 * mistakes are named next to their field; nothing signed reaches the page or the log; auditors
 * are refused on the server.
 */
describe("console SSO test", { timeout: 480_000 }, () => {
  let bench: ConsoleBench;

  const runTest = async (page: Page, connection: string, username: string) => {
    await page.getByLabel("Connection").selectOption({ label: connection });
    await page.getByRole("textbox", { name: "Username" }).fill(username);
    await page.getByRole("button", { name: "Run the test" }).click();
    await page.waitForLoadState("load");
  };
  const checkRow = (page: Page, name: string) =>
    page.getByRole("table", { name: /^Checks/ }).getByRole("row", { name: new RegExp(`^${name} `) });

  before(async () => {
    bench = await startConsole();
    await createUser(bench.server.context, testActor, {
      uid: "ada",
      enabled: true,
      attributes: { mail: "ada@acme.example.com", givenName: "Ada", sn: "Lovelace" },
    });
    for (const [id, entityId, name, active] of [
      ["acme", "https://acme.my.salesforce.com", "Acme production", false],
      ["beta", "https://beta.my.salesforce.com", "Beta sandbox", true],
    ] as const) {
      const document = salesforceConnection({ id, entityId, name, clientSecret: `${id}-secret` });
      document.active = active;
      // One attribute besides the NameID: the user's first name, from the directory.
      const sso = document.spBrowserSso as {
        attributeContract: { extendedAttributes: { name: string; nameFormat: string }[] };
        adapterMappings: { attributeContractFulfillment: Record<string, unknown> }[];
      };
      sso.attributeContract.extendedAttributes.push({
        name: "FirstName",
        nameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
      });
      for (const mapping of sso.adapterMappings)
        mapping.attributeContractFulfillment.FirstName = { source: { type: "ADAPTER" }, value: "givenName" };
      const saved = await bench.server.request("POST", `${api}/idp/spConnections`, document);
      assert.equal(saved.statusCode, 201, saved.body);
    }
    await bench.addAuditor();
  });
  after(async () => bench?.dispose());

  it("shows each check's verdict, the NameID and the attributes, and names the check that fails", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.getByRole("link", { name: "SSO Test" }).click();
    await page.waitForURL(/\/console\/sso-test$/);
    await runTest(page, "Acme production (https://acme.my.salesforce.com) — inactive", "ada");
    const verdict = page.getByRole("status");
    assert.match((await verdict.textContent()) ?? "", /^1 of \d+ checks fails: Connection active\.$/);
    assert.match((await checkRow(page, "Connection active").textContent()) ?? "", /Fail.*is inactive/);
    assert.match((await checkRow(page, "Signature").textContent()) ?? "", /Pass.*RSA-SHA256/);
    assert.match((await checkRow(page, "Audience").textContent()) ?? "", /Pass/);
    assert.equal(await page.locator("#sso-name-id").textContent(), "ada@acme.example.com");
    const attributes = page.getByRole("table", { name: "Attributes" });
    assert.match(
      (await attributes.getByRole("row", { name: /FirstName/ }).textContent()) ?? "",
      /FirstName\s*Ada/,
      "the attributes the assertion carries",
    );
    assert.equal(await page.getByLabel("Connection").inputValue(), "https://acme.my.salesforce.com");
    assert.equal(await page.getByRole("textbox", { name: "Username" }).inputValue(), "ada");

    await runTest(page, "Beta sandbox (https://beta.my.salesforce.com)", "ada");
    assert.match((await page.getByRole("status").textContent()) ?? "", /^All \d+ checks pass: Beta sandbox/);
    assert.equal(await page.getByRole("cell", { name: "Fail" }).count(), 0);

    const content = await page.content();
    assert.doesNotMatch(content, /SignatureValue|<saml|PRIVATE KEY/, "nothing signed on the page");
    assert.doesNotMatch(bench.server.logs(), /SignatureValue|saml:Assertion|SAMLResponse/, "nor in the log");
    const audited = await bench.server.context.store.auditLog.list({ limit: 100 });
    assert.ok(
      audited.some((e) => e.action === "sso.test"),
      "the test is audited, as the API's is",
    );
  });

  it("says which field is wrong, next to it, and keeps what was typed", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/sso-test");
    await runTest(page, "Beta sandbox (https://beta.my.salesforce.com)", "nobody");
    const username = page.getByRole("textbox", { name: "Username" });
    assert.equal(await username.getAttribute("aria-invalid"), "true");
    const described = (await username.getAttribute("aria-describedby")) ?? "";
    const error = page.locator(`[id="${described.split(" ").find((id) => id.endsWith("-error"))}"]`);
    assert.match((await error.textContent()) ?? "", /enabled user "nobody".*DIR_USER_NOT_FOUND/);
    assert.equal(await username.inputValue(), "nobody");
    assert.equal(await page.getByRole("table", { name: /^Checks/ }).count(), 0);

    await page.getByRole("textbox", { name: "Username" }).fill("ada");
    await page.getByRole("button", { name: "Run the test" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.getByRole("status").textContent()) ?? "", /All \d+ checks pass/);

    const token = await page.locator("input[name=_csrf]").first().inputValue();
    const empty = await page.request.post("/console/sso-test", {
      form: { _csrf: token, connection: "", username: " " },
    });
    assert.equal(empty.status(), 400);
    const text = await empty.text();
    assert.match(text, /id="f-connection-error">Choose the connection to test/);
    assert.match(text, /id="f-username-error">Enter the username of a directory user/);
    const unknown = await page.request.post("/console/sso-test", {
      form: { _csrf: token, connection: "https://nowhere.example.com", username: "ada" },
    });
    assert.equal(unknown.status(), 404);
    assert.match(await unknown.text(), /id="f-connection-error">No SP connection has the entity ID/);
  });

  it("lets an auditor see the page but not run the test, even by posting the form", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, auditor.username, auditor.password);
    await page.goto("/console/sso-test");
    assert.equal(await page.getByRole("button", { name: "Run the test" }).count(), 0);
    assert.match((await page.locator("main").textContent()) ?? "", /Auditor accounts cannot run the test/);
    const before = (await bench.server.context.store.auditLog.list({ limit: 1000 })).length;
    const token = await page.locator("input[name=_csrf]").first().inputValue();
    const posted = await page.request.post("/console/sso-test", {
      form: { _csrf: token, connection: "https://beta.my.salesforce.com", username: "ada" },
      maxRedirects: 0,
    });
    assert.equal(posted.status(), 403);
    assert.match(await posted.text(), /Auditor accounts are read-only/);
    assert.equal(
      (await bench.server.context.store.auditLog.list({ limit: 1000 })).length,
      before,
      "no test ran",
    );
  });

  it("has no serious or critical accessibility violation on the form and the verdicts", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await page.goto("/console/sso-test");
    assert.deepEqual(await bench.axe(page), []);
    await runTest(page, "Acme production (https://acme.my.salesforce.com) — inactive", "ada");
    assert.deepEqual(await bench.axe(page), []);
    await runTest(page, "Beta sandbox (https://beta.my.salesforce.com)", "nobody");
    assert.deepEqual(await bench.axe(page), []);
  });
});
