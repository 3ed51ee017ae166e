import { createHash, createHmac } from "node:crypto";
import type { ConnectedApp, Org } from "../org.ts";
import type { SRecord } from "../store.ts";
import { authenticateClient, clientFrom, type Params } from "./client.ts";
import { invalidGrant, OAuthError } from "./errors.ts";
import { identityUrl } from "./identity.ts";
import { verifyJwtBearer } from "./jwt.ts";
import type { TokenStore } from "./tokens.ts";

/** `POST /services/oauth2/token` (salesforce-api.md §1.2–1.4). */

export type TokenRequest = { params: Params; authorization: string | undefined; host: string | undefined };

export type TokenState = { org: Org; tokens: TokenStore };

const refreshScopes = new Set(["refresh_token", "offline_access"]);

/** A user who may get a session: active and not frozen, else `authentication failure` (§1.4). */
function checkUser(org: Org, user: SRecord | undefined): SRecord {
  if (user === undefined || user.IsActive !== true || org.userLoginOf(user.Id)?.IsFrozen === true) {
    throw invalidGrant("authentication failure");
  }
  return user;
}

/** Scopes the app grants for a request: the requested ones it has, or all of its own. */
export function grantedScopes(app: ConnectedApp, requested: string | undefined): string[] {
  if (requested === undefined || requested.trim() === "") return [...app.scopes];
  const asked = requested.split(/[\s+]+/).filter((s) => s !== "");
  if (app.scopes.includes("full")) return asked;
  return asked.filter((s) => app.scopes.includes(s));
}

/**
 * The token response. `session.chain` ties the access token to a refresh-token chain so revoking
 * the refresh token ends it; `session.newRefresh` issues a refresh token in that chain.
 */
function respond(
  state: TokenState,
  app: ConnectedApp,
  userId: string,
  scope: string,
  session: { chain: string | null; newRefresh: boolean },
): Record<string, string> {
  const { org, tokens } = state;
  const now = org.clock().getTime();
  const refreshToken = session.newRefresh
    ? tokens.issueRefresh({ userId, clientId: app.clientId, scope }, session.chain ?? undefined)
    : undefined;
  const access = tokens.issueAccess(org.orgId15, {
    userId,
    clientId: app.clientId,
    scope,
    issuedAt: now,
    expiresAt: now + app.tokenLifetimeSeconds * 1000,
    chain: refreshToken?.chain ?? session.chain,
  });
  const issuedAt = String(now);
  const id = identityUrl(org, userId);
  // Base64 HMAC-SHA256 of id + issued_at keyed with the client secret, as Salesforce signs (§1.3).
  const signature = createHmac("sha256", app.clientSecret)
    .update(id + issuedAt)
    .digest("base64");
  const body: Record<string, string> = { access_token: access.token };
  if (refreshToken !== undefined) body.refresh_token = refreshToken.token;
  Object.assign(body, {
    signature,
    scope,
    instance_url: org.instanceUrl,
    id,
    token_type: "Bearer",
    issued_at: issuedAt,
  });
  return body;
}

function refreshTokenGrant(state: TokenState, req: TokenRequest): Record<string, string> {
  const { org, tokens } = state;
  const app = authenticateClient(org, clientFrom(req.authorization, req.params), "required");
  const found = tokens.refresh.get(req.params.refresh_token ?? "");
  if (found === undefined || found.revoked || found.clientId !== app.clientId) {
    throw invalidGrant("expired access/refresh token");
  }
  if (found.rotated) {
    // Reusing a rotated refresh token revokes the whole chain (§1.2c).
    tokens.revokeChain(found.chain);
    throw invalidGrant("expired access/refresh token");
  }
  checkUser(org, org.get("User", found.userId));
  // Without rotation the response carries no new refresh token (§1.2c).
  if (app.rotateRefreshTokens) found.rotated = true;
  return respond(state, app, found.userId, found.scope, {
    chain: found.chain,
    newRefresh: app.rotateRefreshTokens,
  });
}

function clientCredentialsGrant(state: TokenState, req: TokenRequest): Record<string, string> {
  const { org } = state;
  // Only a My Domain host serves this flow (§1.2a).
  if (/^(login|test)\./i.test(req.host ?? "")) throw invalidGrant("request not supported on this domain");
  const app = authenticateClient(org, clientFrom(req.authorization, req.params), "required");
  if (app.runAsUsername === null) throw invalidGrant("no client credentials user enabled");
  const scopes = grantedScopes(app, req.params.scope).filter((s) => !refreshScopes.has(s) && s !== "full");
  if (scopes.length === 0) throw invalidGrant("no valid scopes defined");
  const user = checkUser(org, org.userByUsername(app.runAsUsername));
  return respond(state, app, user.Id, scopes.join(" "), { chain: null, newRefresh: false });
}

function pkceMatches(verifier: string, challenge: string, method: string): boolean {
  const computed = method === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
  return computed === challenge;
}

function authorizationCodeGrant(state: TokenState, req: TokenRequest): Record<string, string> {
  const { org, tokens } = state;
  const verifier = req.params.code_verifier;
  const app = authenticateClient(
    org,
    clientFrom(req.authorization, req.params),
    verifier === undefined ? "required" : "optional",
  );
  const code = tokens.redeemCode(req.params.code ?? "");
  if (code === undefined || code.clientId !== app.clientId) throw invalidGrant("invalid authorization code");
  if (org.clock().getTime() >= code.expiresAt) throw invalidGrant("expired authorization code");
  if ((req.params.redirect_uri ?? "") !== code.redirectUri) {
    throw new OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration");
  }
  if (code.codeChallenge !== null) {
    if (verifier === undefined || !pkceMatches(verifier, code.codeChallenge, code.codeChallengeMethod)) {
      throw invalidGrant("invalid code verifier");
    }
  }
  checkUser(org, org.get("User", code.userId));
  const wantsRefresh = code.scope.split(" ").some((s) => refreshScopes.has(s));
  return respond(state, app, code.userId, code.scope, { chain: null, newRefresh: wantsRefresh });
}

function jwtBearerGrant(state: TokenState, req: TokenRequest): Record<string, string> {
  const { app, user } = verifyJwtBearer(state.org, req.params.assertion);
  checkUser(state.org, user);
  const scope = app.scopes.filter((s) => !refreshScopes.has(s)).join(" ");
  return respond(state, app, user.Id, scope, { chain: null, newRefresh: false });
}

export function handleTokenRequest(state: TokenState, req: TokenRequest): Record<string, string> {
  const grant = req.params.grant_type;
  switch (grant) {
    case undefined:
      throw new OAuthError("invalid_request", "missing required parameter: grant_type");
    case "refresh_token":
      return refreshTokenGrant(state, req);
    case "client_credentials":
      return clientCredentialsGrant(state, req);
    case "authorization_code":
      return authorizationCodeGrant(state, req);
    case "urn:ietf:params:oauth:grant-type:jwt-bearer":
      return jwtBearerGrant(state, req);
    default:
      throw new OAuthError("unsupported_grant_type", "grant type not supported");
  }
}
