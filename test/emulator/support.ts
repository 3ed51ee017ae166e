import { createEmulator, type Emulator, type EmulatorOptions } from "../../emulator/salesforce/app.ts";

/** An in-process emulator with a clock the test moves, signed in as the integration user. */

export type OrgInfo = {
  orgId: string;
  orgId15: string;
  instanceUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  adminUsername: string;
  adminUserId: string;
  apiVersion: string;
  profiles: Record<string, string>;
  roles: Record<string, string>;
  permissionSets: Record<string, string>;
  groups: Record<string, string>;
  accounts: Record<string, string>;
  communities: { name: string; urlPathPrefix: string; siteId: string }[];
};

export type Reply = {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | number | undefined>;
};

export type Harness = {
  emulator: Emulator;
  info: OrgInfo;
  token: string;
  now(): number;
  advance(ms: number): void;
  /** A REST call under /services/data/v66.0 (or an absolute path), authenticated unless told. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A control API call. */
  control(method: string, path: string, body?: unknown): Promise<Reply>;
  /** A form POST, as OAuth clients send. */
  form(path: string, params: Record<string, string>, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
};

export const start = Date.parse("2026-07-01T12:00:00.000Z");

function reply(res: { statusCode: number; body: string; headers: Reply["headers"] }): Reply {
  let body: unknown = res.body;
  if (res.body !== "") {
    try {
      body = JSON.parse(res.body);
    } catch {
      body = res.body;
    }
  }
  return { status: res.statusCode, body, headers: res.headers };
}

export async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  let now = start;
  const emulator = createEmulator({ clock: () => new Date(now), ...options });
  const app = emulator.app;
  const control = async (method: string, path: string, body?: unknown): Promise<Reply> =>
    reply(
      await app.inject({
        method: method as "GET",
        url: `/_emulator${path}`,
        ...(body === undefined
          ? {}
          : { payload: JSON.stringify(body), headers: { "content-type": "application/json" } }),
      }),
    );
  const form = async (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    reply(
      await app.inject({
        method: "POST",
        url: path,
        payload: new URLSearchParams(params).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      }),
    );
  const info = (await control("GET", "/org")).body as OrgInfo;
  const token = (
    (
      await form("/services/oauth2/token", {
        grant_type: "client_credentials",
        client_id: info.clientId,
        client_secret: info.clientSecret,
      })
    ).body as { access_token: string }
  ).access_token;
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    reply(
      await app.inject({
        method: method as "GET",
        url: path.startsWith("/") ? path : `/services/data/v66.0/${path}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
      }),
    );
  return {
    emulator,
    info,
    token,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    api,
    control,
    form,
    close: () => emulator.close(),
  };
}

/** A valid new internal user; override any field. */
export function newUser(
  info: OrgInfo,
  n: string | number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const username = `user${n}@test.example.com`;
  return {
    Username: username,
    Email: username,
    FirstName: "Test",
    LastName: `User${n}`,
    Alias: `u${n}`.slice(0, 8),
    TimeZoneSidKey: "Europe/London",
    LocaleSidKey: "en_GB",
    EmailEncodingKey: "UTF-8",
    LanguageLocaleKey: "en_US",
    ProfileId: info.profiles["Standard User"],
    ...fields,
  };
}

/** Calls counted so far toward DailyApiRequests, as the control API reports them. */
export async function apiUsed(h: Harness): Promise<number> {
  return ((await h.control("GET", "/stats")).body as { apiUsage: { used: number } }).apiUsage.used;
}

export function firstError(body: unknown): {
  errorCode?: string;
  statusCode?: string;
  message: string;
  fields?: string[];
} {
  const list = Array.isArray(body) ? body : [];
  return list[0] as { errorCode?: string; message: string; fields?: string[] };
}
