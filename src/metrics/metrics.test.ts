import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sample } from "../../test/support/metrics.ts";
import { createMetrics, type MetricSources } from "./metrics.ts";

const sources = (edit: Partial<MetricSources> = {}): MetricSources => ({
  channels: async () => [],
  queue: () => undefined,
  pool: () => ({ total: 4, idle: 1, waiting: 2 }),
  dialect: "postgres",
  now: () => Date.parse("2026-12-03T12:00:00Z"),
  ...edit,
});

describe("createMetrics", () => {
  it("gives each server a registry of its own: two in one process neither collide nor mix", async () => {
    const one = createMetrics(sources());
    const two = createMetrics(sources());
    one.sso("assertion", "org", 0.004);
    assert.equal(
      sample(await one.render(), "portico_sso_requests_total", { outcome: "assertion", connection: "org" }),
      1,
    );
    assert.equal(
      sample(await two.render(), "portico_sso_requests_total", { outcome: "assertion", connection: "org" }),
      undefined,
    );
  });

  it("reads the scheduler's queue, the pool and each channel's last cycle at scrape time", async () => {
    let queue = { running: 1, waiting: 2 };
    const metrics = createMetrics(
      sources({
        queue: () => queue,
        channels: async () => [
          {
            connectionId: "org",
            channel: "staff",
            watermark: null,
            lastFullPassAt: null,
            status: "IDLE",
            statusReason: null,
            lastCycle: {
              cycleId: "c1",
              kind: "full",
              startedAt: "2026-12-03T11:58:00Z",
              endedAt: "2026-12-03T11:59:30Z",
              counts: {},
              failures: 0,
              apiCalls: 3,
              message: null,
            },
            nextCycleAt: null,
            confirmedAt: null,
            updatedAt: "2026-12-03T11:59:30Z",
          },
        ],
      }),
    );
    let text = await metrics.render();
    assert.equal(sample(text, "portico_provisioning_channels", { state: "running" }), 1);
    assert.equal(sample(text, "portico_provisioning_channels", { state: "waiting" }), 2);
    assert.equal(
      sample(text, "portico_provisioning_last_cycle_age_seconds", { connection: "org", channel: "staff" }),
      30,
    );
    assert.equal(
      sample(text, "portico_database_pool_connections", { state: "waiting", dialect: "postgres" }),
      2,
    );
    queue = { running: 0, waiting: 0 };
    text = await metrics.render();
    assert.equal(sample(text, "portico_provisioning_channels", { state: "running" }), 0);
  });

  it("still answers when the database does not, leaving out only what needs it", async () => {
    const metrics = createMetrics(
      sources({
        channels: async () => {
          throw new Error("connection refused");
        },
      }),
    );
    const text = await metrics.render();
    assert.ok(sample(text, "process_cpu_user_seconds_total") !== undefined);
    assert.doesNotMatch(text, /portico_provisioning_last_cycle_age_seconds\{/);
  });

  it("folds methods outside HTTP's usual set into OTHER, so a client cannot grow the label", async () => {
    const metrics = createMetrics(sources());
    metrics.request("runtime", "unmatched", "BREW", 404, 0.001);
    const text = await metrics.render();
    assert.equal(
      sample(text, "portico_http_request_duration_seconds_count", {
        listener: "runtime",
        route: "unmatched",
        method: "OTHER",
        status: "404",
      }),
      1,
    );
  });
});
