import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { assertProblem } from "../support/errors.ts";
import { freePort } from "../support/federation.ts";
import {
  clientCredentialsSettings,
  connectionWithTarget,
  jwtSettings,
  refreshTokenFor,
  refreshTokenSettings,
  type SalesforceEmulator,
  startNotSalesforce,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * `POST /provisioning/connections/{id}/test`: success says who Portico acts as in which org; each
 * failure names its reason with its own code — wrong domain, bad client id or secret, a dead
 * refresh token, a JWT the org refuses, and an API user without the permissions provisioning needs.
 */

describe("the connection test", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;
  let n = 0;

  const testWith = async (settings: Record<string, string>) => {
    const id = `t${++n}`;
    const created = await server.request("POST", "/idp/spConnections", connectionWithTarget(id, settings));
    assert.equal(created.statusCode, 201, created.body);
    return server.request("POST", `/provisioning/connections/${id}/test`);
  };
  const failsWith = async (settings: Record<string, string>, code: ErrorCode, detail: RegExp) => {
    const problem = assertProblem(await testWith(settings), code, 422);
    assert.match(problem.detail, detail);
    return problem;
  };
  const cc = () => clientCredentialsSettings(sf);
  const jwt = () => jwtSettings(sf);

  before(async () => {
    sf = await startSalesforceEmulator();
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
    await sf.close();
  });

  it("succeeds with the org, the instance URL and the API user", async () => {
    const response = await testWith(cc());
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json();
    assert.equal(result.success, true);
    assert.equal(result.organizationId, sf.org.orgId);
    assert.equal(result.instanceUrl, sf.org.instanceUrl);
    assert.equal(result.user.username, sf.org.adminUsername);
    assert.equal(result.user.profile, "System Administrator");
    assert.deepEqual(result.permissions, { apiEnabled: true, manageUsers: true, createUsers: true });
  });

  it("says the domain is wrong when it does not resolve, refuses connections, or is not Salesforce", async () => {
    await failsWith(
      { ...cc(), SALESFORCE_DOMAIN: "https://portico-no-such-org.invalid" },
      "PROV_TARGET_DOMAIN_INVALID",
      /does not resolve/,
    );
    const closed = await freePort();
    await failsWith(
      { ...cc(), SALESFORCE_DOMAIN: `http://127.0.0.1:${closed}` },
      "PROV_TARGET_DOMAIN_INVALID",
      /refused the connection/,
    );
    const other = await startNotSalesforce();
    try {
      await failsWith(
        { ...cc(), SALESFORCE_DOMAIN: other.url },
        "PROV_TARGET_DOMAIN_INVALID",
        /not a Salesforce login service/,
      );
    } finally {
      await other.close();
    }
  });

  it("tells a bad client id from a bad secret", async () => {
    await failsWith(
      { ...cc(), CLIENT_ID: "3MVG9.unknown" },
      "PROV_TARGET_AUTH_CLIENT_ID",
      /CLIENT_ID \(Consumer Key\)/,
    );
    await failsWith(
      { ...cc(), CLIENT_SECRET: "not-the-secret" },
      "PROV_TARGET_AUTH_CLIENT_SECRET",
      /CLIENT_SECRET/,
    );
  });

  it("says when the refresh token was revoked", async () => {
    const refreshToken = await refreshTokenFor(sf);
    const settings = refreshTokenSettings(sf, refreshToken);
    assert.equal((await testWith(settings)).statusCode, 200);
    await fetch(`${sf.url}/services/oauth2/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refreshToken }),
    });
    await failsWith(
      settings,
      "PROV_TARGET_AUTH_REFRESH_TOKEN",
      /expired or was revoked; use Connect to Salesforce again/,
    );
  });

  it("says which certificate to upload, and when the JWT user is not approved or the audience is wrong", async () => {
    await failsWith(
      jwt(),
      "PROV_TARGET_AUTH_JWT_SIGNATURE",
      /certificate of signing key pair "default-signing"/,
    );
    const certificate = (await server.request("GET", "/keyPairs/signing/default-signing/certificate")).body;
    await sf.control("PUT", "/connected-app", { jwtCertificate: certificate });
    const response = await testWith(jwt());
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(Object.keys(response.json().jwtSigningCertificate), [
      "keyPairId",
      "sha256Fingerprint",
      "download",
    ]);
    assert.equal(
      response.json().jwtSigningCertificate.download,
      "/pf-admin-api/v1/keyPairs/signing/default-signing/certificate",
    );

    await failsWith(
      { ...jwt(), JWT_AUDIENCE: "https://elsewhere.example.com" },
      "PROV_TARGET_AUTH_JWT_AUDIENCE",
      /JWT audience/,
    );
    await sf.control("PUT", "/connected-app", { approvedUsernames: [] });
    try {
      await failsWith(
        jwt(),
        "PROV_TARGET_AUTH_JWT_NOT_APPROVED",
        new RegExp(`${sf.org.adminUsername} is not pre-authorized`),
      );
    } finally {
      await sf.control("PUT", "/connected-app", { approvedUsernames: null });
    }
  });

  it("says when the API user lacks Manage Users, or API access", async () => {
    const userOf = (username: string, profile: string, alias: string) => ({
      Username: username,
      Email: username,
      LastName: alias,
      Alias: alias,
      TimeZoneSidKey: "Europe/London",
      LocaleSidKey: "en_GB",
      EmailEncodingKey: "UTF-8",
      LanguageLocaleKey: "en_US",
      ProfileId: sf.org.profiles[profile],
    });
    await sf.asAdmin(
      "POST",
      "sobjects/User",
      userOf("plain.user@acme.example.com", "Standard User", "plain"),
    );
    await sf.asAdmin(
      "POST",
      "sobjects/User",
      userOf("chatter.user@acme.example.com", "Chatter Free User", "chat"),
    );
    try {
      await sf.control("PUT", "/connected-app", { runAsUsername: "plain.user@acme.example.com" });
      await failsWith(
        cc(),
        "PROV_TARGET_PERMISSION_MISSING",
        /plain\.user@acme\.example\.com \(profile Standard User\) lacks "Manage Users"/,
      );
      await sf.control("PUT", "/connected-app", { runAsUsername: "chatter.user@acme.example.com" });
      await failsWith(cc(), "PROV_TARGET_API_DISABLED", /lacks "API Enabled"/);
    } finally {
      await sf.control("PUT", "/connected-app", { runAsUsername: sf.org.adminUsername });
    }
  });

  it("says when the org does not offer the API version", async () => {
    await failsWith(
      { ...cc(), API_VERSION: "67.0" },
      "PROV_TARGET_API_VERSION",
      /not 67\.0: change API_VERSION/,
    );
  });

  it("names what is missing, and refuses a connection that provisions nothing", async () => {
    const problem = await failsWith(
      { SALESFORCE_DOMAIN: sf.url, AUTH_METHOD: "CLIENT_CREDENTIALS", CLIENT_ID: sf.org.clientId },
      "PROV_TARGET_INCOMPLETE",
      /\(CLIENT_SECRET\): is required when AUTH_METHOD is CLIENT_CREDENTIALS/,
    );
    assert.equal(problem.status, 422);
    const document = connectionWithTarget("bare", {});
    delete document.outboundProvision;
    assert.equal((await server.request("POST", "/idp/spConnections", document)).statusCode, 201);
    const bare = await server.request("POST", "/provisioning/connections/bare/test");
    assertProblem(bare, "PROV_TARGET_NOT_CONFIGURED");
    const missing = await server.request("POST", "/provisioning/connections/nope/test");
    assertProblem(missing, "CONN_NOT_FOUND");
  });

  it("audits each test with its outcome and code, never a secret", async () => {
    const events = (await server.request("GET", "/auditLog?limit=200")).json().items as {
      action: string;
      outcome: string;
      detail: Record<string, unknown> | null;
    }[];
    const tests = events.filter((e) => e.action === "provisioning.target.test");
    assert.ok(tests.some((e) => e.outcome === "SUCCESS" && e.detail?.username === sf.org.adminUsername));
    assert.ok(
      tests.some((e) => e.outcome === "FAILURE" && e.detail?.code === "PROV_TARGET_AUTH_CLIENT_SECRET"),
    );
    assert.equal(JSON.stringify(events).includes(sf.org.clientSecret), false);
  });
});
