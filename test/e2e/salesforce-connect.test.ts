import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import { salesforceTargetFor } from "../../src/services/provisioning/target.ts";
import {
  connectionWithTarget,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { adminPassword, basicAuth, startTestServer, type TestServer } from "../support/server.ts";

/**
 * "Connect to Salesforce" end to end over real sockets: the admin asks Portico for the authorize
 * URL, a browser (a real HTTP client here) allows access on the emulator's consent page, and
 * Salesforce's redirect brings it back to Portico's callback, which stores the tokens.
 */

const fromHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

describe("Connect to Salesforce", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  let admin: string;
  const clock = fixedClock(new Date());

  const start = async (connectionId: string) => {
    const response = await fetch(
      `${admin}/pf-admin-api/v1/provisioning/connections/${connectionId}/oauth/start`,
      {
        method: "POST",
        headers: { authorization: basicAuth("admin", adminPassword), "x-xsrf-header": "test" },
      },
    );
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  /** What the browser does on the consent page: post its form with the admin's choice. */
  const decide = async (authorizeUrl: string, decision: "allow" | "deny") => {
    const page = await fetch(authorizeUrl);
    assert.equal(page.status, 200);
    const html = await page.text();
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        fromHtml(m[2] ?? ""),
      ]),
    );
    const answer = await fetch(`${sf.url}/services/oauth2/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...fields, username: sf.org.adminUsername, decision }),
    });
    assert.equal(answer.status, 302);
    return answer.headers.get("location") ?? "";
  };

  const connection = async (id: string, settings: Record<string, string>) => {
    const created = await server.request("POST", "/idp/spConnections", connectionWithTarget(id, settings));
    assert.equal(created.statusCode, 201, created.body);
  };

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer({ clock });
    await server.adminApp.listen({ port: 0, host: "127.0.0.1" });
    const address = server.adminApp.server.address();
    admin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    await connection("acme", {
      SALESFORCE_DOMAIN: sf.url,
      CLIENT_ID: sf.org.clientId,
      CLIENT_SECRET: sf.org.clientSecret,
    });
  });
  after(async () => {
    await server.dispose();
    await sf.close();
  });

  it("gets tokens through the consent page and stores them sealed, ready for use", async () => {
    const started = await start("acme");
    assert.equal(started.status, 200);
    assert.equal(started.body.redirectUri, `${admin}/pf-admin-api/v1/provisioning/oauth/callback`);
    const authorize = new URL(started.body.authorizeUrl ?? "");
    assert.equal(`${authorize.origin}${authorize.pathname}`, `${sf.url}/services/oauth2/authorize`);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    assert.equal(authorize.searchParams.get("redirect_uri"), started.body.redirectUri);

    const callback = await decide(authorize.toString(), "allow");
    assert.ok(callback.startsWith(started.body.redirectUri ?? "-"), callback);
    const page = await fetch(callback);
    const html = await page.text();
    assert.equal(page.status, 200, html);
    assert.match(html, /Connected to Salesforce/);
    assert.ok(html.includes(`as ${sf.org.adminUsername} at ${sf.org.instanceUrl}`), html);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    assert.equal(page.headers.get("cache-control"), "no-store");
    const state = await sf.control<{ tokens: { access: { token: string }[]; refresh: { token: string }[] } }>(
      "GET",
      "/state",
    );
    for (const t of [...state.tokens.access, ...state.tokens.refresh])
      assert.equal(html.includes(t.token), false);

    const stored = (await server.request("GET", "/idp/spConnections/acme")).json();
    const settings = new Map(
      (
        stored.outboundProvision.targetSettings as { name: string; value?: string; encryptedValue?: string }[]
      ).map((s) => [s.name, s]),
    );
    assert.equal(settings.get("AUTH_METHOD")?.value, "REFRESH_TOKEN");
    for (const name of ["OAUTH_ACCESS_TOKEN", "OAUTH_REFRESH_TOKEN"]) {
      assert.equal(settings.get(name)?.value, undefined, name);
      assert.match(settings.get(name)?.encryptedValue ?? "", /^v2\./, name);
    }

    await sf.clearRequests();
    const { client } = await salesforceTargetFor(server.context, "acme");
    assert.equal((await client.query("SELECT Id FROM User LIMIT 1")).length, 1);
    assert.deepEqual(
      (await sf.requests()).map((r) => r.kind),
      ["rest.query"],
      "the granted session was stored: no token request before the first call",
    );
    assert.equal((await server.request("POST", "/provisioning/connections/acme/test")).statusCode, 200);

    const events = (await server.request("GET", "/auditLog?limit=50")).json().items as {
      action: string;
      actor: string;
      outcome: string;
    }[];
    const complete = events.find((e) => e.action === "provisioning.connect.complete");
    assert.equal(complete?.actor, "admin");
    assert.equal(complete?.outcome, "SUCCESS");

    const replay = await fetch(callback);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /Link already used[\s\S]*PROV_CONNECT_STATE_USED/);
  });

  it("shows a clear page when access is denied, with Salesforce's words as text", async () => {
    const denied = await fetch(await decide((await start("acme")).body.authorizeUrl ?? "", "deny"));
    assert.equal(denied.status, 400);
    assert.match(await denied.text(), /Access not allowed[\s\S]*access_denied[\s\S]*PROV_CONNECT_DENIED/);

    const state = new URL((await start("acme")).body.authorizeUrl ?? "").searchParams.get("state") ?? "";
    const crafted = new URL(`${admin}/pf-admin-api/v1/provisioning/oauth/callback`);
    crafted.search = new URLSearchParams({
      state,
      error: "access_denied",
      error_description: "<b>no</b>",
    }).toString();
    const page = await (await fetch(crafted)).text();
    assert.ok(page.includes("&lt;b&gt;no&lt;/b&gt;"), page);
    assert.equal(page.includes("<b>no</b>"), false);
  });

  it("refuses a forged state and an expired one", async () => {
    const forged = await fetch(
      `${admin}/pf-admin-api/v1/provisioning/oauth/callback?code=abc&state=v1.forged`,
    );
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /Link not valid[\s\S]*PROV_CONNECT_STATE_INVALID/);

    const started = await start("acme");
    clock.advance(11 * 60 * 1000);
    const late = await fetch(await decide(started.body.authorizeUrl ?? "", "allow"));
    assert.equal(late.status, 400);
    assert.match(await late.text(), /Link expired[\s\S]*PROV_CONNECT_STATE_EXPIRED/);
  });

  it("needs the connected app's key and secret first, and an admin to ask", async () => {
    await connection("keyless", { SALESFORCE_DOMAIN: sf.url, CLIENT_ID: sf.org.clientId });
    const refused = await start("keyless");
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, "PROV_TARGET_INCOMPLETE");
    assert.match(refused.body.detail ?? "", /CLIENT_SECRET/);
    const anonymous = await fetch(`${admin}/pf-admin-api/v1/provisioning/connections/acme/oauth/start`, {
      method: "POST",
      headers: { "x-xsrf-header": "test" },
    });
    assert.equal(anonymous.status, 401);
  });
});
