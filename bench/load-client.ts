/**
 * The load generator for the end-to-end SSO benchmark (bench/sso-e2e.ts forks it, so the server
 * keeps its own core). Keeps `connections` keep-alive connections busy with one GET each, one
 * request at a time per connection, for a warm-up and then for `seconds`; only the second period
 * is counted. Every response must be a 200 that carries the auto-POST form with a SAMLResponse.
 *
 * Input: one JSON argument (LoadPlan). Output: IPC messages (LoadMessage): one when the measured
 * window opens, so the server can start counting its CPU, and one with the result.
 * node:http rather than fetch: its per-request cost is lower, and the client must not be the
 * bottleneck on a two-core machine.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

export type LoadPlan = {
  readonly url: string;
  readonly cookie: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** A response counts as good only when its body contains this. */
  readonly mustContain: string;
};

export type LoadResult = {
  /** Good responses to requests started in the measured window. */
  readonly requests: number;
  /** Good responses during the warm-up, left out of the rate and the latencies. */
  readonly warmupRequests: number;
  readonly errors: number;
  /** The first few failures, described, so a broken run says why. */
  readonly errorSamples: readonly string[];
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** CPU this client used while measuring, as a share of one core. */
  readonly clientCpuShare: number;
};

export type LoadMessage = { kind: "window-open" } | { kind: "result"; result: LoadResult };

type Outcome = { ok: true } | { ok: false; why: string };

const get = (agent: Agent, plan: LoadPlan): Promise<Outcome> =>
  new Promise((resolve) => {
    const req = request(plan.url, { agent, headers: { cookie: plan.cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => resolve({ ok: false, why: `response: ${error.message}` }));
      res.on("end", () => {
        if (res.statusCode !== 200) resolve({ ok: false, why: `status ${res.statusCode}` });
        else if (!Buffer.concat(chunks).toString("utf8").includes(plan.mustContain))
          resolve({ ok: false, why: `200 without ${plan.mustContain}` });
        else resolve({ ok: true });
      });
    });
    req.on("error", (error) => resolve({ ok: false, why: `request: ${error.message}` }));
    req.end();
  });

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);

export const runLoad = async (plan: LoadPlan, onWindowOpen: () => void = () => {}): Promise<LoadResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let warmupRequests = 0;
  let measuring = false;
  const warmupEnd = performance.now() + plan.warmupSeconds * 1000;
  let measureStart = warmupEnd;
  let measureEnd = warmupEnd + plan.seconds * 1000;
  let cpuAtStart = process.cpuUsage();

  const worker = async (): Promise<void> => {
    for (;;) {
      const started = performance.now();
      if (!measuring && started >= warmupEnd) {
        // The first worker past the warm-up opens the measured window for all of them.
        measuring = true;
        measureStart = started;
        measureEnd = started + plan.seconds * 1000;
        cpuAtStart = process.cpuUsage();
        onWindowOpen();
      }
      if (started >= measureEnd) return;
      // A request counts when it started inside the window; warm-up requests never do.
      const counted = measuring;
      const outcome = await get(agent, plan);
      if (!outcome.ok) {
        // A failure anywhere, warm-up included, makes the run invalid.
        errors++;
        if (errorSamples.length < 5) errorSamples.push(outcome.why);
      } else if (counted) latencies.push(performance.now() - started);
      else warmupRequests++;
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, worker));
  const elapsedMs = performance.now() - measureStart;
  const cpu = process.cpuUsage(cpuAtStart);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const seconds = elapsedMs / 1000;
  return {
    requests: latencies.length,
    warmupRequests,
    errors,
    errorSamples,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? Number.NaN,
    },
    clientCpuShare: (cpu.user + cpu.system) / 1000 / elapsedMs,
  };
};

// Forked by bench/sso-e2e.ts: the plan comes as argv[2], the result goes back over IPC.
if (process.send !== undefined && process.argv[2] !== undefined) {
  const plan = JSON.parse(process.argv[2]) as LoadPlan;
  const send = (message: LoadMessage, then: () => void = () => {}) =>
    process.send?.(message, undefined, undefined, then);
  const result = await runLoad(plan, () => send({ kind: "window-open" }));
  send({ kind: "result", result }, () => process.exit(0));
}
