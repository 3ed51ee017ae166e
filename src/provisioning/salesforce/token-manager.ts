import type { TokenResponse } from "./oauth.ts";

/**
 * One connection's access token (salesforce-api.md §1.6, after jsforce): obtained by the
 * configured grant, kept in memory and, through `persistence`, in Portico's store. After a 401
 * there is one renewal in flight at a time, and every caller that saw the same dead token waits
 * for it. A rotated refresh token is saved before the new access token is used or returned: the
 * old one is dead the moment Salesforce answers, so losing the new one would lose the connection.
 */

export type Session = {
  readonly accessToken: string;
  readonly instanceUrl: string;
  readonly identityUrl: string | undefined;
};

export type StoredTokens = Session & { readonly refreshToken: string | undefined };

export type TokenPersistence = {
  /** The tokens stored for the connection as configured now; undefined when none (or stale). */
  load(): Promise<StoredTokens | undefined>;
  save(tokens: StoredTokens): Promise<void>;
};

/** Calls the token endpoint; `refreshToken` is the newest one known (refresh-token grant only). */
export type Grant = (refreshToken: string | undefined) => Promise<TokenResponse>;

export type TokenManager = {
  /** The current session, obtained on first use. */
  session(): Promise<Session>;
  /**
   * A session other than `failed` (the one a 401 came back for). Without `failed`, always a new
   * token from the grant: what a connection test needs to prove the credentials.
   */
  renew(failed?: Session): Promise<Session>;
};

export const createTokenManager = (options: {
  grant: Grant;
  persistence: TokenPersistence;
  /** OAUTH_REFRESH_TOKEN as configured, used until a stored (rotated) one exists. */
  configuredRefreshToken: string | undefined;
}): TokenManager => {
  const { grant, persistence } = options;
  let current: StoredTokens | undefined;
  let inFlight: Promise<StoredTokens> | undefined;

  const obtain = async (failedToken: string | undefined, force: boolean): Promise<StoredTokens> => {
    const stored = await persistence.load();
    // Another node, or this one before a restart, may already hold a newer session.
    if (!force && stored !== undefined && stored.accessToken !== failedToken) return stored;
    const refreshToken = stored?.refreshToken ?? options.configuredRefreshToken;
    const response = await grant(refreshToken);
    const next: StoredTokens = {
      accessToken: response.accessToken,
      instanceUrl: response.instanceUrl,
      identityUrl: response.identityUrl,
      refreshToken: response.refreshToken ?? refreshToken,
    };
    await persistence.save(next);
    return next;
  };

  const single = (work: () => Promise<StoredTokens>): Promise<StoredTokens> => {
    inFlight ??= work()
      .then((tokens) => {
        current = tokens;
        return tokens;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    session: async () => current ?? single(() => obtain(undefined, false)),
    renew: async (failed) => {
      if (failed !== undefined && current !== undefined && current.accessToken !== failed.accessToken) {
        return current;
      }
      if (inFlight !== undefined) return inFlight;
      current = undefined;
      return single(() => obtain(failed?.accessToken, failed === undefined));
    },
  };
};
