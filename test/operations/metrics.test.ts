import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertProblem } from "../support/errors.ts";
import { metricsResponse, sample, scrape } from "../support/metrics.ts";
import { acme, type ProvisioningBench, staffGroup, startProvisioningBench } from "../support/provisioning.ts";
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

describe("GET /metrics on the admin listener", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  it("refuses a scrape without credentials, and answers Prometheus's text format to an admin", async () => {
    const anonymous = await metricsResponse(server, null);
    assertProblem(anonymous, "AUTH_REQUIRED");
    assert.match(String(anonymous.headers["www-authenticate"]), /Bearer/, "a scraper's API token will do");
    assert.doesNotMatch(anonymous.body, /portico_/);

    const text = await scrape(server);
    const response = await metricsResponse(server);
    assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    assert.ok((sample(text, "process_cpu_user_seconds_total") ?? 0) > 0, "process metrics");
    assert.ok(sample(text, "nodejs_heap_size_used_bytes") !== undefined);
    assert.equal(sample(text, "portico_database_pool_connections", { state: "total", dialect: "sqlite" }), 1);
    assert.equal(
      sample(text, "portico_database_pool_connections", { state: "waiting", dialect: "sqlite" }),
      0,
    );
    // This server runs no provisioning scheduler: no queue to report.
    assert.equal(sample(text, "portico_provisioning_channels", { state: "running" }), undefined);
  });

  it("counts a real IdP-initiated SSO by outcome and connection, and never names the user", async () => {
    const jar = cookieJar();
    const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;
    const form = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    const wrong = await submitSignInForm(server.runtimeApp, jar, form.body, "ada", "not-her-password");
    assert.equal(wrong.statusCode, 401);
    const posted = await submitSignInForm(server.runtimeApp, jar, wrong.body, "ada", "ada-password-1");
    const { samlResponse } = readPostForm(posted.body);
    assert.ok(samlResponse, "an assertion was posted");
    const unknown = await browserInject(server.runtimeApp, cookieJar(), {
      method: "GET",
      url: "/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Fnobody.example.com",
    });
    assert.equal(unknown.statusCode, 400);

    const text = await scrape(server);
    const sso = (outcome: string, connection: string) =>
      sample(text, "portico_sso_requests_total", { outcome, connection });
    assert.equal(sso("login_form", "salesforce"), 1);
    assert.equal(sso("login_failed", "salesforce"), 1);
    assert.equal(sso("assertion", "salesforce"), 1);
    assert.equal(sso("refused", ""), 1, "an unknown SP is refused, and its name is no label");
    assert.equal(sample(text, "portico_sso_request_duration_seconds_count", { outcome: "assertion" }), 1);
    assert.ok((sample(text, "portico_sso_request_duration_seconds_sum", { outcome: "assertion" }) ?? 0) > 0);
    assert.equal(
      sample(text, "portico_http_request_duration_seconds_count", {
        listener: "runtime",
        route: "/idp/startSSO.ping",
        method: "GET",
        status: "400",
      }),
      1,
    );
    assert.doesNotMatch(text, /\bada\b|nobody\.example|not-her-password/, "no user, SP name or password");
    assert.ok(!text.includes(samlResponse.slice(0, 40)), "no assertion");
  });

  it("labels admin routes as declared, not with the ids asked for", async () => {
    await server.request("GET", "/idp/spConnections/no-such-connection");
    const text = await scrape(server);
    assert.equal(
      sample(text, "portico_http_request_duration_seconds_count", {
        listener: "admin",
        route: "/pf-admin-api/v1/idp/spConnections/:id",
        method: "GET",
        status: "404",
      }),
      1,
    );
    assert.doesNotMatch(text, /no-such-connection/);
  });
});

describe("GET /metrics with PORTICO_METRICS_PUBLIC=true", () => {
  it("answers a scraper without credentials", async () => {
    const server = await startTestServer({ env: { PORTICO_METRICS_PUBLIC: "true" } });
    try {
      const response = await metricsResponse(server, null);
      assert.equal(response.statusCode, 200);
      assert.ok(sample(response.body, "process_resident_memory_bytes") !== undefined);
    } finally {
      await server.dispose();
    }
  });
});

describe("provisioning metrics after a real cycle against the Salesforce emulator", () => {
  let bench: ProvisioningBench;
  before(async () => {
    bench = await startProvisioningBench();
  });
  after(() => bench.dispose());

  it("counts operations by type and result, token refreshes, and the last cycle's age", async () => {
    await bench.configure();
    await staffGroup(bench.server.context, []);
    await bench.person("grace");
    await bench.person("linus");
    await bench.run();
    assert.ok(await bench.sfUser(acme("grace")), "the cycle created the user in the emulator");

    const text = await scrape(bench.server);
    const operations = (type: string, result: string) =>
      sample(text, "portico_provisioning_operations_total", {
        connection: "org",
        channel: "staff",
        type,
        result,
      });
    assert.equal(operations("CREATE", "success"), 2);
    assert.equal(operations("CYCLE", "success"), 1);
    assert.ok((sample(text, "portico_salesforce_token_refreshes_total", { connection: "org" }) ?? 0) >= 1);
    const age = sample(text, "portico_provisioning_last_cycle_age_seconds", {
      connection: "org",
      channel: "staff",
    });
    assert.ok(age !== undefined && age >= 0 && age < 60, `last cycle age ${age}`);
    assert.doesNotMatch(text, /grace|linus/, "no user names in labels");

    await bench.run();
    const again = await scrape(bench.server);
    assert.equal(
      sample(again, "portico_provisioning_operations_total", {
        connection: "org",
        channel: "staff",
        type: "CYCLE",
        result: "success",
      }),
      2,
      "the counter moves with each cycle",
    );
  });
});
