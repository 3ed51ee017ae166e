import { randomBytes } from "node:crypto";

/** A browser session the SP started after a successful SAML login. */
export type Session = {
  id: string;
  userId: string;
  username: string;
  /** The Subject NameID, for matching an IdP's LogoutRequest. */
  nameId: string;
  sessionIndex?: string;
  issuer: string;
  acsUrl: string;
  createdAt: string;
};

export const SESSION_COOKIE = "sid";

/** Salesforce session ids look like `<orgId>!<opaque>`. */
export function newSessionId(orgId: string): string {
  return `${orgId}!${randomBytes(48).toString("base64url")}`;
}

export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(id)}; Path=/; HttpOnly; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/** The `sid` cookie from a Cookie header, without needing @fastify/cookie. */
export function sessionIdFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
