import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { launchBrowser } from "../support/browser.ts";
import { type Cluster, type PorticoNode, startCluster } from "../support/cluster.ts";
import { type Federation, federate } from "../support/federation.ts";
import { servedByHeader } from "../support/haproxy.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { adminPassword, basicAuth } from "../support/server.ts";
import { readPostForm } from "../support/sso.ts";

type Validation = { status: string; success: boolean; username?: string };

/**
 * Three `portico serve` processes on one PostgreSQL database behind HAProxy (round-robin), as
 * README "Running several nodes" sets them up: any node serves any request, a message used on one
 * node is refused on the others, and what an admin changes on one node the others use at once.
 */
describe("three nodes behind HAProxy", () => {
  let cluster: Cluster;
  let sf: SalesforceEmulator;
  let federation: Omit<Federation, "portico" | "porticoUrl" | "emulatorUrl" | "dispose">;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const node = (index: number): PorticoNode => {
    const found = cluster.nodes[index];
    if (!found) throw new Error(`no node ${index}`);
    return found;
  };
  const startSso = () => `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`;

  before(async () => {
    [cluster, sf, browser] = await Promise.all([startCluster(3), startSalesforceEmulator(), launchBrowser()]);
    // Configured through the first node only; the others read the same database.
    federation = await federate(
      async (method, path, body) => {
        const answer = await node(0).admin(method, path, body);
        return { status: answer.status, text: await answer.text() };
      },
      cluster.url,
      sf.url,
    );
  });
  after(async () => {
    await browser?.dispose();
    await sf?.close();
    await cluster?.dispose();
  });

  const lastValidation = () => federation.emulatorJson<Validation>("/_emulator/sso/validations/last");

  /** Signs in through the load balancer; returns the page and the nodes that answered it. */
  const signIn = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const servedBy: { path: string; node: string }[] = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (url.origin !== cluster.url) return;
      servedBy.push({ path: url.pathname, node: response.headers()[servedByHeader] ?? "" });
    });
    await page.goto(`${cluster.url}${startSso()}`);
    assert.equal(await page.title(), "Sign in");
    await page.getByLabel("Username").fill("integration");
    await page.getByLabel("Password").fill(federation.userPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.href.startsWith(sf.url));
    assert.equal((await lastValidation()).status, "Success");
    return { context, page, servedBy };
  };

  /** The browser's Portico session cookie, to use on one node directly. */
  const sessionCookie = async (page: Page) =>
    (await page.context().cookies(cluster.url)).map((c) => `${c.name}=${c.value}`).join("; ");

  /** The assertion a node issues for that session (IdP-initiated), as XML text. */
  const assertionFrom = async (target: PorticoNode, cookie: string) => {
    const answer = await fetch(`${target.runtimeUrl}${startSso()}`, { headers: { cookie } });
    const body = await answer.text();
    assert.equal(answer.status, 200, `${target.name}: ${body}`);
    const response = readPostForm(body).samlResponse;
    assert.ok(response, `${target.name} answered with an assertion, not a sign-in form`);
    return Buffer.from(response, "base64").toString("utf8");
  };

  it("a browser signed in once gets SSO from every node without signing in again", async () => {
    const { context, page, servedBy } = await signIn();
    servedBy.length = 0;
    for (let hop = 0; hop < 6; hop++) {
      await page.goto(`${cluster.url}${startSso()}`);
      await page.waitForURL((url) => url.href.startsWith(sf.url));
      const validation = await lastValidation();
      assert.equal(validation.status, "Success", `hop ${hop}`);
      assert.equal(validation.username, federation.org.adminUsername);
    }
    const hops = servedBy.filter((s) => s.path === "/idp/startSSO.ping").map((s) => s.node);
    assert.equal(hops.length, 6);
    assert.deepEqual(
      [...new Set(hops)].sort(),
      cluster.nodes.map((n) => n.name),
      `each node served some hops: ${hops.join(", ")}`,
    );
    assert.ok(!servedBy.some((s) => s.path === "/idp/login"), "no node asked for the password again");

    // Single logout starts on one node and comes back from Salesforce to another.
    servedBy.length = 0;
    await page.goto(`${cluster.url}/idp/startSLO.ping`);
    await page.waitForURL((url) => url.href.startsWith(`${cluster.url}/idp/SLO.saml2`));
    assert.equal(await page.title(), "Signed out");
    const [started, finished] = ["/idp/startSLO.ping", "/idp/SLO.saml2"].map(
      (path) => servedBy.find((s) => s.path === path)?.node,
    );
    assert.ok(started && finished && started !== finished, `logout by ${started}, then ${finished}`);
    await page.goto(`${cluster.url}${startSso()}`);
    assert.equal(await page.title(), "Sign in", "the session ended on every node");
    await context.close();
  });

  it("an AuthnRequest used on one node is refused on the others", async () => {
    const redirect = await fetch(`${sf.url}/saml/login?so=${federation.org.orgId15}`, { redirect: "manual" });
    const location = new URL(redirect.headers.get("location") ?? "");
    assert.equal(location.origin, cluster.url, "Salesforce sends the browser to the load balancer");
    const request = `${location.pathname}${location.search}`;
    const first = await fetch(`${node(0).runtimeUrl}${request}`);
    assert.equal(first.status, 200);
    assert.match(await first.text(), /<title>Sign in<\/title>/);
    for (const other of [node(1), node(2)]) {
      const replayed = await fetch(`${other.runtimeUrl}${request}`);
      assert.equal(replayed.status, 400, other.name);
      assert.match(await replayed.text(), /already used/, other.name);
    }
  });

  it("failed sign-ins count on every node: five wrong passwords across them lock the account", async () => {
    const created = await node(0).admin("POST", "/adminAccounts", {
      username: "ops",
      password: "ops-password-long-enough-1",
      role: "AUDITOR",
    });
    assert.equal(created.status, 201, await created.text());
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await node(attempt % 3).admin(
        "GET",
        "/version",
        undefined,
        basicAuth("ops", "wrong-guess"),
      );
      assert.equal(wrong.status, 401, `attempt ${attempt}`);
    }
    const right = await node(2).admin(
      "GET",
      "/version",
      undefined,
      basicAuth("ops", "ops-password-long-enough-1"),
    );
    assert.equal(right.status, 429, "the lock set by the other nodes holds on this one");
  });

  it("a password changed on one node stops working on the others at once", async () => {
    const before = await node(1).admin("GET", "/version");
    assert.equal(before.status, 200, "node 2 has just accepted the password");
    const newPassword = "a-new-admin-password-for-the-cluster";
    const changed = await node(0).admin("PUT", "/adminAccounts/admin/password", { password: newPassword });
    assert.equal(changed.status, 204, await changed.text());
    for (const other of [node(1), node(2)]) {
      assert.equal((await other.admin("GET", "/version")).status, 401, `${other.name}: old password`);
      const fresh = await other.admin("GET", "/version", undefined, basicAuth("admin", newPassword));
      assert.equal(fresh.status, 200, `${other.name}: new password`);
    }
    const restored = await node(0).admin(
      "PUT",
      "/adminAccounts/admin/password",
      { password: adminPassword },
      basicAuth("admin", newPassword),
    );
    assert.equal(restored.status, 204);
  });

  it("a connection and key change made on one node is in the next assertion and metadata of the others", async () => {
    const { context, page } = await signIn();
    const cookie = await sessionCookie(page);
    const marker = `cluster-${Date.now()}`;
    const generated = await node(0).admin("POST", "/keyPairs/signing/generate", {
      id: "rotated",
      commonName: "rotated",
    });
    assert.equal(generated.status, 201, await generated.text());
    const pem = await (await node(0).admin("GET", "/keyPairs/signing/rotated/certificate")).text();
    const certificate = pem.replace(/-----[A-Z ]+-----|\s/g, "");

    const stored = (await (
      await node(0).admin("GET", "/idp/spConnections/emulated-org")
    ).json()) as SpConnection;
    const sso = stored.spBrowserSso;
    const mapping = sso?.adapterMappings[0];
    const signing = stored.credentials?.signingSettings;
    assert.ok(sso && mapping && signing);
    sso.attributeContract.extendedAttributes = [
      ...(sso.attributeContract.extendedAttributes ?? []),
      { name: "Site" },
    ];
    mapping.attributeContractFulfillment.Site = { source: { type: "TEXT" }, value: marker };
    signing.signingKeyPairRef = { id: "rotated" };
    const saved = await node(0).admin("PUT", "/idp/spConnections/emulated-org", stored);
    assert.equal(saved.status, 200, await saved.text());
    const savedAt = Date.now();

    for (const other of [node(1), node(2)]) {
      // Seen "within seconds": poll, and fail past five.
      let xml = await assertionFrom(other, cookie);
      while (!xml.includes(marker) && Date.now() - savedAt < 5000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        xml = await assertionFrom(other, cookie);
      }
      assert.match(
        xml,
        new RegExp(`<saml:Attribute Name="Site"[^>]*>\\s*<saml:AttributeValue[^>]*>${marker}<`),
      );
      assert.ok(xml.includes(certificate), `${other.name} signs with the key chosen on node 1`);
      const metadata = await (await fetch(`${other.runtimeUrl}/pf/federation_metadata.ping`)).text();
      assert.ok(metadata.includes(certificate), `${other.name}'s metadata publishes the new certificate`);
    }
    await context.close();
  });
});
