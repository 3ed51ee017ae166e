import type {
  ChannelState,
  ProvisionedStatus,
  ProvisioningRepository,
} from "../../domain/provisioning-ports.ts";
import { salesforceProvisionerType } from "../../domain/sp-connection.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { type CycleReport, runCycle } from "../../provisioning/engine/cycle.ts";
import { describeOp, provisionOneUser } from "../../provisioning/engine/one-user.ts";
import { traceMapping } from "../../provisioning/model/mapping-trace.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { channelKey } from "./channel-key.ts";
import { channelRuntimeFor, findChannel } from "./channel-runtime.ts";
import { underLease } from "./nodes.ts";
import { lastRunFailure, type RunFailure, type RunProgress, runProgress, tracked } from "./run-status.ts";
import { getOutboundProvisioningSettings } from "./server-settings.ts";

/**
 * The provisioning use cases behind `/provisioning/…` and `portico provision …`: run a cycle,
 * confirm held deactivations, retry failed records, reset a channel, and list where every
 * channel stands. One cycle per channel at a time on this node: requests queue behind it.
 */

const queues = new WeakMap<ServiceContext, Map<string, Promise<unknown>>>();

export { channelKey };

/** Runs `work` after any cycle of the same channel in progress on this node. */
export const serialized = <T>(
  context: ServiceContext,
  connectionId: string,
  channel: string,
  work: () => Promise<T>,
): Promise<T> => {
  let map = queues.get(context);
  if (!map) {
    map = new Map();
    queues.set(context, map);
  }
  const key = channelKey(connectionId, channel);
  const previous = map.get(key) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(work);
  const settled = next.catch(() => {});
  map.set(key, settled);
  void settled.then(() => {
    if (map?.get(key) === settled) map.delete(key);
  });
  return next;
};

export const isChannelRunning = (context: ServiceContext, connectionId: string, channel: string): boolean =>
  queues.get(context)?.has(channelKey(connectionId, channel)) === true;

export type RunOptions = {
  readonly full?: boolean | undefined;
  readonly retryFailed?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
};

/** Configuration errors an admin must fix before the channel can run again. */
const unrunnable: ReadonlySet<string> = new Set([
  "PROV_CONFIG_INVALID",
  "PROV_TARGET_INCOMPLETE",
  "PROV_TARGET_NOT_CONFIGURED",
  "CONN_INVALID",
]);

export const runChannel = (
  context: ServiceContext,
  connectionId: string,
  channel: string,
  options: RunOptions = {},
): Promise<CycleReport> =>
  serialized(context, connectionId, channel, () =>
    tracked(context, channelKey(connectionId, channel), (onProgress) =>
      underLease(context, connectionId, channel, async (repo, lost) => {
        let runtime: Awaited<ReturnType<typeof channelRuntimeFor>>;
        try {
          runtime = await channelRuntimeFor(context, connectionId, channel);
        } catch (error) {
          // A channel that cannot run says why in its status, not only in a log line: its mapping
          // no longer fits the org, or its target settings lack what the grant needs (a secret).
          if (error instanceof AppError && unrunnable.has(error.code))
            await markStopped(context, repo, connectionId, channel, `${error.code}: ${error.message}`);
          throw error;
        }
        const signal = options.signal === undefined ? lost : AbortSignal.any([options.signal, lost]);
        return runCycle({ ...runtime, repo, onProgress }, { ...options, signal });
      }),
    ),
  );

/**
 * `run` and `retry` asked for by an admin: audited, then the cycle, waited for or not. A channel
 * that does not exist is refused at once either way; a cycle nobody waits for runs in the
 * background, and its failure is logged with its code and shown by `listChannelStatuses`.
 */
export const requestRun = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  channel: string,
  request: { readonly action: "run" | "retry"; readonly full?: boolean | undefined; readonly wait: boolean },
): Promise<CycleReport | undefined> => {
  await findChannel(context, connectionId, channel);
  const options = request.action === "retry" ? retryOptions : { full: request.full };
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    `provisioning.channel.${request.action}`,
    { type: "provisioningChannel", id: `${connectionId}/${channel}` },
    { full: options.full === true, wait: request.wait },
  );
  const run = runChannel(context, connectionId, channel, options);
  if (request.wait) return run;
  inBackground(context, connectionId, channel, run);
  return undefined;
};

/** A cycle nobody waits for: its failure is logged with its code (the channel's status shows it). */
const inBackground = (
  context: ServiceContext,
  connectionId: string,
  channel: string,
  run: Promise<unknown>,
) => {
  run.catch((error: unknown) => {
    context.log.warn(
      { connectionId, channel, code: isAppError(error) ? error.code : "INTERNAL", err: error },
      "provisioning cycle failed",
    );
  });
};

