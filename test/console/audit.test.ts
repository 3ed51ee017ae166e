import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

/**
 * The audit log in the console: the changes made elsewhere are there, 50 to a page paged on the
 * server, narrowed by actor, action, resource type, outcome and time; a bad time range is said
 * next to its field. An auditor reads it too.
 */
describe("console audit log", { timeout: 240_000 }, () => {
  let bench: ConsoleBench;
  before(async () => {
    bench = await startConsole();
    await bench.addAuditor();
    // Many older events from another actor, some failed, for paging and the filters.
    for (let i = 0; i < 60; i++) {
      await bench.server.context.store.auditLog.append({
        at: `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T12:00:00.000Z`,
        actor: "token:ci",
        action: "spConnection.update",
        resourceType: "spConnection",
        resourceId: `conn-${i}`,
        outcome: i % 10 === 0 ? "FAILURE" : "SUCCESS",
        detail: { fields: ["name"] },
      });
    }
    const key = await bench.server.request("POST", `${api}/keyPairs/signing/generate`, { id: "audited-key" });
    assert.equal(key.statusCode, 201, key.body);
  });
  after(async () => bench?.dispose());

  const open = async (user?: [string, string], options: { bypassCSP?: boolean } = {}): Promise<Page> => {
    const page = await (await bench.context(options)).newPage();
    await bench.signIn(page, ...(user ?? []));
    await page.goto("/console/audit");
    return page;
  };
  const bodyRows = (page: Page) => page.locator("tbody tr");
  const filter = async (page: Page, values: Record<string, string>) => {
    const form = page.getByRole("search", { name: "Filter the audit log" });
    for (const [label, value] of Object.entries(values)) {
      if (label === "Outcome") await form.getByLabel(label).selectOption(value);
      else await form.getByLabel(label, { exact: true }).fill(value);
    }
    await form.getByRole("button", { name: "Filter" }).click();
    await page.waitForLoadState("load");
  };

  it("lists every change newest first, 50 to a page", async () => {
    const page = await open();
    const total = (await bench.server.context.store.auditLog.count()) as number;
    assert.ok(total > 60);
    assert.match((await page.locator("caption").textContent()) ?? "", new RegExp(`^${total} events`));
    assert.equal(await bodyRows(page).count(), 50);
    assert.match(
      (await bodyRows(page).first().textContent()) ?? "",
      /admin.*console\.signIn/s,
      "this sign-in first",
    );
    assert.equal(
      await bodyRows(page)
        .filter({ hasText: /admin.*signingKey\.generate.*audited-key/s })
        .count(),
      1,
    );
    await page.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(/page=2/);
    assert.equal(await bodyRows(page).count(), Math.min(50, total - 50));
    assert.match((await page.getByRole("navigation", { name: "Pages" }).textContent()) ?? "", /Page 2 of/);
  });

  it("filters by actor, action, resource type and outcome, and keeps the filter while paging", async () => {
    const page = await open();
    await filter(page, { Actor: "token:ci" });
    assert.match(page.url(), /actor=token%3Aci/);
    assert.match((await page.locator("caption").textContent()) ?? "", /^60 events match/);
    await page.getByRole("link", { name: "Next" }).click();
    await page.waitForURL(/page=2/);
    assert.match(page.url(), /actor=token%3Aci/, "the filter stays on the next page");
    assert.equal(await bodyRows(page).count(), 10);

    await page.goto("/console/audit");
    await filter(page, { Actor: "admin", Action: "adminAccount.create", "Resource type": "adminAccount" });
    assert.equal(await bodyRows(page).count(), 1);
    assert.match((await bodyRows(page).textContent()) ?? "", /audrey/);
    assert.equal(
      await page.getByLabel("Action", { exact: true }).inputValue(),
      "adminAccount.create",
      "kept",
    );

    await page.goto("/console/audit");
    await filter(page, { Outcome: "FAILURE" });
    assert.equal(await bodyRows(page).count(), 6);
    for (const text of await bodyRows(page).allTextContents()) assert.match(text, /Failure/);

    await filter(page, { Actor: "nobody", Outcome: "" });
    assert.match((await page.locator("main").textContent()) ?? "", /No event matches the filter/);
    await page.getByRole("link", { name: "Clear the filter" }).click();
    await page.waitForURL(/\/console\/audit$/);
  });

  it("bounds the time, and says next to the field when the range is wrong", async () => {
    const page = await open();
    await filter(page, { "From (UTC)": "2026-01-01T00:00", "To (UTC)": "2026-01-03T00:00" });
    // Days 1 and 2 of January: i = 0, 1, 28, 29 (i % 28 + 1), 56, 57.
    assert.equal(await bodyRows(page).count(), 6);
    await filter(page, { "From (UTC)": "2026-01-03T00:00", "To (UTC)": "2026-01-02T00:00" });
    assert.match((await page.locator("#f-to-error").textContent()) ?? "", /after From/);
    assert.equal(await bodyRows(page).count(), 0, "no list under a wrong filter");
  });

  it("is read by an auditor too, and has no serious or critical accessibility violation", async () => {
    const page = await open(["audrey", "auditor-password-123"], { bypassCSP: true });
    assert.equal(await bodyRows(page).count(), 50);
    assert.deepEqual(await bench.axe(page), []);
    await filter(page, { "From (UTC)": "2026-01-03T00:00", "To (UTC)": "2026-01-02T00:00" });
    assert.deepEqual(await bench.axe(page), [], "with a field error");
  });
});
