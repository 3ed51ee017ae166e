import { verify, X509Certificate } from "node:crypto";
import type { ConnectedApp, Org } from "../org.ts";
import type { SRecord } from "../store.ts";
import { findApp } from "./client.ts";
import { invalidGrant } from "./errors.ts";

/**
 * The JWT bearer grant (salesforce-api.md §1.2b): RS256 only, verified against the certificate
 * uploaded to the app; `iss` = client id, `sub` (or the legacy `prn`, which wins) = username,
 * `aud` = the login URL, `exp` not in the past.
 */

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function audiences(org: Org): Set<string> {
  const base = org.loginUrl.replace(/\/$/, "");
  return new Set([base, `${base}/`, org.instanceUrl, "https://login.salesforce.com"]);
}

export function verifyJwtBearer(
  org: Org,
  assertion: string | undefined,
): { app: ConnectedApp; user: SRecord } {
  const parts = (assertion ?? "").split(".");
  const [h, p, s] = parts;
  const header = decodePart(h);
  const claims = decodePart(p);
  if (parts.length !== 3 || header === undefined || claims === undefined || s === undefined) {
    throw invalidGrant("invalid assertion");
  }
  const app = findApp(org, typeof claims.iss === "string" ? claims.iss : undefined);
  if (header.alg !== "RS256" || app.jwtCertificate === null) throw invalidGrant("invalid assertion");
  let valid = false;
  try {
    const key = new X509Certificate(app.jwtCertificate).publicKey;
    valid = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"));
  } catch {
    valid = false;
  }
  if (!valid) throw invalidGrant("invalid assertion");
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.some((a) => typeof a === "string" && audiences(org).has(a)))
    throw invalidGrant("audience is invalid");
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= org.clock().getTime()) {
    throw invalidGrant("expired authorization code");
  }
  const subject = typeof claims.prn === "string" ? claims.prn : claims.sub;
  const user = typeof subject === "string" ? org.userByUsername(subject) : undefined;
  const approved =
    user !== undefined &&
    (app.approvedUsernames === null ||
      app.approvedUsernames.some((u) => u.toLowerCase() === String(user.Username).toLowerCase()));
  if (user === undefined || !approved) throw invalidGrant("user hasn't approved this consumer");
  return { app, user };
}
