import assert from "node:assert/strict";
import { createHash, createHmac, sign } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { selfSignedTls } from "../../emulator/salesforce/tls.ts";
import { firstError, type Harness, harness, newUser, type Reply, start } from "./support.ts";

/** The token endpoint and sessions (salesforce-api.md §1): grants, errors, lifetimes, revocation. */

type Keys = { key: string; cert: string };

function jwt(
  key: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256" },
): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), key).toString("base64url")}`;
}

const jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

type ErrorCase = {
  name: string;
  run(h: Harness, keys: { good: Keys; other: Keys }): Promise<Reply>;
  error: string;
  description: string;
};

const cc = (h: Harness, extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: h.info.clientId,
  client_secret: h.info.clientSecret,
  ...extra,
});

const claims = (h: Harness, extra: Record<string, unknown> = {}) => ({
  iss: h.info.clientId,
  sub: h.info.adminUsername,
  aud: h.info.loginUrl,
  exp: Math.floor(start / 1000) + 180,
  ...extra,
});

const errorCases: ErrorCase[] = [
  {
    name: "a wrong client secret",
    run: (h) => h.form("/services/oauth2/token", cc(h, { client_secret: "wrong" })),
    error: "invalid_client",
    description: "invalid client credentials",
  },
  {
    name: "an unknown client id",
    run: (h) => h.form("/services/oauth2/token", cc(h, { client_id: "3MVG9nope" })),
    error: "invalid_client_id",
    description: "client identifier invalid",
  },
  {
    name: "client credentials on the login host",
    run: (h) => h.form("/services/oauth2/token", cc(h), { host: "login.salesforce.com" }),
    error: "invalid_grant",
    description: "request not supported on this domain",
  },
  {
    name: "client credentials with no usable scope",
    run: (h) => h.form("/services/oauth2/token", cc(h, { scope: "refresh_token" })),
    error: "invalid_grant",
    description: "no valid scopes defined",
  },
  {
    name: "client credentials without a run-as user",
    run: async (h) => {
      await h.control("PUT", "/connected-app", { runAsUsername: null });
      return h.form("/services/oauth2/token", cc(h));
    },
    error: "invalid_grant",
    description: "no client credentials user enabled",
  },
  {
    name: "no grant type",
    run: (h) => h.form("/services/oauth2/token", { client_id: h.info.clientId }),
    error: "invalid_request",
    description: "missing required parameter: grant_type",
  },
  {
    name: "the password grant, which the app does not allow",
    run: (h) => h.form("/services/oauth2/token", { grant_type: "password", username: "a", password: "b" }),
    error: "unsupported_grant_type",
    description: "grant type not supported",
  },
  {
    name: "a refresh token nobody issued",
    run: (h) =>
      h.form("/services/oauth2/token", cc(h, { grant_type: "refresh_token", refresh_token: "5Aep861nope" })),
    error: "invalid_grant",
    description: "expired access/refresh token",
  },
  {
    name: "a JWT signed with another key",
    run: (h, k) =>
      h.form("/services/oauth2/token", { grant_type: jwtGrant, assertion: jwt(k.other.key, claims(h)) }),
    error: "invalid_grant",
    description: "invalid assertion",
  },
  {
    name: "a JWT that is not RS256",
    run: (h, k) =>
      h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h), { alg: "RS512" }),
      }),
    error: "invalid_grant",
    description: "invalid assertion",
  },
  {
    name: "a JWT for another audience",
    run: (h, k) =>
      h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h, { aud: "https://test.salesforce.com" })),
      }),
    error: "invalid_grant",
    description: "audience is invalid",
  },
  {
    name: "an expired JWT",
    run: (h, k) =>
      h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h, { exp: Math.floor(start / 1000) - 1 })),
      }),
    error: "invalid_grant",
    description: "expired authorization code",
  },
  {
    name: "a JWT for an unknown user",
    run: (h, k) =>
      h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h, { sub: "nobody@example.com" })),
      }),
    error: "invalid_grant",
    description: "user hasn't approved this consumer",
  },
  {
    name: "a JWT for a user the app is not approved for",
    run: async (h, k) => {
      await h.control("PUT", "/connected-app", { approvedUsernames: ["someone.else@example.com"] });
      return h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h)),
      });
    },
    error: "invalid_grant",
    description: "user hasn't approved this consumer",
  },
  {
    name: "a JWT from an unknown consumer",
    run: (h, k) =>
      h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h, { iss: "3MVG9nope" })),
      }),
    error: "invalid_client_id",
    description: "client identifier invalid",
  },
  {
    name: "a JWT for a frozen user",
    run: async (h, k) => {
      const created = await h.api("POST", "sobjects/User", newUser(h.info, "jwtfrozen"));
      const id = (created.body as { id: string }).id;
      const q = await h.api(
        "GET",
        `query?q=${encodeURIComponent(`SELECT Id FROM UserLogin WHERE UserId = '${id}'`)}`,
      );
      const loginId = (q.body as { records: { Id: string }[] }).records[0]?.Id;
      await h.api("PATCH", `sobjects/UserLogin/${loginId}`, { IsFrozen: true });
      return h.form("/services/oauth2/token", {
        grant_type: jwtGrant,
        assertion: jwt(k.good.key, claims(h, { sub: "userjwtfrozen@test.example.com" })),
      });
    },
    error: "invalid_grant",
    description: "authentication failure",
  },
];

describe("OAuth token endpoint", () => {
  let h: Harness;
  let keys: { good: Keys; other: Keys };
  before(async () => {
    keys = { good: await selfSignedTls(), other: await selfSignedTls() };
    h = await harness();
  });
  beforeEach(async () => {
    await h.control("POST", "/reset");
    await h.control("PUT", "/connected-app", { jwtCertificate: keys.good.cert });
  });
  after(async () => {
    await h.close();
  });

  for (const c of errorCases) {
    it(`refuses ${c.name}`, async () => {
      const res = await c.run(h, keys);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual(res.body, { error: c.error, error_description: c.description });
    });
  }

  it("client credentials: Salesforce's response fields, a signature over id + issued_at, no expires_in", async () => {
    const res = await h.form("/services/oauth2/token", cc(h));
    assert.equal(res.status, 200);
    const body = res.body as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), [
      "access_token",
      "id",
      "instance_url",
      "issued_at",
      "scope",
      "signature",
      "token_type",
    ]);
    assert.ok(body.access_token?.startsWith(`${h.info.orgId15}!`));
    assert.equal(body.instance_url, h.info.instanceUrl);
    assert.equal(body.id, `${h.info.loginUrl}/id/${h.info.orgId}/${h.info.adminUserId}`);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.issued_at, String(start));
    assert.equal(body.scope, "api id web");
    const expected = createHmac("sha256", h.info.clientSecret)
      .update(`${body.id}${body.issued_at}`)
      .digest("base64");
    assert.equal(body.signature, expected);
  });

  it("client credentials in an HTTP Basic header", async () => {
    const basic = Buffer.from(`${h.info.clientId}:${h.info.clientSecret}`).toString("base64");
    const res = await h.form(
      "/services/oauth2/token",
      { grant_type: "client_credentials" },
      { authorization: `Basic ${basic}` },
    );
    assert.equal(res.status, 200);
  });

  it("JWT bearer: a session for the subject, without a refresh token", async () => {
    const res = await h.form("/services/oauth2/token", {
      grant_type: jwtGrant,
      assertion: jwt(keys.good.key, claims(h)),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as Record<string, string>;
    assert.equal(body.refresh_token, undefined);
    assert.ok(body.id?.endsWith(`/${h.info.adminUserId}`));
    const call = await h.api("GET", "limits", undefined, { authorization: `Bearer ${body.access_token}` });
    assert.equal(call.status, 200);
  });

  it("web server flow: consent page, Allow, code for tokens, refresh", async () => {
    const redirect = "http://localhost:9999/callback";
    const query = new URLSearchParams({
      response_type: "code",
      client_id: h.info.clientId,
      redirect_uri: redirect,
      state: "s-1",
      scope: "api refresh_token",
    });
    const page = await h.emulator.app.inject({ method: "GET", url: `/services/oauth2/authorize?${query}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Allow Access\?/);
    assert.match(page.body, /name="decision" value="allow"/);

    const allow = await h.form("/services/oauth2/authorize", {
      ...Object.fromEntries(query),
      username: h.info.adminUsername,
      decision: "allow",
    });
    assert.equal(allow.status, 302);
    const location = new URL(String(allow.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, redirect);
    assert.equal(location.searchParams.get("state"), "s-1");
    const code = location.searchParams.get("code") ?? "";

    const exchange = {
      grant_type: "authorization_code",
      code,
      redirect_uri: redirect,
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    };
    const tokens = await h.form("/services/oauth2/token", exchange);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const { refresh_token: refresh, scope } = tokens.body as Record<string, string>;
    assert.match(String(refresh), /^5Aep861/);
    assert.equal(scope, "api refresh_token");

    const reused = await h.form("/services/oauth2/token", exchange);
    assert.deepEqual(reused.body, {
      error: "invalid_grant",
      error_description: "invalid authorization code",
    });

    const refreshed = await h.form("/services/oauth2/token", {
      grant_type: "refresh_token",
      refresh_token: String(refresh),
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    });
    assert.equal(refreshed.status, 200);
    assert.equal(
      (refreshed.body as Record<string, string>).refresh_token,
      undefined,
      "no rotation: no new refresh token",
    );
  });

  it("authorize shows, and does not redirect, a bad client id or redirect URI", async () => {
    const base = {
      response_type: "code",
      client_id: h.info.clientId,
      redirect_uri: "https://evil.example.com/cb",
    };
    const badRedirect = await h.emulator.app.inject({
      method: "GET",
      url: `/services/oauth2/authorize?${new URLSearchParams(base)}`,
    });
    assert.equal(badRedirect.statusCode, 400);
    assert.match(badRedirect.body, /error=redirect_uri_mismatch/);
    const badClient = await h.emulator.app.inject({
      method: "GET",
      url: `/services/oauth2/authorize?${new URLSearchParams({ ...base, client_id: "nope", redirect_uri: "http://localhost:1/cb" })}`,
    });
    assert.equal(badClient.statusCode, 400);
    assert.match(badClient.body, /error=invalid_client_id/);
  });

  it("Deny redirects with access_denied", async () => {
    const res = await h.form("/services/oauth2/authorize", {
      response_type: "code",
      client_id: h.info.clientId,
      redirect_uri: "http://localhost:9999/cb",
      state: "x",
      decision: "deny",
    });
    assert.equal(res.status, 302);
    const location = new URL(String(res.headers.location));
    assert.equal(location.searchParams.get("error"), "access_denied");
    assert.equal(location.searchParams.get("state"), "x");
  });

  it("PKCE: the code verifier replaces the secret and must match", async () => {
    const verifier = "v".repeat(64);
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const params = {
      response_type: "code",
      client_id: h.info.clientId,
      redirect_uri: "http://127.0.0.1:5000/cb",
      code_challenge: challenge,
      code_challenge_method: "S256",
      decision: "allow",
      username: h.info.adminUsername,
    };
    const codeOf = async () =>
      new URL(String((await h.form("/services/oauth2/authorize", params)).headers.location)).searchParams.get(
        "code",
      ) ?? "";
    const exchange = (code: string, codeVerifier: string) =>
      h.form("/services/oauth2/token", {
        grant_type: "authorization_code",
        code,
        redirect_uri: params.redirect_uri,
        client_id: h.info.clientId,
        code_verifier: codeVerifier,
      });
    assert.deepEqual((await exchange(await codeOf(), "w".repeat(64))).body, {
      error: "invalid_grant",
      error_description: "invalid code verifier",
    });
    assert.equal((await exchange(await codeOf(), verifier)).status, 200);
  });

  it("a code redeemed with another redirect URI", async () => {
    const allow = await h.form("/services/oauth2/authorize", {
      response_type: "code",
      client_id: h.info.clientId,
      redirect_uri: "http://localhost:9999/cb",
      decision: "allow",
      username: h.info.adminUsername,
    });
    const code = new URL(String(allow.headers.location)).searchParams.get("code") ?? "";
    const res = await h.form("/services/oauth2/token", {
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://localhost:9999/other",
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    });
    assert.deepEqual(res.body, {
      error: "redirect_uri_mismatch",
      error_description: "redirect_uri must match configuration",
    });
  });

  async function refreshTokenFor(): Promise<string> {
    const allow = await h.form("/services/oauth2/authorize", {
      response_type: "code",
      client_id: h.info.clientId,
      redirect_uri: "http://localhost:9999/cb",
      scope: "api refresh_token",
      decision: "allow",
      username: h.info.adminUsername,
    });
    const code = new URL(String(allow.headers.location)).searchParams.get("code") ?? "";
    const res = await h.form("/services/oauth2/token", {
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://localhost:9999/cb",
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    });
    return (res.body as { refresh_token: string }).refresh_token;
  }

  const refresh = (token: string) =>
    h.form("/services/oauth2/token", {
      grant_type: "refresh_token",
      refresh_token: token,
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    });

  it("refresh-token rotation: a new token each time; reusing an old one revokes the chain", async () => {
    await h.control("PUT", "/connected-app", { rotateRefreshTokens: true });
    const first = await refreshTokenFor();
    const rotated = await refresh(first);
    const second = (rotated.body as { refresh_token: string }).refresh_token;
    assert.match(second, /^5Aep861/);
    assert.notEqual(second, first);
    assert.deepEqual((await refresh(first)).body, {
      error: "invalid_grant",
      error_description: "expired access/refresh token",
    });
    assert.equal((await refresh(second)).status, 400, "the whole chain is revoked");
  });

  it("revoking a refresh token ends its sessions too", async () => {
    const token = await refreshTokenFor();
    const session = ((await refresh(token)).body as { access_token: string }).access_token;
    const revoked = await h.form("/services/oauth2/revoke", { token });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body, "");
    assert.equal((await refresh(token)).status, 400);
    const call = await h.api("GET", "limits", undefined, { authorization: `Bearer ${session}` });
    assert.equal(call.status, 401);
    assert.deepEqual((await h.form("/services/oauth2/revoke", { token: "nope" })).body, {
      error: "invalid_token",
      error_description: "invalid token",
    });
  });
});

