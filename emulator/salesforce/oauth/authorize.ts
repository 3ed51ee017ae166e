import type { ConnectedApp, Org } from "../org.ts";
import type { Params } from "./client.ts";
import { grantedScopes } from "./token-endpoint.ts";
import type { TokenStore } from "./tokens.ts";

/**
 * `/services/oauth2/authorize` for the web server flow: a consent page with Allow and Deny, then a
 * redirect to the registered callback with `code` and `state`. A bad client id or redirect URI is
 * shown on the page, never redirected, as Salesforce does.
 */

export type AuthorizeResult =
  | { kind: "page"; status: number; html: string }
  | { kind: "redirect"; location: string };

const codeLifetimeMs = 15 * 60 * 1000;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function callbackAllowed(app: ConnectedApp, uri: string): boolean {
  return app.callbackUrls.some((c) => (c.endsWith("*") ? uri.startsWith(c.slice(0, -1)) : c === uri));
}

function errorPage(error: string, description: string): AuthorizeResult {
  const html = `<!doctype html><html><head><title>Error</title></head><body><h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p><p id="error">error=${escapeHtml(error)}&amp;error_description=${escapeHtml(description)}</p></body></html>`;
  return { kind: "page", status: 400, html };
}

function redirect(uri: string, params: Record<string, string>): AuthorizeResult {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { kind: "redirect", location: url.toString() };
}

/** Checks client_id and redirect_uri; errors here are shown, not sent to the redirect URI. */
function checkClient(org: Org, params: Params): ConnectedApp | AuthorizeResult {
  const app = org.connectedApp;
  if (params.client_id !== app.clientId) return errorPage("invalid_client_id", "client identifier invalid");
  if (params.redirect_uri === undefined || !callbackAllowed(app, params.redirect_uri)) {
    return errorPage("redirect_uri_mismatch", "redirect_uri must match configuration");
  }
  return app;
}

const carried = [
  "response_type",
  "client_id",
  "redirect_uri",
  "state",
  "scope",
  "code_challenge",
  "code_challenge_method",
];

function consentPage(org: Org, app: ConnectedApp, params: Params, message?: string): AuthorizeResult {
  const hidden = carried
    .filter((k) => params[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params[k] ?? "")}">`)
    .join("");
  const admin = org.get("User", org.adminUserId);
  const username = params.username ?? params.login_hint ?? String(admin?.Username ?? "");
  const scopes = grantedScopes(app, params.scope)
    .map((s) => `<li>${escapeHtml(s)}</li>`)
    .join("");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Allow Access?</title></head><body>
<h1>Allow Access?</h1>
<p><strong>${escapeHtml(app.name)}</strong> is asking to:</p><ul>${scopes}</ul>
${message === undefined ? "" : `<p id="error" role="alert">${escapeHtml(message)}</p>`}
<form method="post" action="/services/oauth2/authorize">${hidden}
<label>Signed in as <input name="username" value="${escapeHtml(username)}"></label>
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow" id="oaapprove">Allow</button>
</form></body></html>`;
  return { kind: "page", status: message === undefined ? 200 : 400, html };
}

export function authorizePage(org: Org, params: Params): AuthorizeResult {
  const checked = checkClient(org, params);
  if ("kind" in checked) return checked;
  if (params.response_type !== "code") {
    return redirect(params.redirect_uri ?? "", {
      error: "unsupported_response_type",
      error_description: "response type not supported",
      ...(params.state === undefined ? {} : { state: params.state }),
    });
  }
  return consentPage(org, checked, params);
}

export function authorizeDecision(org: Org, tokens: TokenStore, params: Params): AuthorizeResult {
  const checked = checkClient(org, params);
  if ("kind" in checked) return checked;
  const state = params.state === undefined ? {} : { state: params.state };
  const redirectUri = params.redirect_uri ?? "";
  if (params.decision !== "allow") {
    return redirect(redirectUri, {
      error: "access_denied",
      error_description: "end-user denied authorization",
      ...state,
    });
  }
  const user = org.userByUsername(params.username ?? "");
  if (user === undefined || user.IsActive !== true || org.userLoginOf(user.Id)?.IsFrozen === true) {
    return consentPage(
      org,
      checked,
      params,
      "Please check your username and password. If you still can't log in, contact your Salesforce administrator.",
    );
  }
  const code = tokens.issueCode({
    clientId: checked.clientId,
    redirectUri,
    userId: user.Id,
    scope: grantedScopes(checked, params.scope).join(" "),
    codeChallenge: params.code_challenge ?? null,
    codeChallengeMethod: params.code_challenge_method ?? "S256",
    expiresAt: org.clock().getTime() + codeLifetimeMs,
  });
  return redirect(redirectUri, { code: code.code, ...state });
}
