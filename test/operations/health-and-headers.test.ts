import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
  submitSignInForm,
} from "../support/sso.ts";

describe("health probes for a load balancer", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  const probe = async (app: "runtimeApp" | "adminApp", url: string) => {
    const response = await server[app].inject({ method: "GET", url });
    return { status: response.statusCode, body: response.body, cache: response.headers["cache-control"] };
  };

  it("answers live and ready on both listeners, without credentials, and the heartbeat says OK", async () => {
    for (const app of ["runtimeApp", "adminApp"] as const) {
      assert.deepEqual(await probe(app, "/healthz/live"), {
        status: 200,
        body: '{"status":"live"}',
        cache: "no-store",
      });
      assert.deepEqual(await probe(app, "/healthz/ready"), {
        status: 200,
        body: '{"status":"ready","database":"up"}',
        cache: "no-store",
      });
    }
    const heartbeat = await probe("runtimeApp", "/pf/heartbeat.ping");
    assert.deepEqual([heartbeat.status, heartbeat.body], [200, "OK"]);
  });

  it("is not ready, and the heartbeat answers 503, once the node drains; it stays live", async () => {
    server.drain();
    for (const app of ["runtimeApp", "adminApp"] as const) {
      assert.deepEqual(await probe(app, "/healthz/ready"), {
        status: 503,
        body: '{"status":"draining","database":"up"}',
        cache: "no-store",
      });
      assert.equal((await probe(app, "/healthz/live")).status, 200);
    }
    assert.equal((await probe("runtimeApp", "/pf/heartbeat.ping")).status, 503);
  });
});

describe("readiness when the database does not answer", () => {
  it("answers 503 unavailable, and liveness stays 200", async () => {
    const server = await startTestServer();
    await server.context.store.close();
    const ready = await server.runtimeApp.inject({ method: "GET", url: "/healthz/ready" });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: "unavailable", database: "down" });
    assert.equal((await server.runtimeApp.inject({ method: "GET", url: "/healthz/live" })).statusCode, 200);
    await Promise.allSettled([server.runtimeApp.close(), server.adminApp.close()]);
  });
});

describe("security headers from one place (helmet)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  it("puts the runtime's headers on every answer, with a policy that lets nothing run by default", async () => {
    const metadata = await server.runtimeApp.inject({ method: "GET", url: "/pf/federation_metadata.ping" });
    assert.equal(metadata.statusCode, 200);
    assert.equal(metadata.headers["x-frame-options"], "DENY");
    assert.equal(metadata.headers["x-content-type-options"], "nosniff");
    assert.equal(metadata.headers["referrer-policy"], "no-referrer");
    assert.equal(metadata.headers["strict-transport-security"], "max-age=31536000", "the base URL is https");
    assert.match(
      String(metadata.headers["content-security-policy"]),
      /default-src 'none'.*form-action 'none'/,
    );
  });

  it("lets the auto-POST page post only to the SP's ACS, and run only its own nonce'd script", async () => {
    const jar = cookieJar();
    const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;
    const form = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    assert.match(String(form.headers["content-security-policy"]), /form-action 'self'(;|$)/);
    assert.equal(
      form.headers["referrer-policy"],
      "same-origin",
      "the sign-in form's own POST keeps its Origin",
    );
    const posted = await submitSignInForm(server.runtimeApp, jar, form.body, "ada", "ada-password-1");
    assert.ok(readPostForm(posted.body).samlResponse);
    const csp = String(posted.headers["content-security-policy"]);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(
      nonce && posted.body.includes(`<script nonce="${nonce}"`),
      "the page's script carries the nonce",
    );
    assert.match(csp, /form-action https:\/\/acme\.my\.salesforce\.com\/(;|$)/);
    assert.equal(posted.headers["x-frame-options"], "DENY");
    assert.equal(posted.headers["cache-control"], "no-store");
  });

  it("gives the admin listener the console's strict policy, API answers included, and no HSTS", async () => {
    const version = await server.request("GET", "/version");
    const csp = String(version.headers["content-security-policy"]);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(version.headers["x-frame-options"], "DENY");
    assert.equal(version.headers["referrer-policy"], "same-origin");
    assert.equal(version.headers["strict-transport-security"], undefined);
    const signIn = await server.adminApp.inject({ method: "GET", url: "/console/signin" });
    assert.equal(signIn.headers["cache-control"], "no-store");
    assert.equal(signIn.headers["cross-origin-opener-policy"], "same-origin");
  });
});