describe("sessions on REST calls", () => {
  let h: Harness;
  before(async () => {
    h = await harness({ tokenLifetimeSeconds: 60 });
  });
  after(async () => {
    await h.close();
  });

  const sessionExpired = [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }];

  it("a session ends after the configured lifetime, with 401 INVALID_SESSION_ID", async () => {
    const token = ((await h.form("/services/oauth2/token", cc(h))).body as { access_token: string })
      .access_token;
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await h.api("GET", "limits", undefined, auth)).status, 200);
    h.advance(60_000);
    const res = await h.api("GET", "limits", undefined, auth);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, sessionExpired);
  });

  const table: { name: string; headers: Record<string, string>; status: number; errorCode: string }[] = [
    {
      name: "no Authorization header",
      headers: { authorization: "" },
      status: 401,
      errorCode: "INVALID_SESSION_ID",
    },
    {
      name: "an unknown token",
      headers: { authorization: "Bearer 00Dnope!x" },
      status: 401,
      errorCode: "INVALID_SESSION_ID",
    },
    {
      name: "a Basic header",
      headers: { authorization: "Basic YTpi" },
      status: 401,
      errorCode: "INVALID_AUTH_HEADER",
    },
  ];
  for (const c of table) {
    it(`refuses ${c.name}`, async () => {
      const res = await h.api("GET", "limits", undefined, c.headers);
      assert.equal(res.status, c.status);
      assert.equal(firstError(res.body).errorCode, c.errorCode);
    });
  }

  it("takes the OAuth scheme as well as Bearer", async () => {
    const token = ((await h.form("/services/oauth2/token", cc(h))).body as { access_token: string })
      .access_token;
    assert.equal((await h.api("GET", "limits", undefined, { authorization: `OAuth ${token}` })).status, 200);
  });

  it("expire-tokens ends sessions now", async () => {
    const token = ((await h.form("/services/oauth2/token", cc(h))).body as { access_token: string })
      .access_token;
    const expired = await h.control("POST", "/expire-tokens", {});
    assert.ok((expired.body as { expired: number }).expired >= 1);
    const res = await h.api("GET", "limits", undefined, { authorization: `Bearer ${token}` });
    assert.deepEqual(res.body, sessionExpired);
  });

  it("the identity URL answers for the session's user", async () => {
    const body = (await h.form("/services/oauth2/token", cc(h))).body as { access_token: string; id: string };
    const path = new URL(body.id).pathname;
    const res = await h.emulator.app.inject({
      method: "GET",
      url: path,
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(res.statusCode, 200);
    const identity = res.json() as Record<string, unknown>;
    assert.equal(identity.user_id, h.info.adminUserId);
    assert.equal(identity.organization_id, h.info.orgId);
    assert.equal(identity.username, h.info.adminUsername);
  });
});
