import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { updateUser } from "../../src/services/directory/users.ts";
import { auditor, type ConsoleBench, startConsole } from "../support/console.ts";
import { acmeUsers, addStaff, provisioningConnection } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { api } from "../support/server.ts";
import { testActor } from "../support/service-context.ts";

/**
 * The provisioning dashboard in a real browser, against the emulated org: every channel's state,
 * cycles and counts, updated live while a cycle runs; Salesforce's own words for the users it
 * refused; run now, reset and confirm with their dialogs; the preview field by field and one user
 * provisioned on demand on the channel's page; read-only for auditors, on the server too.
 */
describe("console provisioning dashboard", { timeout: 600_000 }, () => {
  let bench: ConsoleBench;
  let sf: SalesforceEmulator;
  const channelApi = `${api}/provisioning/connections/org/channels/staff`;
  let idle = 0;

  const staffCard = (page: Page) => page.getByRole("region", { name: "Acme org · staff" });
  /** The number of the channel's users with this status, as the page shows it. */
  const usersIn = async (page: Page, status: string) =>
    Number(
      await page
        .locator("dl.counts div")
        .filter({ has: page.getByText(status, { exact: true }) })
        .locator("dd")
        .textContent(),
    );
  const waitForText = async (page: Page, locator: ReturnType<Page["locator"]>, pattern: RegExp) => {
    for (let i = 0; i < 100; i++) {
      if (pattern.test((await locator.textContent()) ?? "")) return;
      await page.waitForTimeout(100);
    }
    assert.match((await locator.textContent()) ?? "", pattern);
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    // Real time, moved forward by `idle` when a test lets the admin walk away.
    bench = await startConsole({ clock: { now: () => new Date(Date.now() + idle) } });
    await addStaff(bench.server.context, "u", 3);
    const connection = provisioningConnection(sf, "org");
    connection.name = "Acme org";
    const saved = await bench.server.request("POST", `${api}/idp/spConnections`, connection);
    assert.equal(saved.statusCode, 201, saved.body);
    await bench.addAuditor();
  });
  after(async () => {
    await bench?.dispose();
    await sf?.close();
  });

  it("shows a cycle run through the API while the page is open, without a reload", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.getByRole("link", { name: "Provisioning", exact: true }).click();
    await page.waitForURL(/\/console\/provisioning$/);
    const card = staffCard(page);
    assert.match((await card.locator(".state-line").textContent()) ?? "", /NEVER RUN/);
    assert.equal(await usersIn(page, "Active"), 0);
    // A mark on this document: it is gone if the browser loads the page again.
    await page.evaluate(() => Object.assign(globalThis, { stillThisPage: true }));

    const run = await bench.server.request("POST", `${channelApi}/run`, { wait: true });
    assert.equal(run.statusCode, 200, run.body);
    await waitForText(page, card.locator(".state-line"), /IDLE/);
    await waitForText(page, card.locator("dl.counts"), /Active3/);
    assert.equal(await usersIn(page, "Active"), 3);
    assert.match((await card.locator("dl.summary").textContent()) ?? "", /Last cycle.*\(full\): CREATE 3/s);
    assert.equal(await page.evaluate(() => "stillThisPage" in globalThis), true, "no navigation happened");
  });

  it("runs a cycle on a click, and shows Salesforce's message for a user it refused", async () => {
    await addStaff(bench.server.context, "v", 1);
    await updateUser(bench.server.context, testActor, "v1", { attributes: { title: "t".repeat(200) } });
    await addStaff(bench.server.context, "w", 1);
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning");
    await staffCard(page).getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/console\/provisioning$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /A cycle of "staff" started/);
    const refused = page.getByRole("table", { name: /Users Salesforce refused/ });
    await refused.waitFor({ timeout: 20_000 });
    const row = refused.getByRole("row", { name: /v1/ });
    assert.match((await row.textContent()) ?? "", /v1@acme\.example\.com/);
    assert.match((await row.textContent()) ?? "", /Title/, "Salesforce's own message names the field");
    assert.match((await row.textContent()) ?? "", /PROV_TARGET_REJECTED/);
    await waitForText(page, staffCard(page).locator("dl.summary"), /1 refused by Salesforce/);
    assert.equal(await usersIn(page, "Active"), 4);
    assert.ok((await acmeUsers(sf)).some((u) => u.Username === "w1@acme.example.com"));
  });

  it("previews the next cycle field by field and one user's mapping, writing nothing", async () => {
    await addStaff(bench.server.context, "x", 1);
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning");
    await page.getByRole("link", { name: "Preview, or provision one user" }).first().click();
    await page.waitForURL(/\/console\/provisioning\/org\/staff$/);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Acme org · staff");
    await page.getByRole("button", { name: "Preview" }).click();
    const plan = page.getByRole("region", { name: "Preview" });
    assert.match((await plan.textContent()) ?? "", /Nothing was written/);
    const create = plan.getByRole("row", { name: /CREATE x1/ });
    assert.match((await create.textContent()) ?? "", /Usernamex1@acme\.example\.com/);
    assert.match((await create.textContent()) ?? "", /LastNameNumber1/);

    await page.getByLabel("Only this user (uid)").fill("x1");
    await page.getByRole("button", { name: "Preview" }).click();
    const trace = page.getByRole("table", { name: "The mapping, field by field" });
    const username = trace.getByRole("row", { name: /^Username/ });
    assert.match((await username.textContent()) ?? "", /mail = x1@acme\.example\.com/);
    assert.equal(
      await page.getByLabel("Only this user (uid)").inputValue(),
      "x1",
      "the form keeps what was typed",
    );
    assert.equal(
      (await acmeUsers(sf)).some((u) => u.Username === "x1@acme.example.com"),
      false,
      "a preview creates no one",
    );
  });

  it("provisions one user on demand, step by step, and says which field is missing", async () => {
    await addStaff(bench.server.context, "y", 1);
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning/org/staff");
    await page.getByRole("button", { name: "Provision", exact: true }).click();
    // The browser's own check stops an empty uid; without it, the server says the same.
    assert.equal(
      await page
        .getByRole("textbox", { name: "User (uid)", exact: true })
        .evaluate((e: HTMLInputElement) => e.validity.valid),
      false,
    );
    const token = await page.locator("input[name=_csrf]").first().inputValue();
    const empty = await page.request.post("/console/provisioning/org/staff/provision-user", {
      form: { _csrf: token, user: "  " },
    });
    assert.equal(empty.status(), 400);
    assert.match(await empty.text(), /id="provision-user-error">Enter the uid of a directory user/);

    await page.getByRole("textbox", { name: "User (uid)", exact: true }).fill("y1");
    await page.getByRole("button", { name: "Provision", exact: true }).click();
    const result = page.getByRole("region", { name: "Provisioned y1" });
    for (const step of ["Read from the directory", "The plan", "Sent to Salesforce", "Recorded"])
      assert.equal(await result.getByRole("heading", { name: step }).count(), 1, step);
    assert.match((await result.textContent()) ?? "", /statusACTIVE/);
    assert.ok((await acmeUsers(sf)).some((u) => u.Username === "y1@acme.example.com"));

    const missing = await page.goto("/console/provisioning/org/nope");
    assert.equal(missing?.status(), 404);
    assert.match(
      (await page.getByRole("alert").textContent()) ?? "",
      /has no channel "nope".*PROV_CHANNEL_NOT_FOUND/s,
    );
  });

  it("holds mass deactivations: the held cycle is confirmed from the page, after a dialog", async () => {
    const settings = await bench.server.request("PUT", `${api}/serverSettings/outboundProvisioning`, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 1, percent: 0 },
    });
    assert.equal(settings.statusCode, 200, settings.body);
    for (const uid of ["u1", "u2"])
      await updateUser(bench.server.context, testActor, uid, { enabled: false });
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning");
    const card = staffCard(page);
    const held = await bench.server.request("POST", `${channelApi}/run`, { wait: true });
    assert.equal(held.json().state.status, "HELD", held.body);
    await waitForText(page, card.locator(".state-line"), /HELD.*confirm/);

    const dialogs: string[] = [];
    page.once("dialog", async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    const inactiveBefore = (await acmeUsers(sf)).filter((u) => !u.IsActive).length;
    await card.getByRole("button", { name: "Confirm held cycle" }).click();
    assert.match(dialogs[0] ?? "", /deactivates those users now/);
    assert.match(page.url(), /\/console\/provisioning$/);
    assert.equal(
      (await acmeUsers(sf)).filter((u) => !u.IsActive).length,
      inactiveBefore,
      "dismissed: nothing changed",
    );
    assert.match((await card.locator(".state-line").textContent()) ?? "", /HELD/);

    page.once("dialog", (dialog) => dialog.accept());
    await card.getByRole("button", { name: "Confirm held cycle" }).click();
    await page.waitForURL(/\/console\/provisioning$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /held cycle of "staff" runs now/);
    await waitForText(page, staffCard(page).locator(".state-line"), /IDLE/);
    const inactive = (await acmeUsers(sf)).filter((u) => !u.IsActive).map((u) => u.Username);
    assert.deepEqual(inactive.sort(), ["u1@acme.example.com", "u2@acme.example.com"]);
    const defaults = await bench.server.request("PUT", `${api}/serverSettings/outboundProvisioning`, {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 10, percent: 10 },
    });
    assert.equal(defaults.statusCode, 200, defaults.body);
  });

  it("resets a channel after a dialog, and works without script on reload", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning/org/staff");
    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Reset" }).click();
    await page.waitForURL(/\/console\/provisioning\/org\/staff$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /was reset/);
    assert.match((await page.locator(".state-line").textContent()) ?? "", /NEVER RUN/);

    const noScript = await (
      await bench.browser.newContext({ baseURL: bench.url, javaScriptEnabled: false })
    ).newPage();
    await bench.signIn(noScript);
    await noScript.goto("/console/provisioning");
    await staffCard(noScript).getByRole("button", { name: "Run now" }).click();
    await noScript.waitForURL(/\/console\/provisioning$/);
    for (
      let i = 0;
      i < 50 && !/IDLE/.test((await staffCard(noScript).locator(".state-line").textContent()) ?? "");
      i++
    ) {
      await noScript.waitForTimeout(200);
      await noScript.reload();
    }
    assert.match((await staffCard(noScript).locator(".state-line").textContent()) ?? "", /IDLE/);
    assert.ok((await usersIn(noScript, "Active")) >= 3, "the run adopted the org's users again");
    await noScript.context().close();
  });

  it("lets an auditor look, with no buttons, and refuses every action on the server", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, auditor.username, auditor.password);
    await page.goto("/console/provisioning");
    assert.equal(await staffCard(page).locator(".state-line").count(), 1);
    assert.equal(await page.getByRole("button", { name: /Run now|Reset|Retry|Confirm/ }).count(), 0);
    await page.goto("/console/provisioning/org/staff");
    assert.equal(await page.getByRole("button", { name: /Preview|Provision/ }).count(), 0);
    const token = await page.locator("input[name=_csrf]").first().inputValue();
    const before = await bench.server.context.store.provisioning.getChannel("org", "staff");
    for (const [action, form] of [
      ["run", {}],
      ["retry", {}],
      ["reset", {}],
      ["confirm", {}],
      ["preview", {}],
      ["provision-user", { user: "u3" }],
    ] as const) {
      const posted = await page.request.post(`/console/provisioning/org/staff/${action}`, {
        form: { _csrf: token, ...form },
        maxRedirects: 0,
      });
      assert.equal(posted.status(), 403, action);
      assert.match(await posted.text(), /Auditor accounts are read-only/);
    }
    assert.deepEqual(await bench.server.context.store.provisioning.getChannel("org", "staff"), before);
  });

  it("has no serious or critical accessibility violation on the dashboard and a channel's page", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning");
    assert.deepEqual(await bench.axe(page), []);
    await page.goto("/console/provisioning/org/staff");
    await page.getByLabel("Only this user (uid)").fill("u3");
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("table", { name: "The mapping, field by field" }).waitFor();
    assert.deepEqual(await bench.axe(page), []);
  });

  it("ends an open dashboard's session after 30 idle minutes: its polls are not the admin's activity", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/provisioning");
    idle += 29 * 60_000;
    // Two polls answered: the second surely reached the server 29 minutes on.
    for (let i = 0; i < 2; i++) {
      const poll = await page.waitForResponse((r) => r.url().endsWith("/status"), { timeout: 20_000 });
      assert.equal(poll.status(), 200, "the page keeps asking for the channel's status");
    }
    assert.match(page.url(), /\/console\/provisioning$/, "29 minutes: still signed in");
    idle += 2 * 60_000;
    await page.waitForURL(/\/console\/signin\?next=%2Fconsole%2Fprovisioning$/, { timeout: 20_000 });
    assert.match((await page.getByRole("status").textContent()) ?? "", /session has ended/);
  });
});
