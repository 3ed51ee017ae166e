import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

type User = { uid: string; enabled: boolean; mail?: string; groups: string[] };

/**
 * The built-in directory in the console: groups, a user created (after a field error), edited,
 * put in a group, disabled and deleted; a CSV import with its report (and a refused file that
 * changes nothing); the list searched and paged on the server. An auditor only reads.
 */
describe("console directory", { timeout: 300_000 }, () => {
  let bench: ConsoleBench;
  before(async () => {
    bench = await startConsole();
    await bench.addAuditor();
  });
  after(async () => bench?.dispose());

  const user = async (uid: string) => {
    const found = await bench.server.request("GET", `${api}/directory/users/${uid}`);
    return found.statusCode === 200 ? (JSON.parse(found.body) as User) : undefined;
  };
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

  it("creates a group, refusing a duplicate next to its name", async () => {
    const page = await open("/console/directory");
    const form = page.locator("#create-group");
    await form.getByLabel("Group name (cn)").fill("staff");
    await form.getByLabel("Description").fill("Everyone on the payroll");
    await submit(page, "Create group");
    assert.match((await page.getByRole("status").textContent()) ?? "", /Group "staff" created/);
    assert.match((await page.getByRole("row").filter({ hasText: "staff" }).textContent()) ?? "", /payroll/);
    await page.locator("#create-group").getByLabel("Group name (cn)").fill("staff");
    await submit(page, "Create group");
    assert.match((await page.locator("#f-cn-error").textContent()) ?? "", /already exists/);
  });

  it("creates a user in a group after a field error, edits, disables and enables them", async () => {
    const page = await open("/console/directory");
    await page.getByRole("link", { name: "Create user" }).click();
    await page.getByLabel("User ID (uid)").fill("ada");
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Lovelace");
    await page.getByLabel("Email (mail)").fill("ada-at-example");
    await page.getByLabel("Password").fill("a-long-password-1");
    await page.getByRole("checkbox", { name: "staff" }).check();
    // The browser checks type=email itself; the server's own check is what is tested here.
    await page.locator("#user-form").evaluate((form) => form.setAttribute("novalidate", ""));
    await submit(page, "Create user");
    assert.match((await page.locator("#f-mail-error").textContent()) ?? "", /email address/);
    assert.equal(await page.getByLabel("Last name").inputValue(), "Lovelace", "kept");
    assert.equal(await page.getByLabel("Password").inputValue(), "", "never sent back");
    assert.equal(await page.getByRole("checkbox", { name: "staff" }).isChecked(), true, "kept");
    assert.equal(await user("ada"), undefined, "nothing created");

    await page.getByLabel("Email (mail)").fill("ada@example.com");
    await page.getByLabel("Password").fill("a-long-password-1");
    await submit(page, "Create user");
    assert.match(page.url(), /\/console\/directory\/users\/ada$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /User "ada" created/);
    assert.deepEqual((await user("ada"))?.groups, ["staff"]);

    await page.getByLabel("Email (mail)").fill("ada@lovelace.example");
    await page.getByRole("checkbox", { name: "staff" }).uncheck();
    await submit(page, "Save");
    assert.match((await page.getByRole("status").textContent()) ?? "", /"ada" saved/);
    const saved = await user("ada");
    assert.equal(saved?.mail, "ada@lovelace.example");
    assert.deepEqual(saved?.groups, []);

    await submit(page, "Disable");
    assert.match((await page.getByRole("status").textContent()) ?? "", /disabled/);
    assert.equal((await user("ada"))?.enabled, false);
    await submit(page, "Enable");
    assert.equal((await user("ada"))?.enabled, true);
  });

  it("imports users from CSV with a report, and refuses a bad file without changing anything", async () => {
    const page = await open("/console/directory");
    const rows = Array.from({ length: 24 }, (_, i) => `user${String(i).padStart(2, "0")},User ${i},eng`);
    const csv = ["uid,cn,groups", ...rows].join("\n");
    await page
      .getByLabel(/^CSV file/)
      .setInputFiles({ name: "users.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await submit(page, "Import");
    const report = (await page.locator("#import-report").textContent()) ?? "";
    assert.match(report, /Imported 24 users/);
    assert.match(report, /Groups created: eng/);
    assert.equal((await user("user23"))?.groups[0], "eng");

    const bad = "uid,mail\nnewbie,newbie@example.com\nada,again@example.com\n";
    await page
      .getByLabel(/^CSV file/)
      .setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await submit(page, "Import");
    const refused = (await page.locator("#import-report").textContent()) ?? "";
    assert.match(refused, /Nothing was imported/);
    assert.match(refused, /line 3, column uid.*"ada" already exists/s);
    assert.equal(await user("newbie"), undefined, "all or nothing");
  });

  it("searches and pages the users on the server", async () => {
    const page = await open("/console/directory");
    const bodyRows = page.locator("tbody tr").filter({ has: page.getByRole("link") });
    assert.equal(await bodyRows.count(), 20, "20 to a page");
    await page.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(/after=/);
    assert.equal(await bodyRows.count(), 5, "25 users: 5 on the second page");
    await page.getByLabel("Search by uid, name or email").fill("LOVELACE");
    await submit(page, "Search");
    assert.deepEqual(await bodyRows.getByRole("link").allTextContents(), ["ada"]);
  });

  it("deletes a user and a group after confirmation", async () => {
    const page = await open("/console/directory/users/user00");
    page.once("dialog", (dialog) => void dialog.accept());
    await submit(page, "Delete");
    assert.match(page.url(), /\/console\/directory$/);
    assert.equal(await user("user00"), undefined);
    page.once("dialog", (dialog) => void dialog.accept());
    await page
      .getByRole("row")
      .filter({ hasText: "payroll" })
      .getByRole("button", { name: "Delete" })
      .click();
    await page.waitForLoadState("load");
    assert.match((await page.getByRole("status").textContent()) ?? "", /Group "staff" deleted/);
  });

  it("lets an auditor read the directory and refuses every change", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, "audrey", "auditor-password-123");
    await page.goto("/console/directory/users/ada");
    assert.equal(await page.getByRole("button", { name: /Save|Disable|Delete/ }).count(), 0);
    await page.goto("/console/directory");
    assert.equal(await page.locator("#create-group, #import-csv").count(), 0);
    const _csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const user = { _csrf, uid: "ada", givenName: "", sn: "", cn: "", mail: "" };
    for (const [path, form] of [
      ["/console/directory/users", { ...user, uid: "mallory" }],
      ["/console/directory/users/ada", user],
      ["/console/directory/users/ada/disable", { _csrf }],
      ["/console/directory/users/ada/delete", { _csrf }],
      ["/console/directory/groups", { _csrf, cn: "mine", description: "" }],
      ["/console/directory/groups/eng/delete", { _csrf }],
    ] as const) {
      const refused = await page.request.post(path, { form, maxRedirects: 0 });
      assert.equal(refused.status(), 403, path);
    }
    const imported = await page.request.post("/console/directory/import", {
      multipart: {
        _csrf,
        file: { name: "u.csv", mimeType: "text/csv", buffer: Buffer.from("uid\nmallory\n") },
      },
      maxRedirects: 0,
    });
    assert.equal(imported.status(), 403);
    assert.equal(
      await bench.server.request("GET", `${api}/directory/users/mallory`).then((r) => r.statusCode),
      404,
    );
    assert.equal(
      await bench.server.request("GET", `${api}/directory/groups/eng`).then((r) => r.statusCode),
      200,
    );
  });

  it('reaches a user called "new": the create form lives apart, and its old address still opens it', async () => {
    const page = await open("/console/directory/users/new");
    assert.match(page.url(), /\/console\/directory\/new-user$/, "no user is called new yet");
    const title = (p: Page) => p.getByRole("heading", { level: 1 }).textContent();
    assert.equal(await title(page), "Create a user");
    await page.getByLabel("User ID (uid)").fill("new");
    await page.getByLabel("First name").fill("Newt");
    await submit(page, "Create user");
    assert.match(page.url(), /\/console\/directory\/users\/new$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /User "new" created/);
    assert.equal(await title(page), "User new", "the user's page, not the create form");
    assert.equal(await page.getByLabel("First name").inputValue(), "Newt");

    await page.goto("/console/directory?q=new");
    await page.getByRole("link", { name: "new", exact: true }).click();
    assert.equal(await title(page), "User new");
    await page.getByLabel("Last name").fill("Scamander");
    await submit(page, "Save");
    assert.match((await page.getByRole("status").textContent()) ?? "", /User "new" saved/);
    const saved = (await user("new")) as (User & { sn?: string }) | undefined;
    assert.equal(saved?.sn, "Scamander");

    await page.goto("/console/directory");
    await page.getByRole("link", { name: "Create user" }).click();
    assert.equal(await title(page), "Create a user");
    assert.equal(await page.getByLabel("User ID (uid)").inputValue(), "");
  });

  it("has no serious or critical accessibility violation on the list and the user form", async () => {
    const page = await open("/console/directory", { bypassCSP: true });
    assert.deepEqual(await bench.axe(page), []);
    await page.goto("/console/directory/users/ada");
    assert.deepEqual(await bench.axe(page), []);
    await page.goto("/console/directory/new-user");
    await page.getByLabel("User ID (uid)").fill("bad uid!");
    await submit(page, "Create user");
    assert.equal(await page.locator("#f-uid-error").count(), 1);
    assert.deepEqual(await bench.axe(page), [], "with a field error");
  });
});
