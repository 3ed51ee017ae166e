import { createHash, randomBytes } from "node:crypto";
import { networkError, type TokenErrorHints, tokenError } from "./errors.ts";

/** Salesforce's OAuth endpoints (salesforce-api.md §1): token requests and the authorize URL. */

export type TokenResponse = {
  readonly accessToken: string;
  /** Only from the web server flow, and from a refresh when the app rotates refresh tokens. */
  readonly refreshToken: string | undefined;
  readonly instanceUrl: string;
  /** `https://login.salesforce.com/id/{orgId}/{userId}` (§1.3). */
  readonly identityUrl: string | undefined;
  readonly scope: string | undefined;
};

export type Grant =
  | { readonly type: "refresh_token"; readonly refreshToken: string }
  | { readonly type: "client_credentials" }
  | { readonly type: "jwt_bearer"; readonly assertion: string }
  | {
      readonly type: "authorization_code";
      readonly code: string;
      readonly redirectUri: string;
      readonly codeVerifier: string;
    };

export type OAuthClient = {
  /** The SALESFORCE_DOMAIN origin, e.g. `https://acme.my.salesforce.com`. */
  readonly origin: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
};

const grantParams = (grant: Grant): Record<string, string> => {
  switch (grant.type) {
    case "refresh_token":
      return { grant_type: "refresh_token", refresh_token: grant.refreshToken };
    case "client_credentials":
      return { grant_type: "client_credentials" };
    case "jwt_bearer":
      return { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: grant.assertion };
    case "authorization_code":
      return {
        grant_type: "authorization_code",
        code: grant.code,
        redirect_uri: grant.redirectUri,
        code_verifier: grant.codeVerifier,
      };
  }
};

/** An instance URL Salesforce named: https, or http on a loopback address (the emulator). */
const usableInstanceUrl = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined;
  try {
    const url = new URL(value);
    const loopback = /^(127\.|localhost$|\[::1\]$)/.test(url.hostname);
    return url.protocol === "https:" || (url.protocol === "http:" && loopback) ? url.origin : undefined;
  } catch {
    return undefined;
  }
};

/** POST /services/oauth2/token, form-encoded (§1.1); every failure is translated in errors.ts. */
export const requestToken = async (
  client: OAuthClient,
  grant: Grant,
  options: { timeoutMs: number; hints?: Omit<TokenErrorHints, "host"> },
): Promise<TokenResponse> => {
  const url = `${client.origin}/services/oauth2/token`;
  const params = new URLSearchParams({ ...grantParams(grant), client_id: client.clientId });
  // The JWT grant authenticates with its signature; the others send the secret when there is one.
  if (client.clientSecret !== undefined && grant.type !== "jwt_bearer")
    params.set("client_secret", client.clientSecret);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: params.toString(),
      redirect: "error",
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw networkError(error, "token", url, options.timeoutMs);
  }
  const hints = { host: new URL(url).host, ...options.hints };
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const instanceUrl = usableInstanceUrl(record.instance_url);
  if (!response.ok || typeof record.access_token !== "string" || instanceUrl === undefined) {
    throw tokenError(response.ok ? 502 : response.status, body, hints);
  }
  return {
    accessToken: record.access_token,
    refreshToken: typeof record.refresh_token === "string" ? record.refresh_token : undefined,
    instanceUrl,
    identityUrl: typeof record.id === "string" ? record.id : undefined,
    scope: typeof record.scope === "string" ? record.scope : undefined,
  };
};

/** A PKCE pair (RFC 7636 §4.1–4.2): a 256-bit verifier and its S256 challenge. */
export const pkcePair = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
};

/** The web server flow's authorize URL, asking for API access and a refresh token. */
export const authorizeUrl = (
  client: Pick<OAuthClient, "origin" | "clientId">,
  options: { redirectUri: string; state: string; codeChallenge: string },
): string => {
  const url = new URL(`${client.origin}/services/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: options.redirectUri,
    scope: "api refresh_token",
    state: options.state,
    code_challenge: options.codeChallenge,
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
};
