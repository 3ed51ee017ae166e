import { createServer, type Server } from "node:http";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/salesforce/app.ts";
import type { ConfigField, SpConnection } from "../../src/domain/sp-connection.ts";
import { salesforceConnection } from "./cli.ts";

/** The Salesforce emulator on a real socket, as Portico's provisioning target in tests. */

export type EmulatedOrg = {
  orgId: string;
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  adminUsername: string;
  adminUserId: string;
  profiles: Record<string, string>;
};

export type LoggedCall = { seq: number; method: string; path: string; kind: string; status: number };

export type SalesforceEmulator = {
  emulator: Emulator;
  url: string;
  org: EmulatedOrg;
  /** A control-API call (`/_emulator/…`); throws unless it succeeds. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Requests the emulator received since the last `clearRequests`, oldest first. */
  requests(path?: string): Promise<LoggedCall[]>;
  clearRequests(): Promise<void>;
  /** A REST call as the org's admin (through a client-credentials token of its own). */
  asAdmin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
};

export const startSalesforceEmulator = async (options: EmulatorOptions = {}): Promise<SalesforceEmulator> => {
  const emulator = createEmulator(options);
  const url = await emulator.listen(0, "127.0.0.1");
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_emulator${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const org = await control<EmulatedOrg>("GET", "/org");
  let adminToken: string | undefined;
  const asAdmin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    adminToken ??= (
      (await (
        await fetch(`${url}/services/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            client_id: org.clientId,
            client_secret: org.clientSecret,
          }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    const response = await fetch(`${url}/services/data/v66.0/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === "" ? undefined : JSON.parse(text)) as T;
  };
  return {
    emulator,
    url,
    org,
    control,
    requests: async (path) =>
      (await control<{ requests: LoggedCall[] }>("GET", "/requests?limit=100000")).requests
        .filter((r) => path === undefined || r.path.startsWith(path))
        .sort((a, b) => a.seq - b.seq),
    clearRequests: async () => {
      await control("DELETE", "/requests");
    },
    asAdmin,
    close: () => emulator.close(),
  };
};

/**
 * A refresh token the way an admin gets one: the web server flow's consent, allowed as the org's
 * admin, and the code exchanged (salesforce-api.md §1.2c).
 */
export const refreshTokenFor = async (sf: SalesforceEmulator): Promise<string> => {
  const redirectUri = "http://localhost:1/callback";
  const consent = await fetch(`${sf.url}/services/oauth2/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      response_type: "code",
      client_id: sf.org.clientId,
      redirect_uri: redirectUri,
      scope: "api refresh_token",
      username: sf.org.adminUsername,
      decision: "allow",
    }),
  });
  const code = new URL(consent.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const token = await fetch(`${sf.url}/services/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      client_id: sf.org.clientId,
      client_secret: sf.org.clientSecret,
    }),
  });
  const body = (await token.json()) as { refresh_token?: string };
  if (body.refresh_token === undefined) throw new Error("the emulator issued no refresh token");
  return body.refresh_token;
};

type Org = Pick<SalesforceEmulator, "url" | "org">;

/** Target settings for each AUTH_METHOD against an emulated org. */
export const clientCredentialsSettings = (sf: Org): Record<string, string> => ({
  SALESFORCE_DOMAIN: sf.url,
  AUTH_METHOD: "CLIENT_CREDENTIALS",
  CLIENT_ID: sf.org.clientId,
  CLIENT_SECRET: sf.org.clientSecret,
});

export const refreshTokenSettings = (sf: Org, refreshToken: string): Record<string, string> => ({
  SALESFORCE_DOMAIN: sf.url,
  CLIENT_ID: sf.org.clientId,
  CLIENT_SECRET: sf.org.clientSecret,
  OAUTH_REFRESH_TOKEN: refreshToken,
});

export const jwtSettings = (sf: Org, keyPairId = "default-signing"): Record<string, string> => ({
  SALESFORCE_DOMAIN: sf.url,
  AUTH_METHOD: "JWT_BEARER",
  CLIENT_ID: sf.org.clientId,
  JWT_USERNAME: sf.org.adminUsername,
  JWT_SIGNING_CERTIFICATE: keyPairId,
});

/** A connection document whose Salesforce target has exactly `settings`. */
export const connectionWithTarget = (id: string, settings: Record<string, string>): SpConnection => {
  const document = salesforceConnection({
    id,
    entityId: `https://${id}.my.salesforce.com`,
    name: `Salesforce ${id}`,
    clientSecret: "unused",
  }) as SpConnection;
  const target = document.outboundProvision;
  if (target === undefined) throw new Error("the document has no outboundProvision");
  target.targetSettings = Object.entries(settings).map(([name, value]): ConfigField => ({ name, value }));
  return document;
};

/** A plain HTTP server that is not Salesforce: every path answers 404 with HTML. */
export const startNotSalesforce = async (): Promise<{ url: string; close(): Promise<void> }> => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
