/**
 * What the emulator received, for tests to assert on: every request (method, path, body with
 * secrets redacted, status, time) and counts of calls by kind.
 */

export type LoggedRequest = {
  seq: number;
  time: string;
  method: string;
  path: string;
  kind: string;
  status: number;
  body: unknown;
};

/** Body and query fields that carry credentials; never kept, as a real log must not keep them. */
const secretKeys = new Set([
  "client_secret",
  "clientsecret",
  "password",
  "newpassword",
  "refresh_token",
  "access_token",
  "oauth_token",
  "assertion",
  "code",
  "code_verifier",
  "token",
  "samlresponse",
  "authorization",
]);

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[…]";
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = secretKeys.has(k.toLowerCase()) ? "[REDACTED]" : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (secretKeys.has(key.toLowerCase())) params.set(key, "[REDACTED]");
  return `${url.slice(0, q)}?${params.toString()}`;
}

/** Bulk API 2.0 calls by what they do to a job. */
function bulkVerb(method: string, id: string | undefined, sub: string | undefined): string {
  if (id === undefined) return method === "POST" ? "create" : "list";
  if (sub === undefined) return { GET: "poll", PATCH: "state", DELETE: "delete" }[method] ?? "other";
  return sub === "batches" ? "upload" : "results";
}

/** Names a call for the stats: `rest.query`, `oauth.token.client_credentials`, `saml`, … */
export function classify(method: string, url: string, body: unknown): string {
  const path = url.split("?")[0] ?? url;
  if (path.startsWith("/services/oauth2/token")) {
    const grant =
      typeof body === "object" && body !== null ? (body as Record<string, unknown>).grant_type : undefined;
    return `oauth.token.${typeof grant === "string" ? grant.replace("urn:ietf:params:oauth:grant-type:", "") : "unknown"}`;
  }
  if (path.startsWith("/services/oauth2/"))
    return `oauth.${path.slice("/services/oauth2/".length).split("/")[0]}`;
  if (path.startsWith("/id/")) return "oauth.identity";
  if (path.startsWith("/_emulator/")) return "control";
  // The SAML service provider's pages: the org and community login URLs, SP-initiated login, logout.
  if (
    path === "/" ||
    path.startsWith("/saml/") ||
    path.startsWith("/identity/saml/") ||
    path.startsWith("/services/auth/sp/saml2/") ||
    path === "/secur/logout.jsp" ||
    /^\/[^/]+\/(?:login|saml\/login)$/.test(path)
  ) {
    return "saml";
  }
  const data = /^\/services\/data(?:\/v\d+\.\d+)?(\/.*)?$/.exec(path);
  if (data === null) return "other";
  if (!/^\/services\/data\/v/.test(path)) return "rest.versions";
  const rest = (data[1] ?? "").split("/").filter((s) => s !== "");
  const [a, b, c, d] = rest;
  if (a === "sobjects") {
    if (b === undefined) return "rest.describeGlobal";
    if (c?.toLowerCase() === "describe") return "rest.describe";
    if (c === undefined) return method === "POST" ? "rest.sobject.create" : "rest.sobject.info";
    if (d !== undefined && method === "PATCH") return "rest.sobject.upsert";
    const verb = { GET: "read", PATCH: "update", DELETE: "delete", POST: "update" }[method] ?? "other";
    return `rest.sobject.${verb}`;
  }
  if (a === "query" || a === "queryAll") return b === undefined ? "rest.query" : "rest.queryMore";
  if (a === "composite" && b === "sobjects") {
    if (d !== undefined) return "rest.collections.upsert";
    const verb =
      c !== undefined
        ? "retrieve"
        : ({ POST: "create", PATCH: "update", DELETE: "delete" }[method] ?? "other");
    return `rest.collections.${verb}`;
  }
  if (a === "composite") return b === "batch" || b === "tree" ? `rest.composite.${b}` : "rest.composite";
  if (a === "limits") return "rest.limits";
  if (a === "jobs") return `rest.bulk.${bulkVerb(method, c, d)}`;
  return "rest.other";
}

export class Traffic {
  readonly #log: LoggedRequest[] = [];
  #seq = 0;
  readonly counts = new Map<string, number>();
  readonly statuses = new Map<number, number>();

  /**
   * Keeps the last `cap` requests, and the bodies of the last `bodies` of them: a long benchmark
   * of 200-record calls must not hold every record it ever sent.
   */
  constructor(
    readonly cap = 10_000,
    readonly bodies = 1_000,
  ) {}

  record(entry: Omit<LoggedRequest, "seq">): void {
    this.#seq++;
    this.#log.push({ seq: this.#seq, ...entry });
    if (this.#log.length > this.cap) this.#log.splice(0, this.#log.length - this.cap);
    const old = this.#log[this.#log.length - 1 - this.bodies];
    if (old !== undefined && old.body !== null) old.body = "[body dropped: only the latest bodies are kept]";
    this.counts.set(entry.kind, (this.counts.get(entry.kind) ?? 0) + 1);
    this.statuses.set(entry.status, (this.statuses.get(entry.status) ?? 0) + 1);
  }

  requests(filter: { since?: number; limit?: number; path?: string } = {}): LoggedRequest[] {
    let out = this.#log.filter((r) => r.seq > (filter.since ?? 0));
    if (filter.path !== undefined) out = out.filter((r) => r.path.includes(filter.path ?? ""));
    return filter.limit === undefined ? out : out.slice(-filter.limit);
  }

  stats(): { total: number; byKind: Record<string, number>; byStatus: Record<string, number> } {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return {
      total,
      byKind: Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b))),
      byStatus: Object.fromEntries([...this.statuses.entries()].map(([k, v]) => [String(k), v])),
    };
  }

  clear(): void {
    this.#log.length = 0;
    this.counts.clear();
    this.statuses.clear();
  }
}