const markStopped = async (
  context: ServiceContext,
  repo: ProvisioningRepository,
  connectionId: string,
  channel: string,
  reason: string,
) => {
  const now = context.clock.now().toISOString();
  const state = await repo.getChannel(connectionId, channel);
  await repo.putChannel({
    connectionId,
    channel,
    watermark: state?.watermark ?? null,
    lastFullPassAt: state?.lastFullPassAt ?? null,
    status: "STOPPED",
    statusReason: reason,
    lastCycle: state?.lastCycle ?? null,
    nextCycleAt: state?.nextCycleAt ?? null,
    confirmedAt: state?.confirmedAt ?? null,
    updatedAt: now,
  });
};

/** `confirm`: lets the held deactivations of the next cycle through, and runs it. */
export const confirmChannel = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  channel: string,
): Promise<CycleReport> => {
  await acceptConfirmation(context, actor, connectionId, channel);
  return runChannel(context, connectionId, channel);
};

/** `confirm` from the console: the confirmed cycle runs in the background, as a run nobody waits for. */
export const requestConfirm = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  channel: string,
): Promise<void> => {
  await acceptConfirmation(context, actor, connectionId, channel);
  inBackground(context, connectionId, channel, runChannel(context, connectionId, channel));
};

/** Refuses a channel that holds nothing; otherwise marks its held deactivations confirmed, audited. */
const acceptConfirmation = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  channel: string,
): Promise<void> => {
  await findChannel(context, connectionId, channel);
  const state = await context.store.provisioning.getChannel(connectionId, channel);
  if (state?.status !== "HELD") {
    throw new AppError("PROV_CONFIG_INVALID", {
      message: `The channel "${channel}" holds no deactivations (it is ${state?.status ?? "not started"}).`,
    });
  }
  await context.store.provisioning.putChannel({ ...state, confirmedAt: context.clock.now().toISOString() });
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "provisioning.channel.confirm",
    {
      type: "provisioningChannel",
      id: `${connectionId}/${channel}`,
    },
    { reason: state.statusReason },
  );
};

/**
 * `retry`: failed records are tried again now, whether or not their source changed. A full pass:
 * an incremental cycle reads only what changed, so it would never meet a failed user whose
 * source stayed the same.
 */
const retryOptions = { retryFailed: true, full: true } as const;

export const retryChannel = (
  context: ServiceContext,
  connectionId: string,
  channel: string,
): Promise<CycleReport> => runChannel(context, connectionId, channel, retryOptions);

/**
 * `reset`: forgets the channel's state (watermark, ids, what was pushed), like provmgr's reset.
 * The next cycle is a first activation again: existing Salesforce users are found by Username
 * and adopted, not duplicated.
 */
export const resetChannel = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  channel: string,
): Promise<void> => {
  await findChannel(context, connectionId, channel);
  await serialized(context, connectionId, channel, async () => {
    // With provisioning OFF no node writes the channel; otherwise the reset is fenced like a cycle.
    if ((await getOutboundProvisioningSettings(context)).mode === "OFF")
      await context.store.provisioning.resetChannel(connectionId, channel);
    else await underLease(context, connectionId, channel, (repo) => repo.resetChannel(connectionId, channel));
  });
  await recordAudit(context.store.auditLog, context.clock, actor, "provisioning.channel.reset", {
    type: "provisioningChannel",
    id: `${connectionId}/${channel}`,
  });
};

export type ChannelStatusView = {
  readonly connectionId: string;
  readonly connectionName: string;
  readonly channelName: string;
  readonly active: boolean;
  /** IDLE, RUNNING, HELD (waits for `confirm`), STOPPED (the source looked unsound), ERROR. */
  readonly state: ChannelState["status"] | "NEVER_RUN";
  readonly stateReason: string | null;
  readonly running: boolean;
  /** How far the cycle running on this node got, page by page. */
  readonly progress: RunProgress | null;
  /** Why the last run on this node failed before it could record a state; null once one succeeds. */
  readonly lastError: RunFailure | null;
  readonly watermark: string | null;
  readonly lastCycle: ChannelState["lastCycle"];
  readonly lastFullPassAt: string | null;
  readonly nextCycleAt: string | null;
  readonly users: Record<ProvisionedStatus, number>;
};

