import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

/**
 * Admin accounts and API tokens in the console: create (with field errors), change a password,
 * delete with confirmation but never the last admin, and a token shown once then revoked — each
 * checked by what the account or token can then do. An auditor sees the lists and is refused
 * every change by the server.
 */
describe("console accounts and API tokens", { timeout: 240_000 }, () => {
  let bench: ConsoleBench;
  before(async () => {
    bench = await startConsole();
  });
  after(async () => bench?.dispose());

  const adminPage = async (options: { bypassCSP?: boolean } = {}): Promise<Page> => {
    const page = await (await bench.context(options)).newPage();
    await bench.signIn(page);
    await page.goto("/console/accounts");
    return page;
  };
  const createForm = (page: Page) => page.locator("#create-account");
  const accountRow = (page: Page, username: string) =>
    page.getByRole("row").filter({ has: page.getByRole("cell", { name: username, exact: true }) });
  const apiAs = (auth: string) => bench.server.request("GET", `${api}/adminAccounts`, undefined, { auth });
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

  it("creates an auditor account, says what is wrong next to the field, and keeps what was typed", async () => {
    const page = await adminPage();
    const form = createForm(page);
    await form.getByLabel("Username").fill("audrey");
    await form.getByLabel("Password").fill("short");
    await form.getByLabel("Role").selectOption("AUDITOR");
    await form.getByRole("button", { name: "Create account" }).click();
    await page.waitForLoadState("load");
    assert.match(
      (await page.locator("#f-password-error").textContent()) ?? "",
      /at least 12 characters/,
      "the error is under the Password field",
    );
    assert.equal(
      await createForm(page).getByLabel("Username").inputValue(),
      "audrey",
      "what was typed stays",
    );
    assert.equal(
      await createForm(page).getByLabel("Password").inputValue(),
      "",
      "never a password sent back",
    );
    assert.equal(await createForm(page).getByLabel("Role").inputValue(), "AUDITOR");
    assert.equal(await accountRow(page, "audrey").count(), 0, "nothing created");

    await createForm(page).getByLabel("Password").fill("auditor-password-123");
    await createForm(page).getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/console\/accounts$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /"audrey" created \(auditor\)/);
    assert.match((await accountRow(page, "audrey").textContent()) ?? "", /Auditor/);
    assert.equal((await apiAs(basic("audrey", "auditor-password-123"))).statusCode, 200, "it signs in");

    await createForm(page).getByLabel("Username").fill("audrey");
    await createForm(page).getByLabel("Password").fill("another-password-123");
    await createForm(page).getByRole("button", { name: "Create account" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-username-error").textContent()) ?? "", /already exists/);
    await createForm(page).getByLabel("Username").fill("has space");
    await createForm(page).getByLabel("Password").fill("another-password-123");
    await createForm(page).getByRole("button", { name: "Create account" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-username-error").textContent()) ?? "", /letters, digits/);
  });

  it("changes another account's password: the old one stops working, the new one works", async () => {
    const page = await adminPage();
    await accountRow(page, "audrey")
      .getByRole("link", { name: /Change password/ })
      .click();
    await page.getByRole("textbox", { name: "New password", exact: true }).fill("a-new-password-456");
    await page.getByLabel("Repeat the new password").fill("a-new-password-457");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-repeat-error").textContent()) ?? "", /differ/);
    assert.equal((await apiAs(basic("audrey", "auditor-password-123"))).statusCode, 200, "unchanged");
    await page.getByRole("textbox", { name: "New password", exact: true }).fill("a-new-password-456");
    await page.getByLabel("Repeat the new password").fill("a-new-password-456");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL(/\/console\/accounts$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /password of "audrey" was changed/);
    assert.equal((await apiAs(basic("audrey", "auditor-password-123"))).statusCode, 401);
    assert.equal((await apiAs(basic("audrey", "a-new-password-456"))).statusCode, 200);
  });

  it("creates an API token, shows it once, and revokes it", async () => {
    const page = await adminPage();
    const form = page.locator("#create-token");
    await form.getByLabel("Token name").fill("   ");
    await form.getByLabel("Expires after (days)").fill("0");
    await form.getByRole("button", { name: "Create token" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.locator("#f-name-error").textContent()) ?? "", /Give the token a name/);
    assert.match((await page.locator("#f-expiresInDays-error").textContent()) ?? "", /from 1 to 3650/);
    await page.locator("#create-token").getByLabel("Token name").fill("pipeline");
    await page.locator("#create-token").getByLabel("Expires after (days)").fill("30");
    await page.locator("#create-token").getByRole("button", { name: "Create token" }).click();
    await page.waitForLoadState("load");
    const token = ((await page.locator("#new-token").textContent()) ?? "").trim();
    assert.ok(token.length > 20, "the token is on the page");
    assert.equal(await page.getByRole("heading", { name: 'API token "pipeline" created' }).count(), 1);
    assert.equal((await apiAs(`Bearer ${token}`)).statusCode, 200, "the token works against the admin API");
    const row = page.getByRole("row").filter({ hasText: "pipeline" });
    assert.match((await row.textContent()) ?? "", /admin/, "created by the admin");

    await page.goto("/console/accounts");
    assert.equal(await page.locator("#new-token").count(), 0, "never shown again");
    assert.ok(!(await page.content()).includes(token), "nowhere on the page");

    page.once("dialog", (dialog) => void dialog.accept());
    await page
      .getByRole("row")
      .filter({ hasText: "pipeline" })
      .getByRole("button", { name: "Revoke" })
      .click();
    await page.waitForURL(/\/console\/accounts$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /"pipeline" revoked/);
    assert.equal(await page.getByRole("row").filter({ hasText: "pipeline" }).count(), 0);
    assert.equal((await apiAs(`Bearer ${token}`)).statusCode, 401, "revoked: refused");
  });

  it("lets an auditor see the lists and refuses every change on the server", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, "audrey", "a-new-password-456");
    await page.goto("/console/accounts");
    assert.equal(await accountRow(page, "admin").count(), 1, "the accounts are listed");
    assert.equal(await page.locator("#create-account, #create-token").count(), 0, "no forms");
    assert.equal(await page.getByRole("button", { name: /Delete|Revoke/ }).count(), 0, "no buttons");
    const _csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const posts: [string, Record<string, string>][] = [
      ["/console/accounts", { _csrf, username: "mallory", password: "mallory-password-1", role: "ADMIN" }],
      ["/console/accounts/tokens", { _csrf, name: "mine", expiresInDays: "" }],
      ["/console/accounts/admin/password", { _csrf, password: "taken-over-123", repeat: "taken-over-123" }],
      ["/console/accounts/admin/delete", { _csrf }],
    ];
    for (const [path, form] of posts) {
      const refused = await page.request.post(path, { form, maxRedirects: 0 });
      assert.equal(refused.status(), 403, path);
      assert.match(await refused.text(), /Auditor accounts are read-only/);
    }
    const accounts = await bench.server.request("GET", `${api}/adminAccounts`);
    assert.deepEqual(
      JSON.parse(accounts.body)
        .items.map((a: { username: string }) => a.username)
        .sort(),
      ["admin", "audrey"],
    );
    assert.deepEqual(JSON.parse((await bench.server.request("GET", `${api}/apiTokens`)).body).items, []);
  });

  it("never deletes the last admin, and deletes an account after confirmation", async () => {
    const page = await adminPage();
    page.once("dialog", (dialog) => void dialog.accept());
    await accountRow(page, "admin").getByRole("button", { name: "Delete" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /last admin account cannot be deleted/);
    assert.equal((await apiAs(basic("admin", "correct-horse-battery-staple"))).statusCode, 200);

    await page.goto("/console/accounts");
    page.once("dialog", (dialog) => void dialog.dismiss());
    await accountRow(page, "audrey").getByRole("button", { name: "Delete" }).click();
    assert.equal(await accountRow(page, "audrey").count(), 1, "dismissed: nothing deleted");
    page.once("dialog", (dialog) => void dialog.accept());
    await accountRow(page, "audrey").getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(/\/console\/accounts$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /"audrey" deleted/);
    assert.equal(await accountRow(page, "audrey").count(), 0);
    assert.equal((await apiAs(basic("audrey", "a-new-password-456"))).statusCode, 401);
  });

  it("has no serious or critical accessibility violation, with errors and with a new token", async () => {
    const page = await adminPage({ bypassCSP: true });
    assert.deepEqual(await bench.axe(page), []);
    await page.locator("#create-account").getByRole("button", { name: "Create account" }).click();
    await page.waitForLoadState("load");
    assert.deepEqual(await bench.axe(page), [], "with field errors");
    await page.locator("#create-token").getByLabel("Token name").fill("axe");
    await page.locator("#create-token").getByRole("button", { name: "Create token" }).click();
    await page.waitForLoadState("load");
    assert.equal(await page.locator("#new-token").count(), 1);
    assert.deepEqual(await bench.axe(page), [], "with the new token");
    await page.goto("/console/accounts/admin/password");
    assert.deepEqual(await bench.axe(page), []);
  });
});
