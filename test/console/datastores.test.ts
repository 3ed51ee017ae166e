import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";
import { type Slapd, serviceDn, servicePassword, startSlapd } from "../support/slapd.ts";

/**
 * LDAP data stores in the console against a real slapd: added (after a field error), the
 * password never shown back, Test passing, then failing at the stage that broke (BIND with a
 * wrong password, TLS with the wrong CA); deleted after confirmation. An auditor only reads.
 */
describe("console data stores", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    bench = await startConsole();
    await bench.addAuditor();
  });
  after(async () => {
    await bench?.dispose();
    await slapd?.dispose();
  });

  const open = async (path: string, options: { bypassCSP?: boolean } = {}): Promise<Page> => {
    const page = await (await bench.context(options)).newPage();
    await bench.signIn(page);
    await page.goto(path);
    return page;
  };
  const submit = async (page: Page, name: string) => {
    await page.getByRole("button", { name, exact: true }).click();
    await page.waitForLoadState("load");
  };
  const password = (page: Page) => page.getByRole("textbox", { name: "Password", exact: true });
  const testOutcome = async (page: Page) => {
    await submit(page, "Test");
    return (await page.locator("#test-result").textContent()) ?? "";
  };
  let storeUrl = "";

  it("adds a data store after a field error, never shows its password, and Test passes", async () => {
    const page = await open("/console/datastores");
    await page.getByRole("link", { name: "Add LDAP data store" }).click();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Corporate LDAP");
    await page.getByLabel("Directory type").selectOption("GENERIC");
    await page.getByLabel("Host names").fill(slapd.hostname);
    await page.getByLabel("Security").selectOption("STARTTLS");
    await page.getByLabel("Trusted CA certificates (PEM)").fill(slapd.caPem);
    await page.getByLabel("Bind DN").fill(serviceDn);
    await submit(page, "Save");
    assert.match((await page.locator("#f-password-error").textContent()) ?? "", /password/);
    assert.equal(await page.getByLabel("Bind DN").inputValue(), serviceDn, "kept");
    const none = JSON.parse((await bench.server.request("GET", `${api}/dataStores`)).body).items;
    assert.deepEqual(none, [], "nothing stored");

    await password(page).fill(servicePassword);
    await submit(page, "Save");
    assert.match(page.url(), /\/console\/datastores\/[^/]+$/);
    storeUrl = new URL(page.url()).pathname;
    assert.match((await page.getByRole("status").textContent()) ?? "", /"Corporate LDAP" created/);
    assert.equal(await password(page).inputValue(), "", "the password is not shown back");
    const source = await page.content();
    assert.ok(!source.includes(servicePassword), "not anywhere on the page");
    const [stored] = JSON.parse((await bench.server.request("GET", `${api}/dataStores`)).body).items;
    assert.ok(stored.encryptedPassword && !source.includes(stored.encryptedPassword), "nor its sealed form");

    const passed = await testOutcome(page);
    assert.match(passed, /Test passed/);
    assert.match(passed, /DNS → TCP → TLS → BIND → SEARCH/);
  });

  it("keeps the stored password on an edit without one, and Test names the stage that fails", async () => {
    const page = await open(storeUrl);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Corporate directory");
    await submit(page, "Save");
    assert.match((await page.getByRole("status").textContent()) ?? "", /"Corporate directory" saved/);
    assert.match(await testOutcome(page), /Test passed/, "the password was kept");

    await password(page).fill("not-the-password");
    await submit(page, "Save");
    const bind = await testOutcome(page);
    assert.match(bind, /Test failed at BIND/);
    assert.match(bind, /LDAP_BIND/);

    await page.getByLabel("Trusted CA certificates (PEM)").fill(slapd.otherCaPem);
    await password(page).fill(servicePassword);
    await submit(page, "Save");
    assert.match(await testOutcome(page), /Test failed at TLS/);
    assert.equal(
      await page.getByLabel("Directory type").inputValue(),
      "GENERIC",
      "the form shows the stored settings under the result",
    );
  });

  it("lets an auditor read a data store and refuses every change", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, "audrey", "auditor-password-123");
    await page.goto(storeUrl);
    assert.equal(await page.getByRole("button", { name: /Save|Test/ }).count(), 0);
    const _csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const form = {
      _csrf,
      name: "Mine",
      ldapType: "GENERIC",
      hostnames: slapd.hostname,
      security: "NONE",
      trustedCAs: "",
      userDN: serviceDn,
      password: servicePassword,
    };
    for (const [path, body] of [
      ["/console/datastores", form],
      [storeUrl, form],
      [`${storeUrl}/test`, { _csrf, baseDn: "" }],
      [`${storeUrl}/delete`, { _csrf }],
    ] as const) {
      const refused = await page.request.post(path, { form: body, maxRedirects: 0 });
      assert.equal(refused.status(), 403, path);
    }
    const items = JSON.parse((await bench.server.request("GET", `${api}/dataStores`)).body).items;
    assert.deepEqual(
      items.map((s: { name: string }) => s.name),
      ["Corporate directory"],
    );
  });

  it("has no serious or critical accessibility violation, and deletes after confirmation", async () => {
    const page = await open(storeUrl, { bypassCSP: true });
    await testOutcome(page);
    assert.deepEqual(await bench.axe(page), [], "with a test result");
    await page.goto("/console/datastores/new");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("x");
    await page.getByLabel("Host names").fill("bad host:99999");
    await submit(page, "Save");
    assert.equal(await page.locator("#f-hostnames-error").count(), 1);
    assert.deepEqual(await bench.axe(page), [], "with field errors");
    await page.goto("/console/datastores");
    assert.deepEqual(await bench.axe(page), []);
    page.once("dialog", (dialog) => void dialog.accept());
    await page
      .getByRole("row")
      .filter({ hasText: "Corporate directory" })
      .getByRole("button", { name: "Delete" })
      .click();
    await page.waitForLoadState("load");
    assert.match((await page.getByRole("status").textContent()) ?? "", /deleted/);
    assert.deepEqual(JSON.parse((await bench.server.request("GET", `${api}/dataStores`)).body).items, []);
  });
});
