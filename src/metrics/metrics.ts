import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PoolStats } from "../domain/ports.ts";
import type { ChannelState, ProvisioningEvent } from "../domain/provisioning-ports.ts";

/**
 * What the browser was given at an SSO endpoint. `assertion`: a signed Response posted to the SP;
 * `saml_error`: a SAML error Response posted to the SP; `login_form` / `login_failed`: the
 * sign-in form, first or again after a refused password; `signed_in`: a sign-in with no SP behind
 * it; `refused`: an error page for a bad request (4xx); `failed`: an error page for a fault (5xx).
 */
export const ssoOutcomes = [
  "assertion",
  "saml_error",
  "login_form",
  "login_failed",
  "signed_in",
  "refused",
  "failed",
] as const;
export type SsoOutcomeLabel = (typeof ssoOutcomes)[number];

export type Listener = "runtime" | "admin";

/** Channels the provisioning scheduler is running now, and those queued to run again after. */
export type QueueDepth = { readonly running: number; readonly waiting: number };

/** Read at each scrape; none of them may throw for long (a scrape must answer). */
export type MetricSources = {
  /** Every channel's state, for the age of its last cycle. */
  channels(): Promise<readonly ChannelState[]>;
  /** Undefined where this process runs no provisioning. */
  queue(): QueueDepth | undefined;
  pool(): PoolStats;
  dialect: "sqlite" | "postgres";
  /** Epoch milliseconds. */
  now(): number;
};

/**
 * The server's measurements, on a registry of its own (never prom-client's global one, so that
 * several servers in one process never mix). Labels hold only bounded values: outcomes, routes as
 * declared (`/idp/spConnections/:id`, not the id asked for), event types, and connection and
 * channel ids, which come from stored configuration, never from a request. Never a user name.
 */
export type Metrics = {
  readonly contentType: string;
  render(): Promise<string>;
  sso(outcome: SsoOutcomeLabel, connectionId: string | undefined, seconds: number): void;
  request(listener: Listener, route: string, method: string, status: number, seconds: number): void;
  provisioning(events: readonly ProvisioningEvent[]): void;
  tokenRefreshed(connectionId: string): void;
};

const latencyBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export const createMetrics = (sources: MetricSources): Metrics => {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const ssoRequests = new Counter({
    name: "portico_sso_requests_total",
    help: "SSO requests (startSSO.ping, SSO.saml2, the sign-in form's POST) by outcome and SP connection",
    labelNames: ["outcome", "connection"] as const,
    registers,
  });
  const ssoDuration = new Histogram({
    name: "portico_sso_request_duration_seconds",
    help: "Time to answer an SSO request, by outcome",
    labelNames: ["outcome"] as const,
    buckets: latencyBuckets,
    registers,
  });
  const httpDuration = new Histogram({
    name: "portico_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by listener, declared route, method and status",
    labelNames: ["listener", "route", "method", "status"] as const,
    buckets: latencyBuckets,
    registers,
  });
  const operations = new Counter({
    name: "portico_provisioning_operations_total",
    help: "Provisioning operations recorded (one per event: CREATE, UPDATE, DEACTIVATE, …, CYCLE), by result",
    labelNames: ["connection", "channel", "type", "result"] as const,
    registers,
  });
  const tokenRefreshes = new Counter({
    name: "portico_salesforce_token_refreshes_total",
    help: "Salesforce access tokens obtained (OAuth grant or refresh) and stored, by SP connection",
    labelNames: ["connection"] as const,
    registers,
  });
  new Gauge({
    name: "portico_provisioning_channels",
    help: "Channels the provisioning scheduler of this node is running, and those waiting to run again",
    labelNames: ["state"] as const,
    registers,
    collect() {
      this.reset();
      const queue = sources.queue();
      if (queue === undefined) return;
      this.set({ state: "running" }, queue.running);
      this.set({ state: "waiting" }, queue.waiting);
    },
  });
  new Gauge({
    name: "portico_provisioning_last_cycle_age_seconds",
    help: "Seconds since each channel's last cycle ended (on any node)",
    labelNames: ["connection", "channel"] as const,
    registers,
    async collect() {
      this.reset();
      let channels: readonly ChannelState[];
      try {
        channels = await sources.channels();
      } catch {
        // The database is unavailable: the other metrics still answer.
        return;
      }
      const now = sources.now();
      for (const state of channels) {
        const ended = state.lastCycle?.endedAt;
        if (ended === undefined) continue;
        const age = Math.max(0, (now - Date.parse(ended)) / 1000);
        this.set({ connection: state.connectionId, channel: state.channel }, age);
      }
    },
  });
  new Gauge({
    name: "portico_database_pool_connections",
    help: "Database connections of this node: open (total), idle, and queries waiting for one",
    labelNames: ["state", "dialect"] as const,
    registers,
    collect() {
      const pool = sources.pool();
      const dialect = sources.dialect;
      this.set({ state: "total", dialect }, pool.total);
      this.set({ state: "idle", dialect }, pool.idle);
      this.set({ state: "waiting", dialect }, pool.waiting);
    },
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    sso: (outcome, connectionId, seconds) => {
      ssoRequests.inc({ outcome, connection: connectionId ?? "" });
      ssoDuration.observe({ outcome }, seconds);
    },
    request: (listener, route, method, status, seconds) => {
      httpDuration.observe(
        { listener, route, method: knownMethods.has(method) ? method : "OTHER", status: String(status) },
        seconds,
      );
    },
    provisioning: (events) => {
      for (const event of events)
        operations.inc({
          connection: event.connectionId,
          channel: event.channel,
          type: event.type,
          result: event.success ? "success" : "failure",
        });
    },
    tokenRefreshed: (connectionId) => tokenRefreshes.inc({ connection: connectionId }),
  };
};
