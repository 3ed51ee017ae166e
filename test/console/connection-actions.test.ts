import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { pfCompatExamplesDir } from "../support/pf-compat.ts";
import { api } from "../support/server.ts";

/**
 * The connection list's actions in a real browser: Copy (a new entity ID and name; the copy is
 * inactive and has no outbound provisioning), Export (the admin API's document as a download),
 * Import (a file or pasted JSON through the admin API's service, warnings shown), and Delete
 * (asked on a page of its own; an active connection cannot be deleted).
 */
const fixture = (): SpConnection =>
  JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  );
const pfExample = `${pfCompatExamplesDir()}01-pf13-saml-policy-contract.json`;

describe("console connection actions", { timeout: 240_000 }, () => {
  let bench: ConsoleBench;
  const apiGet = async (path: string) => {
    const response = await bench.server.request("GET", `${api}${path}`);
    return { status: response.statusCode, json: () => response.json() as SpConnection, body: response.body };
  };
  const signedIn = async (options: { bypassCSP?: boolean } = {}, user?: [string, string]) => {
    const page = await (await bench.context(options)).newPage();
    await bench.signIn(page, ...(user ?? []));
    return page;
  };
  const row = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

  before(async () => {
    bench = await startConsole();
    for (const id of ["sig1", "devsigningcert"]) {
      const key = await bench.server.request("POST", `${api}/keyPairs/signing/generate`, {
        id,
        commonName: `${id}.example.com`,
      });
      assert.equal(key.statusCode, 201, key.body);
    }
    const created = await bench.server.request("POST", `${api}/idp/spConnections`, fixture());
    assert.equal(created.statusCode, 201, created.body);
    await bench.addAuditor();
  });
  after(async () => bench?.dispose());

  it("exports a connection as the admin API's GET returns it, as a download", async () => {
    const page = await signedIn();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row(page, "Salesforce Production").getByRole("link", { name: "Export" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "sfprod.json");
    const path = await download.path();
    const exported = JSON.parse(readFileSync(path, "utf8")) as SpConnection;
    const fromApi = (await apiGet("/idp/spConnections/sfprod")).json();
    // The API's links name the host the client used; the console's download was reached at 127.0.0.1.
    const relinked = JSON.parse(
      JSON.stringify(fromApi).replaceAll("http://localhost:80/", `${bench.url}/`),
    ) as SpConnection;
    assert.deepEqual(exported, relinked);
    assert.ok(!JSON.stringify(exported).includes("s3cr3t-client-secret-value"), "secrets only sealed");
    const response = await page.request.get("/console/connections/sfprod/export");
    assert.match(response.headers()["content-disposition"] ?? "", /^attachment; filename="sfprod\.json"$/);
  });

  it("copies a connection under a new entity ID and name: inactive, without outbound provisioning", async () => {
    const page = await signedIn();
    await row(page, "Salesforce Production").getByRole("link", { name: "Copy" }).click();
    await page.waitForURL(/\/connections\/sfprod\/copy$/);
    const entityId = page.getByLabel("Partner's Entity ID (Connection ID)");
    // Blanks pass the browser's own check of the required field; the server's names the field.
    await entityId.fill("   ");
    await page.getByRole("button", { name: "Copy" }).click();
    assert.match(
      (await page.locator("#f-entityId-error").textContent()) ?? "",
      /enter the copy's entity ID/,
      "the empty entity ID is named next to its field",
    );
    await entityId.fill("https://acme.my.salesforce.com");
    await page.getByRole("button", { name: "Copy" }).click();
    assert.match((await page.locator("#f-entityId-error").textContent()) ?? "", /already used/);
    assert.equal(await page.getByLabel("Connection Name").inputValue(), "Salesforce Production (copy)");
    await entityId.fill("https://acme--uat.sandbox.my.salesforce.com");
    await page.getByLabel("Connection Name").fill("Salesforce UAT");
    await page.getByRole("button", { name: "Copy" }).click();
    await page.waitForURL(/\/console\/connections$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /Copied "Salesforce Production"/);
    assert.match((await row(page, "Salesforce UAT").textContent()) ?? "", /Inactive/);

    const all = (await bench.server.request("GET", `${api}/idp/spConnections`)).json() as {
      items: SpConnection[];
    };
    const copy = all.items.find((c) => c.name === "Salesforce UAT");
    const original = (await apiGet("/idp/spConnections/sfprod")).json();
    assert.ok(copy);
    assert.equal(copy.entityId, "https://acme--uat.sandbox.my.salesforce.com");
    assert.equal(copy.active, false);
    assert.equal(copy.outboundProvision, undefined, "provisioning is not copied");
    assert.deepEqual(copy.spBrowserSso?.ssoServiceEndpoints, original.spBrowserSso?.ssoServiceEndpoints);
    assert.deepEqual(copy.credentials?.signingSettings, original.credentials?.signingSettings);
    assert.ok(original.outboundProvision, "the original keeps its provisioning");
  });

  it("imports a PingFederate export from a file and lists what Portico keeps without serving", async () => {
    const page = await signedIn();
    await page.getByRole("link", { name: "Import" }).click();
    await page.getByLabel("Connection file").setInputFiles(pfExample);
    await page.getByRole("button", { name: "Import" }).click();
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Connection Imported");
    assert.match((await page.getByRole("status").textContent()) ?? "", /Imported "Dummy SP Connection"/);
    assert.match(
      (await page.locator("main").textContent()) ?? "",
      /contract "Zxp6N6W5PH9onACT"/,
      "the policy-contract warning is shown",
    );
    const all = (await bench.server.request("GET", `${api}/idp/spConnections`)).json() as {
      items: SpConnection[];
    };
    assert.ok(all.items.some((c) => c.entityId === "https://httpbin.org" && c.active === true));
  });

  it("imports pasted JSON, and says what is wrong with a bad document, naming the field", async () => {
    const page = await signedIn();
    await page.goto("/console/connections/import");
    await page.getByLabel("Or paste the connection's JSON").fill('{"entityId": "x", ');
    await page.getByRole("button", { name: "Import" }).click();
    assert.match((await page.locator("#f-document-error").textContent()) ?? "", /is not valid JSON/);
    assert.equal(await page.getByLabel("Or paste the connection's JSON").inputValue(), "");

    const nameless: Partial<SpConnection> = {
      ...fixture(),
      id: "pasted",
      entityId: "https://pasted.example",
    };
    delete nameless.name;
    await page.getByLabel("Or paste the connection's JSON").fill(JSON.stringify(nameless));
    await page.getByRole("button", { name: "Import" }).click();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /name/);
    assert.equal((await apiGet("/idp/spConnections/pasted")).status, 404, "nothing stored");

    const taken = { ...fixture() };
    await page.getByLabel("Or paste the connection's JSON").fill(JSON.stringify(taken));
    await page.getByRole("button", { name: "Import" }).click();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /already exists/);

    await page.getByLabel("Or paste the connection's JSON").fill(
      JSON.stringify({
        ...fixture(),
        id: "pasted",
        name: "Pasted Connection",
        entityId: "https://pasted.example",
        active: false,
      }),
    );
    await page.getByRole("button", { name: "Import" }).click();
    assert.match(
      (await page.getByRole("status").textContent()) ?? "",
      /Imported "Pasted Connection".*inactive/,
    );
    assert.equal((await apiGet("/idp/spConnections/pasted")).json().entityId, "https://pasted.example");
  });

  it("deletes an inactive connection after asking, and never an active one", async () => {
    const page = await signedIn();
    assert.equal(
      await row(page, "Salesforce Production").getByRole("link", { name: "Delete" }).count(),
      0,
      "an active connection offers no Delete",
    );
    await page.goto("/console/connections/sfprod/delete");
    assert.match((await page.getByRole("alert").textContent()) ?? "", /is active/);
    assert.equal(await page.getByRole("button", { name: "Delete connection" }).count(), 0);
    const token = await page.locator("input[name=_csrf]").first().inputValue();
    const forced = await page.request.post("/console/connections/sfprod/delete", {
      form: { _csrf: token },
      maxRedirects: 0,
    });
    assert.equal(forced.status(), 422);
    assert.match(await forced.text(), /CONN_ACTIVE/);
    assert.equal((await apiGet("/idp/spConnections/sfprod")).status, 200, "still there");

    await page.goto("/console/connections?q=pasted");
    await row(page, "Pasted Connection").getByRole("link", { name: "Delete" }).click();
    await page.waitForURL(/\/connections\/pasted\/delete$/);
    assert.match((await page.locator("main").textContent()) ?? "", /This cannot be undone/);
    await page.getByRole("button", { name: "Delete connection" }).click();
    await page.waitForURL(/\/console\/connections$/);
    assert.match((await page.getByRole("status").textContent()) ?? "", /Deleted the connection/);
    assert.equal((await apiGet("/idp/spConnections/pasted")).status, 404);
  });

  it("lets an auditor export but not copy, import or delete, even by posting the forms", async () => {
    const page = await signedIn({}, ["audrey", "auditor-password-123"]);
    const sf = row(page, "Salesforce Production");
    assert.equal(await sf.getByRole("link", { name: "Export" }).count(), 1);
    assert.equal(await sf.getByRole("link", { name: "Copy" }).count(), 0);
    assert.equal(await page.getByRole("link", { name: "Import" }).count(), 0);
    const _csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const before = ((await bench.server.request("GET", `${api}/idp/spConnections`)).json() as { items: [] })
      .items.length;
    const posts = [
      page.request.post("/console/connections/sfprod/copy", {
        form: { _csrf, entityId: "https://auditor.example", name: "Auditor's copy" },
        maxRedirects: 0,
      }),
      page.request.post("/console/connections/import", {
        multipart: { _csrf, document: JSON.stringify({ ...fixture(), id: "aud", entityId: "https://aud" }) },
        maxRedirects: 0,
      }),
      page.request.post("/console/connections/sfprod/delete", { form: { _csrf }, maxRedirects: 0 }),
    ];
    for (const response of await Promise.all(posts)) {
      assert.equal(response.status(), 403);
      assert.match(await response.text(), /Auditor accounts are read-only/);
    }
    const afterwards = (
      (await bench.server.request("GET", `${api}/idp/spConnections`)).json() as { items: [] }
    ).items.length;
    assert.equal(afterwards, before, "nothing created or deleted");
  });

  it("has no serious or critical accessibility violation on the copy, import and delete pages", async () => {
    const page = await signedIn({ bypassCSP: true });
    const pages: [string, () => Promise<unknown>][] = [
      ["list", () => page.goto("/console/connections")],
      [
        "copy with errors",
        async () => {
          await page.goto("/console/connections/sfprod/copy");
          await page.getByLabel("Partner's Entity ID (Connection ID)").fill(" ");
          await page.getByLabel("Connection Name").fill(" ");
          await page.getByRole("button", { name: "Copy" }).click();
        },
      ],
      [
        "import with errors",
        async () => {
          await page.goto("/console/connections/import");
          await page.getByRole("button", { name: "Import" }).click();
        },
      ],
      ["delete (active)", () => page.goto("/console/connections/sfprod/delete")],
    ];
    for (const [name, open] of pages) {
      await open();
      const shots = process.env.CONSOLE_SHOTS;
      if (shots)
        await page.screenshot({ path: `${shots}/actions-${name.replace(/\W+/g, "-")}.png`, fullPage: true });
      assert.deepEqual(await bench.axe(page), [], name);
    }
  });
});
