import { sign } from "node:crypto";
import { type Harness, newUser, type Reply, start } from "./support.ts";

/**
 * The token endpoint's refusals (salesforce-api.md §1), one row each: the grant as sent, and the
 * error and error_description Salesforce answers with. oauth.test.ts sends them.
 */

export type Keys = { key: string; cert: string };

export function jwt(
  key: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256" },
): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), key).toString("base64url")}`;
}

export const jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export type ErrorCase = {
  name: string;
  run(h: Harness, keys: { good: Keys; other: Keys }): Promise<Reply>;
  error: string;
  description: string;
};

export const cc = (h: Harness, extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: h.info.clientId,
  client_secret: h.info.clientSecret,
  ...extra,
});

export const claims = (h: Harness, extra: Record<string, unknown> = {}) => ({
  iss: h.info.clientId,
  sub: h.info.adminUsername,
  aud: h.info.loginUrl,
  exp: Math.floor(start / 1000) + 180,
  ...extra,
});

export const errorCases: ErrorCase[] = [
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
