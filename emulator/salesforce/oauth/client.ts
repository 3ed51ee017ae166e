import { createHash, timingSafeEqual } from "node:crypto";
import type { ConnectedApp, Org } from "../org.ts";
import { OAuthError } from "./errors.ts";

/** Client authentication: `client_id`/`client_secret` in the body or HTTP Basic (§1.1). */

export type Params = Record<string, string>;

export function secretsEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

export function clientFrom(
  authorization: string | undefined,
  params: Params,
): { id?: string; secret?: string } {
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? "");
  if (basic !== null) {
    const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    }
  }
  const out: { id?: string; secret?: string } = {};
  if (params.client_id !== undefined) out.id = params.client_id;
  if (params.client_secret !== undefined) out.secret = params.client_secret;
  return out;
}

export function findApp(org: Org, clientId: string | undefined): ConnectedApp {
  const app = org.connectedApp;
  if (clientId === undefined || clientId !== app.clientId) {
    throw new OAuthError("invalid_client_id", "client identifier invalid");
  }
  return app;
}

/** The app, once its secret is checked; `optional` lets a missing secret through (PKCE, refresh). */
export function authenticateClient(
  org: Org,
  client: { id?: string; secret?: string },
  secret: "required" | "optional",
): ConnectedApp {
  const app = findApp(org, client.id);
  if (client.secret === undefined) {
    if (secret === "required") throw new OAuthError("invalid_client", "invalid client credentials");
    return app;
  }
  if (!secretsEqual(client.secret, app.clientSecret)) {
    throw new OAuthError("invalid_client", "invalid client credentials");
  }
  return app;
}
