import { randomBytes } from "node:crypto";

/**
 * Sessions and refresh tokens (salesforce-api.md §1.3–1.6). Access tokens look like Salesforce's:
 * the 15-character org id, `!`, then random characters. A refresh token belongs to a chain; with
 * rotation, using one replaces it, and reusing a replaced one revokes the whole chain.
 */

export type AccessToken = {
  token: string;
  userId: string;
  clientId: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  chain: string | null;
  revoked: boolean;
};

export type RefreshToken = {
  token: string;
  userId: string;
  clientId: string;
  scope: string;
  chain: string;
  rotated: boolean;
  revoked: boolean;
};

export type AuthorizationCode = {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: string;
  expiresAt: number;
};

function random(bytes: number): string {
  return randomBytes(bytes).toString("base64url").replace(/-/g, ".");
}

export class TokenStore {
  readonly access = new Map<string, AccessToken>();
  readonly refresh = new Map<string, RefreshToken>();
  readonly codes = new Map<string, AuthorizationCode>();

  issueAccess(orgId15: string, fields: Omit<AccessToken, "token" | "revoked">): AccessToken {
    const token: AccessToken = { ...fields, token: `${orgId15}!${random(72)}`, revoked: false };
    this.access.set(token.token, token);
    return token;
  }

  issueRefresh(
    fields: Omit<RefreshToken, "token" | "rotated" | "revoked" | "chain">,
    chain?: string,
  ): RefreshToken {
    const token: RefreshToken = {
      ...fields,
      token: `5Aep861${random(60)}`,
      chain: chain ?? random(12),
      rotated: false,
      revoked: false,
    };
    this.refresh.set(token.token, token);
    return token;
  }

  issueCode(fields: Omit<AuthorizationCode, "code">): AuthorizationCode {
    const code: AuthorizationCode = { ...fields, code: `aPrx${random(48)}` };
    this.codes.set(code.code, code);
    return code;
  }

  /** Takes a code out of the store: codes are single-use. */
  redeemCode(code: string): AuthorizationCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    return found;
  }

  /** The live session for a bearer token, or undefined when unknown, revoked or expired. */
  session(token: string, now: number): AccessToken | undefined {
    const found = this.access.get(token);
    if (found === undefined || found.revoked || now >= found.expiresAt) return undefined;
    return found;
  }

  revokeChain(chain: string): void {
    for (const r of this.refresh.values()) if (r.chain === chain) r.revoked = true;
    for (const a of this.access.values()) if (a.chain === chain) a.revoked = true;
  }

  /** `/services/oauth2/revoke`: a refresh token takes its access tokens with it (§1.5). */
  revoke(token: string): boolean {
    const refresh = this.refresh.get(token);
    if (refresh !== undefined) {
      this.revokeChain(refresh.chain);
      return true;
    }
    const access = this.access.get(token);
    if (access !== undefined) {
      access.revoked = true;
      return true;
    }
    return false;
  }

  /** Ends sessions now, as if they had timed out; refresh tokens keep working. */
  expire(now: number, filter: { userId?: string; token?: string } = {}): number {
    let n = 0;
    for (const a of this.access.values()) {
      if (filter.userId !== undefined && a.userId !== filter.userId) continue;
      if (filter.token !== undefined && a.token !== filter.token) continue;
      if (a.expiresAt > now) {
        a.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.access.clear();
    this.refresh.clear();
    this.codes.clear();
  }

  toJSON(): { access: AccessToken[]; refresh: RefreshToken[] } {
    return { access: [...this.access.values()], refresh: [...this.refresh.values()] };
  }

  load(state: { access?: AccessToken[]; refresh?: RefreshToken[] }): void {
    this.clear();
    for (const a of state.access ?? []) this.access.set(a.token, a);
    for (const r of state.refresh ?? []) this.refresh.set(r.token, r);
  }
}
