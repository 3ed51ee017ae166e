import { X509Certificate } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type FaultKind, faultKinds } from "../faults.ts";
import type { ConnectedApp } from "../org.ts";
import { apiRecord } from "../records.ts";
import type { EmulatorState } from "../state.ts";
import { isPlainObject } from "../values.ts";
import { queryParams, rawBody } from "./body.ts";
import { bad, ControlError } from "./control-error.ts";
import { customField } from "./control-fields.ts";
import { seedRecords } from "./control-seed.ts";

/**
 * The control API under `/_emulator/` (issue 4, item 5): no authentication, and only on the
 * emulator. Errors here are `{error, message}` — they are the emulator's, not Salesforce's.
 */

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const raw = rawBody(req.body);
  if (raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad("The body is not valid JSON.");
  }
  if (!isPlainObject(parsed)) throw bad("The body must be a JSON object.");
  return parsed;
}

function orgInfo(state: EmulatorState): Record<string, unknown> {
  const org = state.org;
  const admin = org.get("User", org.adminUserId);
  const byName = (type: string, key: string): Record<string, string> =>
    Object.fromEntries([...org.rows(type)].map((r) => [String(r[key]), r.Id]));
  return {
    orgId: org.settings.orgId,
    orgId15: org.orgId15,
    myDomain: org.settings.myDomain,
    instanceUrl: org.instanceUrl,
    loginUrl: org.loginUrl,
    tokenUrl: `${org.loginUrl}/services/oauth2/token`,
    samlLoginUrl: `${org.instanceUrl}?so=${org.orgId15}`,
    clientId: org.connectedApp.clientId,
    clientSecret: org.connectedApp.clientSecret,
    adminUsername: admin?.Username ?? null,
    adminUserId: org.adminUserId,
    apiVersion: `${org.settings.maxApiVersion}.0`,
    minApiVersion: `${org.settings.minApiVersion}.0`,
    communities: org.communities,
    profiles: byName("Profile", "Name"),
    roles: byName("UserRole", "DeveloperName"),
    permissionSets: Object.fromEntries(
      [...org.rows("PermissionSet")]
        .filter((p) => p.IsOwnedByProfile !== true)
        .map((p) => [String(p.Name), p.Id]),
    ),
    groups: Object.fromEntries(
      [...org.rows("Group")].filter((g) => g.Type === "Regular").map((g) => [String(g.DeveloperName), g.Id]),
    ),
    accounts: byName("Account", "Name"),
    licenses: licenses(state),
    apiUsage: { used: org.settings.apiRequestsUsed, max: org.settings.dailyApiRequests },
  };
}

function licenses(state: EmulatorState): Record<string, { total: number; used: number }> {
  const org = state.org;
  const out: Record<string, { total: number; used: number }> = {};
  for (const l of org.rows("UserLicense")) {
    out[String(l.Name)] = { total: Number(l.TotalLicenses), used: org.usedLicenses(l.Id) };
  }
  for (const [f, total] of Object.entries(org.featureLicenses)) {
    out[f] = { total, used: org.store.table("User").lookup(`feature:${f}`, "1").size };
  }
  return out;
}

function updateApp(app: ConnectedApp, body: Record<string, unknown>): void {
  if ("jwtCertificate" in body) {
    const pem = body.jwtCertificate;
    if (pem !== null) {
      if (typeof pem !== "string") throw bad("jwtCertificate must be a PEM certificate or null.");
      try {
        new X509Certificate(pem);
      } catch {
        throw bad("jwtCertificate is not a valid X.509 certificate.");
      }
    }
    app.jwtCertificate = pem;
  }
  if (typeof body.rotateRefreshTokens === "boolean") app.rotateRefreshTokens = body.rotateRefreshTokens;
  if (typeof body.tokenLifetimeSeconds === "number" && body.tokenLifetimeSeconds > 0) {
    app.tokenLifetimeSeconds = body.tokenLifetimeSeconds;
  }
  if (Array.isArray(body.callbackUrls)) app.callbackUrls = body.callbackUrls.map(String);
  if (Array.isArray(body.scopes)) app.scopes = body.scopes.map(String);
  if (typeof body.name === "string") app.name = body.name;
  if ("runAsUsername" in body)
    app.runAsUsername = typeof body.runAsUsername === "string" ? body.runAsUsername : null;
  if ("approvedUsernames" in body) {
    app.approvedUsernames = Array.isArray(body.approvedUsernames) ? body.approvedUsernames.map(String) : null;
  }
}

