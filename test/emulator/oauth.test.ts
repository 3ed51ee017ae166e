import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { selfSignedTls } from "../../emulator/salesforce/tls.ts";
import { cc, claims, errorCases, jwt, jwtGrant, type Keys } from "./oauth-cases.ts";
import { type Harness, harness, start } from "./support.ts";

/** The token endpoint (salesforce-api.md §1): grants, errors, lifetimes, revocation. */

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
