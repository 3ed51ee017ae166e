import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { type ConsoleBench, startConsole } from "../support/console.ts";
import { createPostgresDatabase, type TestDatabase } from "../support/databases.ts";
import { api } from "../support/server.ts";

/**
 * A cluster behind a load balancer: every step of Create Connection may land on another node. Two
 * Porticos on one PostgreSQL database; the browser goes back and forth between them at each tab,
 * and the connection saved on one is the cluster's.
 */
const salesforceMetadata = new URL("../fixtures/metadata/SAMLSP-0LE5g000000CaJx.xml", import.meta.url)
  .pathname;

describe("console Create Connection wizard on two nodes of one database", { timeout: 300_000 }, () => {
  let database: TestDatabase;
  let bench: ConsoleBench;
  let other: string;
  const heading = (page: Page) => page.getByRole("heading", { level: 2 }).first().textContent();
  /** The page the browser is on, asked of `node` instead (as a load balancer may send it). */
  const switchTo = async (page: Page, node: string) => {
    const response = await page.goto(new URL(new URL(page.url()).pathname, node).toString());
    assert.equal(response?.status(), 200, `${new URL(page.url()).pathname} on ${node}`);
  };
  const next = (page: Page) => page.getByRole("button", { name: "Next" }).click();

  before(async () => {
    database = await createPostgresDatabase();
    bench = await startConsole({ databaseUrl: database.url });
    other = (await bench.addNode()).url;
  });
  after(async () => {
    await bench?.dispose();
    await database?.drop();
  });

  it("starts a connection on one node, continues it on the other at every tab, and saves it", async () => {
    const page = await (await bench.context()).newPage();
    await bench.signIn(page);
    await page.goto("/console/connections/new");
    await page.getByLabel("Use a template for this connection").check();
    await page.getByLabel("Connection Template").selectOption({ label: "Salesforce Provisioner" });
    await page.getByLabel("Metadata File").setInputFiles(salesforceMetadata);
    await next(page);
    assert.equal(await heading(page), "Connection Type");

    const steps = [
      { tab: "Connection Type", fill: async () => {} },
      { tab: "Connection Options", fill: async () => {} },
      {
        tab: "General Info",
        fill: async () => {
          await page.getByLabel("Connection Name").fill("Acme on two nodes");
        },
      },
      { tab: "Browser SSO", fill: async () => {} },
      { tab: "Credentials", fill: async () => {} },
      { tab: "Outbound Provisioning", fill: async () => {} },
    ];
    let node = other;
    for (const step of steps) {
      await switchTo(page, node);
      assert.equal(await heading(page), step.tab, `${step.tab} on ${node}`);
      await step.fill();
      await next(page);
      node = node === other ? bench.url : other;
    }
    await switchTo(page, node);
    assert.equal(await heading(page), "Activation & Summary");
    assert.match((await page.locator("main").textContent()) ?? "", /Acme on two nodes/, "General Info kept");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/console\/connections\/[^/]+\/general$/);
    assert.match(
      (await page.getByRole("status").first().textContent()) ?? "",
      /Saved the connection "Acme on two nodes" \(active\)/,
    );

    const listed = (await bench.server.request("GET", `${api}/idp/spConnections`)).json() as {
      items: SpConnection[];
    };
    assert.deepEqual(
      listed.items.map((c) => c.name),
      ["Acme on two nodes"],
      "one connection, seen by the node that did not save it",
    );
  });
});
