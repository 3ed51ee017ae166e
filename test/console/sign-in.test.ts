import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { api } from "../support/server.ts";

/**
 * Signing in to the console in a real browser: the labelled form, the session cookie's flags,
 * the strict CSP, the form token on every change, the auditor's read-only role enforced by the
 * server, the idle timeout, sign-out, and the same guessing limits as the admin API.
 */
describe("console sign-in", { timeout: 480_000 }, () => {
  let bench: ConsoleBench;
  let now = Date.parse("2026-12-01T09:00:00.000Z");
  before(async () => {
    bench = await startConsole({ clock: { now: () => new Date(now) } });
    await bench.addAuditor();
  });
  after(async () => bench?.dispose());

  it("signs in through the labelled form, with an HttpOnly SameSite=Strict cookie, and signs out", async () => {
    const context = await bench.context();
    const page = await context.newPage();
    const first = await page.goto("/console/connections");
    assert.match(
      page.url(),
      /\/console\/signin\?next=%2Fconsole%2Fconnections$/,
      "a page without a session asks to sign in",
    );
    assert.equal(first?.status(), 200);
    await bench.signIn(page);
    assert.match(page.url(), /\/console\/connections$/, "back where the admin was going");
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "SP Connections");
    const [cookie] = (await context.cookies()).filter((c) => c.name === "portico_console");
    assert.ok(cookie, "a session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(cookie.path, "/console");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/console\/signin$/);
    await page.goto("/console/connections");
    assert.match(page.url(), /\/console\/signin/, "signed out: the session is gone on the server too");
  });

  it("says a wrong password is wrong, without saying which part", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, "admin", "not-the-password");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /Wrong username or password/);
    await bench.signIn(page, "nobody", "not-the-password");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /Wrong username or password/);
  });

  it("serves every page under a strict Content-Security-Policy, with nothing from off the machine", async () => {
    const context = await bench.context();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await bench.signIn(page);
    const response = await page.goto("/console/connections");
    const csp = response?.headers()["content-security-policy"] ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/, "no inline script, no eval");
    assert.match(csp, /frame-ancestors 'none'/);
    assert.deepEqual(
      requested.filter((u) => !u.startsWith(bench.url)),
      [],
      "every asset is served by Portico itself",
    );
    assert.deepEqual(violations, [], "the pages break none of their own policy");
    assert.equal(await page.evaluate(() => typeof (globalThis as { htmx?: unknown }).htmx), "object");
  });

  it("refuses a form posted without its form token, and changes nothing", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    const refused = await page.request.post("/console/signout", { form: {}, maxRedirects: 0 });
    assert.equal(refused.status(), 403);
    assert.match(await refused.text(), /CONSOLE_FORM_EXPIRED/);
    const forged = await page.request.post("/console/signout", {
      form: { _csrf: "guessed" },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    await page.goto("/console/connections");
    assert.match(page.url(), /\/console\/connections$/, "still signed in");
  });

  it("lets an auditor look but not change anything, even by posting a form directly", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page, "audrey", "auditor-password-123");
    assert.match(page.url(), /\/console\/connections$/);
    assert.equal(
      await page.getByRole("link", { name: "Create Connection" }).count(),
      0,
      "no buttons to change things",
    );
    const token = await page.locator("input[name=_csrf]").first().inputValue();
    const posted = await page.request.post("/console/connections/anything/delete", {
      form: { _csrf: token },
      maxRedirects: 0,
    });
    assert.equal(posted.status(), 403);
    assert.match(await posted.text(), /Auditor accounts are read-only/);
  });

  it("ends a session after 30 idle minutes, and says so at the sign-in form", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    now += 29 * 60_000;
    await page.goto("/console/connections");
    assert.match(page.url(), /\/console\/connections$/, "29 minutes idle: still signed in");
    now += 31 * 60_000;
    await page.goto("/console/connections");
    assert.match(page.url(), /\/console\/signin/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /session has ended/);
  });

  it("counts wrong passwords with the admin API's, and locks both together", async () => {
    const page = await (await bench.context()).newPage();
    for (let i = 0; i < 5; i++) await bench.signIn(page, "audrey", `wrong-${i}`);
    await bench.signIn(page, "audrey", "auditor-password-123");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /Too many failed sign-in attempts/);
    const viaApi = await bench.server.request("GET", `${api}/version`, undefined, {
      auth: `Basic ${Buffer.from("audrey:auditor-password-123").toString("base64")}`,
    });
    assert.equal(viaApi.statusCode, 429, "the API sees the same lock");
  });

  it("has no serious or critical accessibility violation on the sign-in form and the list", async () => {
    const page = await (await bench.context({ bypassCSP: true })).newPage();
    await page.goto("/console/signin");
    assert.deepEqual(await bench.axe(page), []);
    await bench.signIn(page);
    assert.deepEqual(await bench.axe(page), []);
  });
});