export function registerControl(scope: FastifyInstance, state: EmulatorState, save: () => unknown): void {
  const route = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    handler: (req: FastifyRequest) => unknown,
    status = 200,
  ): void => {
    scope.route({
      method,
      url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          return reply.code(status).send(handler(req));
        } catch (err) {
          if (err instanceof ControlError)
            return reply.code(400).send({ error: "bad_request", message: err.message });
          throw err;
        }
      },
    });
  };

  route("GET", "/_emulator/org", () => orgInfo(state));
  route("POST", "/_emulator/reset", (req) => {
    state.reset({ revokeTokens: jsonBody(req).revokeTokens === true });
    return orgInfo(state);
  });
  route("POST", "/_emulator/seed", (req) => seedRecords(state, jsonBody(req)), 201);
  route(
    "POST",
    "/_emulator/fields",
    (req) => {
      const body = jsonBody(req);
      const type = state.org.schema.type(String(body.object ?? ""));
      if (type === undefined) throw bad(`Unknown sObject type ${String(body.object)}.`);
      const fields = (Array.isArray(body.fields) ? body.fields : [body]).map(customField);
      for (const f of fields) state.org.addCustomField(type.name, f);
      return { object: type.name, fields: fields.map((f) => f.name) };
    },
    201,
  );
  route("GET", "/_emulator/requests", (req) => {
    const q = queryParams(req.url);
    return {
      requests: state.traffic.requests({
        ...(q.since === undefined ? {} : { since: Number(q.since) }),
        ...(q.limit === undefined ? {} : { limit: Number(q.limit) }),
        ...(q.path === undefined ? {} : { path: q.path }),
      }),
    };
  });
  route("DELETE", "/_emulator/requests", () => {
    state.traffic.clear();
    return { cleared: true };
  });
  route("GET", "/_emulator/stats", () => {
    const org = state.org;
    const records = Object.fromEntries(
      org.schema.types.map((t) => [t.name, org.store.table(t.name).rows.size]),
    );
    return {
      ...state.traffic.stats(),
      apiUsage: { used: org.settings.apiRequestsUsed, max: org.settings.dailyApiRequests },
      records,
      bulkJobs: state.jobs.counts(),
    };
  });
  route("GET", "/_emulator/faults", () => state.faults.list());
  route("POST", "/_emulator/faults", (req) => {
    const body = jsonBody(req);
    if (typeof body.latencyMs === "number") state.faults.latencyMs = Math.max(0, body.latencyMs);
    if (body.kind !== undefined) {
      const kind = String(body.kind) as FaultKind;
      if (!faultKinds.includes(kind)) throw bad(`kind must be one of ${faultKinds.join(", ")}.`);
      state.faults.add({
        kind,
        count: typeof body.count === "number" ? body.count : 1,
        method: typeof body.method === "string" ? body.method : null,
        path: typeof body.path === "string" ? body.path : null,
        ...(typeof body.hangMs === "number" ? { hangMs: body.hangMs } : {}),
      });
    }
    return state.faults.list();
  });
  route("DELETE", "/_emulator/faults", () => {
    state.faults.clear();
    return state.faults.list();
  });
  route("POST", "/_emulator/expire-tokens", (req) => {
    const body = jsonBody(req);
    const user = typeof body.username === "string" ? state.org.userByUsername(body.username) : undefined;
    const userId = typeof body.userId === "string" ? body.userId : user?.Id;
    if (typeof body.username === "string" && user === undefined) throw bad(`Unknown user ${body.username}.`);
    const expired = state.tokens.expire(state.org.clock().getTime(), {
      ...(userId === undefined ? {} : { userId }),
      ...(typeof body.token === "string" ? { token: body.token } : {}),
    });
    return { expired };
  });
  route("GET", "/_emulator/connected-app", () => state.org.connectedApp);
  route("PUT", "/_emulator/connected-app", (req) => {
    updateApp(state.org.connectedApp, jsonBody(req));
    return state.org.connectedApp;
  });
  route("PUT", "/_emulator/licenses", (req) => {
    const org = state.org;
    for (const [name, total] of Object.entries(jsonBody(req))) {
      if (typeof total !== "number" || total < 0) throw bad(`${name}: the total must be a number.`);
      if (name.startsWith("UserPermissions")) {
        org.featureLicenses[name] = total;
        org.installFeatureLicenseIndexes();
        continue;
      }
      const license =
        org.findOne("UserLicense", "Name", name.toLowerCase()) ??
        [...org.rows("UserLicense")].find((l) => l.Name === name);
      if (license === undefined) throw bad(`Unknown licence ${name}.`);
      org.store.put("UserLicense", { ...license, TotalLicenses: total });
    }
    return licenses(state);
  });
  route("PUT", "/_emulator/limits", (req) => {
    const body = jsonBody(req);
    const s = state.org.settings;
    if (typeof body.dailyApiRequests === "number") s.dailyApiRequests = body.dailyApiRequests;
    if (typeof body.apiRequestsUsed === "number") s.apiRequestsUsed = body.apiRequestsUsed;
    return { used: s.apiRequestsUsed, max: s.dailyApiRequests };
  });
  route("PUT", "/_emulator/settings", (req) => {
    const body = jsonBody(req);
    const org = state.org;
    if (typeof body.federationIdCaseInsensitive === "boolean") {
      org.settings.federationIdCaseInsensitive = body.federationIdCaseInsensitive;
    }
    if (Array.isArray(body.reservedUsernames)) {
      org.reservedUsernames = new Set(body.reservedUsernames.map((u) => String(u).toLowerCase()));
    }
    return { ...org.settings, reservedUsernames: [...org.reservedUsernames] };
  });
  route("GET", "/_emulator/records/:type", (req) => {
    const org = state.org;
    const type = org.schema.type((req.params as { type: string }).type);
    if (type === undefined) throw bad("Unknown sObject type.");
    const version = `${org.settings.maxApiVersion}.0`;
    const records = [...org.rows(type.name)].map((r) => apiRecord(org, type, r, version));
    return { type: type.name, totalSize: records.length, records };
  });
  route("GET", "/_emulator/state", () => save());
}