/** Every channel of every Salesforce connection (or only the one named), with where it stands. */
export const listChannelStatuses = async (
  context: ServiceContext,
  only?: { readonly connectionId: string; readonly channel: string },
): Promise<ChannelStatusView[]> => {
  const out: ChannelStatusView[] = [];
  const records = only
    ? [(await findChannel(context, only.connectionId, only.channel)).record]
    : await context.store.connections.list();
  for (const record of records) {
    const provision = record.document.outboundProvision;
    if (provision?.type !== salesforceProvisionerType) continue;
    for (const channel of provision.channels) {
      if (only && channel.name !== only.channel) continue;
      const state = await context.store.provisioning.getChannel(record.id, channel.name);
      out.push({
        connectionId: record.id,
        connectionName: record.name,
        channelName: channel.name,
        active: record.active && channel.active,
        state: state?.status ?? "NEVER_RUN",
        stateReason: state?.statusReason ?? null,
        running: isChannelRunning(context, record.id, channel.name),
        progress: runProgress(context, channelKey(record.id, channel.name)),
        lastError: lastRunFailure(context, channelKey(record.id, channel.name)),
        watermark: state?.watermark ?? null,
        lastCycle: state?.lastCycle ?? null,
        lastFullPassAt: state?.lastFullPassAt ?? null,
        nextCycleAt: state?.nextCycleAt ?? null,
        users: await context.store.provisioning.countObjects(record.id, channel.name),
      });
    }
  }
  return out;
};

/** Channels the scheduler runs: active, on an active connection that provisions Salesforce. */
export const activeChannels = async (
  context: ServiceContext,
): Promise<{ connectionId: string; channel: string; nextCycleAt: string | null }[]> => {
  const out: { connectionId: string; channel: string; nextCycleAt: string | null }[] = [];
  for (const record of await context.store.connections.list()) {
    const provision = record.document.outboundProvision;
    if (!record.active || provision?.type !== salesforceProvisionerType) continue;
    for (const channel of provision.channels) {
      if (!channel.active) continue;
      const state = await context.store.provisioning.getChannel(record.id, channel.name);
      out.push({ connectionId: record.id, channel: channel.name, nextCycleAt: state?.nextCycleAt ?? null });
    }
  }
  return out;
};

export type PreviewOptions = {
  readonly full?: boolean | undefined;
  /** One user (by uid): what this user would become in Salesforce. */
  readonly user?: string | undefined;
  /** At most this many operations are listed (all are counted). */
  readonly limit?: number | undefined;
};

/**
 * `preview`: the plan the next cycle would carry out, operation by operation and field by field
 * (masked fields masked), writing nothing to Salesforce or to the channel's state.
 */
export const previewChannel = (
  context: ServiceContext,
  connectionId: string,
  channel: string,
  options: PreviewOptions = {},
) =>
  serialized(context, connectionId, channel, async () => {
    const runtime = await channelRuntimeFor(context, connectionId, channel);
    if (options.user !== undefined) {
      const { steps } = await provisionOneUser(runtime, options.user, { apply: false });
      // "Test this mapping on user X": each field's way from the directory, after the read.
      const found = await runtime.source.getUser(options.user);
      const trace = found
        ? [{ step: "trace", detail: { fields: traceMapping(runtime.mapping, found.user) } }]
        : [];
      const at = steps.findIndex((s) => s.step === "read") + 1;
      return { kind: "user" as const, steps: [...steps.slice(0, at), ...trace, ...steps.slice(at)] };
    }
    const report = await runCycle(runtime, { full: options.full, preview: true });
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 10_000);
    const counts: Record<string, number> = {};
    for (const op of report.planned) counts[op.type] = (counts[op.type] ?? 0) + 1;
    return {
      // A preview is a cycle, never a one-user run: its kind is one of the two a cycle has.
      kind: report.summary.kind === "full" ? ("full" as const) : ("incremental" as const),
      counts,
      held: report.held,
      total: report.planned.length,
      operations: report.planned.slice(0, limit).map((op) => ("desired" in op ? describeOp(op) : { ...op })),
      apiCalls: report.summary.apiCalls,
    };
  });

/** `provisionUser`: one user now, each step shown. */
export const provisionUser = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
  channel: string,
  uid: string,
) => {
  const result = await serialized(context, connectionId, channel, () =>
    underLease(context, connectionId, channel, async (repo) => {
      const runtime = await channelRuntimeFor(context, connectionId, channel);
      return provisionOneUser({ ...runtime, repo }, uid, { apply: true });
    }),
  );
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "provisioning.user.provision",
    {
      type: "directoryUser",
      id: uid,
    },
    { connectionId, channel, status: result.state?.status ?? null },
  );
  return result;
};
