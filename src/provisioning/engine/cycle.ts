import type { ChannelState, CycleSummary } from "../../domain/provisioning-ports.ts";
import { isAppError } from "../../lib/errors.ts";
import { applyUserOps } from "../apply/apply-users.ts";
import { createNameResolver } from "../apply/lookups.ts";
import { isRateLimited, salesforceCode, TargetUnavailable } from "../apply/run-batches.ts";
import type { GroupOp } from "../plan/plan-groups.ts";
import { planUser, type UserOp } from "../plan/plan-users.ts";
import { applySafety } from "../plan/safety.ts";
import type { SourceUser } from "../source/source.ts";
import { processGroups } from "./groups.ts";
import type { ChannelRuntime } from "./runtime.ts";

export type { ChannelRuntime } from "./runtime.ts";

import { prepareCases } from "./prepare.ts";
import { type Recorded, recordUserOutcomes } from "./record.ts";
import { inDoubt, pendingCreates } from "./write-ahead.ts";

/**
 * One cycle of one channel: read → plan → apply → record (DESIGN.md "Provisioning engine").
 * A full pass walks every in-scope user and every row of the channel (finding deletions and
 * drift); an incremental cycle reads what changed after the watermark. The watermark moves only
 * once everything read has been applied and recorded, so a kill at any point replays changes
 * (harmless: the plan compares with what was pushed) and loses none.
 */

export type CycleRequest = {
  readonly full?: boolean | undefined;
  readonly retryFailed?: boolean | undefined;
  /** Plan only: nothing is written to Salesforce or the state. */
  readonly preview?: boolean | undefined;
  /** Aborted when the server shuts down: the cycle ends after the page in hand, watermark kept. */
  readonly signal?: AbortSignal | undefined;
};

export type CycleReport = {
  readonly summary: CycleSummary;
  readonly state: ChannelState;
  /** The planned operations (all of them in a preview). */
  readonly planned: readonly (UserOp | GroupOp)[];
  readonly held: number;
};

/**
 * Users a page: one lookup query (findExistingUsers asks for 150 at a time) and one sObject
 * Collection call. A page is held whole from the directory's read until it is recorded, and in
 * a long pass most of it outlives a young-generation GC or two and lands in V8's old space as
 * garbage. 500 a page promoted twice as much (515 MB against 261 MB over 50,000 LDAP users), for
 * more calls per user (0.0141 against 0.0134). With Max Threads above 1, a page holds that many
 * full collections (200 records each), so that they can be in flight at once.
 */
const pageSizeFor = (maxThreads: number): number => (maxThreads <= 1 ? 150 : 200 * maxThreads);

const initialState = (rt: ChannelRuntime, now: string): ChannelState => ({
  connectionId: rt.connectionId,
  channel: rt.channel,
  watermark: null,
  lastFullPassAt: null,
  status: "IDLE",
  statusReason: null,
  lastCycle: null,
  nextCycleAt: null,
  confirmedAt: null,
  updatedAt: now,
});

/** Thrown to end a cycle early with a status and a reason (the source is unsound, say). */
class CycleStopped extends Error {
  readonly status: ChannelState["status"];
  constructor(status: ChannelState["status"], reason: string) {
    super(reason);
    this.status = status;
  }
}

export const runCycle = async (rt: ChannelRuntime, request: CycleRequest = {}): Promise<CycleReport> => {
  const pageSize = pageSizeFor(rt.pacing.maxThreads);
  const started = rt.clock.now();
  const startedAt = started.toISOString();
  const cycleId = rt.newId();
  const before = (await rt.repo.getChannel(rt.connectionId, rt.channel)) ?? initialState(rt, startedAt);
  const full =
    request.full === true ||
    before.watermark === null ||
    before.lastFullPassAt === null ||
    started.getTime() - new Date(before.lastFullPassAt).getTime() >= rt.fullPassEveryMs;
  const preview = request.preview === true;
  const apiCallsBefore = rt.api.apiCalls;
  const counts: Record<string, number> = {};
  const planned: (UserOp | GroupOp)[] = [];
  let failures = 0;
  let held = 0;
  let retryable = 0;
  let usersTouched = false;
  const confirmed = before.confirmedAt !== null;
  let recentDeprovisions = await rt.repo.countDeprovisions(
    rt.connectionId,
    rt.channel,
    new Date(started.getTime() - 3_600_000).toISOString(),
  );
  const objectCounts = await rt.repo.countObjects(rt.connectionId, rt.channel);
  const channelUsers = Object.values(objectCounts).reduce((a, b) => a + b, 0);
  const provisioned = objectCounts.ACTIVE + objectCounts.FROZEN;
  const resolve = createNameResolver(rt.api);
  const ctx = () => ({
    connectionId: rt.connectionId,
    channel: rt.channel,
    cycleId,
    now: rt.clock.now().toISOString(),
  });

  if (!preview) await rt.repo.putChannel({ ...before, status: "RUNNING", updatedAt: startedAt });

  const store = async (recorded: Recorded) => {
    await rt.repo.putObjects(recorded.rows);
    for (const id of recorded.forget) await rt.repo.deleteObject(rt.connectionId, "user", id);
    await rt.repo.appendEvents(recorded.events);
    for (const warning of recorded.warnings)
      rt.log.warn({ connectionId: rt.connectionId, channel: rt.channel, cycleId }, warning);
    retryable += recorded.retryable;
    for (const e of recorded.events) {
      counts[e.type] = (counts[e.type] ?? 0) + (e.success ? 1 : 0);
      if (!e.success && e.type !== "SKIP") failures++;
    }
    rt.onProgress?.({ ...counts });
  };

  /** Plans and applies one page of users (source records, or null for the gone). */
  const processUsers = async (users: ReadonlyMap<string, SourceUser | null>) => {
    if (request.signal?.aborted)
      throw new CycleStopped("IDLE", "stopped for a shutdown; the next cycle picks up here");
    if (users.size === 0) return;
    const { cases, states } = await prepareCases({
      connectionId: rt.connectionId,
      repo: rt.repo,
      api: rt.api,
      mapping: rt.mapping,
      options: rt.options,
      users,
    });
    const ops = cases.flatMap((c) => planUser(c, rt.options, rt.channel, request.retryFailed === true));
    const decision = applySafety(ops, {
      limits: rt.safety,
      channelUsers,
      recentDeprovisions,
      confirmed,
    });
    held += decision.held.length;
    if (preview) {
      planned.push(...ops);
      return;
    }
    recentDeprovisions += decision.allowed.filter(
      (op) => op.type === "DEACTIVATE" || op.type === "FREEZE",
    ).length;
    // PENDING rows for creates before any is sent: a crash then leaves a trail, not a duplicate;
    // and a user another channel of the connection claimed meanwhile is left to it.
    const stateOf = (id: string) => states.get(id);
    const now = rt.clock.now().toISOString();
    const creates = pendingCreates(decision.allowed, stateOf, rt, now);
    const claimed = creates.length > 0 ? await rt.repo.claimObjects(creates) : new Set<string>();
    const allowed = decision.allowed.map(
      (op): UserOp =>
        op.type === "CREATE" && !claimed.has(op.sourceId)
          ? {
              type: "SKIP",
              sourceId: op.sourceId,
              desired: op.desired,
              targetId: null,
              reason: "handled by another channel of this connection",
              warn: false,
            }
          : op,
    );
    await rt.repo.putObjects(inDoubt(allowed, stateOf, rt.channel, now));
    const input = { api: rt.api, pacing: rt.pacing, resolve, fieldTypes: rt.fieldTypes };
    let outcomes = await applyUserOps(input, allowed);
    // A create refused as DUPLICATE_USERNAME may have met its own first try, carried out by
    // Salesforce after the call timed out: look the user up again and adopt, as on first sight.
    // Never a second create: a Username taken outside the org keeps Salesforce's refusal.
    const collided = outcomes.filter(
      (o) => !o.ok && o.op.type === "CREATE" && salesforceCode(o.error) === "DUPLICATE_USERNAME",
    );
    if (collided.length > 0) {
      const again = await prepareCases({
        connectionId: rt.connectionId,
        repo: rt.repo,
        api: rt.api,
        mapping: rt.mapping,
        options: rt.options,
        users: new Map(collided.map((o) => [o.op.sourceId, users.get(o.op.sourceId) ?? null] as const)),
      });
      const relinkOps = again.cases
        .flatMap((c) => planUser(c, rt.options, rt.channel, false))
        .filter((op) => op.type !== "CREATE");
      const relinked = await applyUserOps(input, relinkOps);
      const ids = new Set(relinked.map((o) => o.op.sourceId));
      outcomes = [...outcomes.filter((o) => !(collided.includes(o) && ids.has(o.op.sourceId))), ...relinked];
    }
    if (outcomes.some((o) => o.ok && o.op.type !== "SKIP")) usersTouched = true;
    await store(recordUserOutcomes(ctx(), outcomes, stateOf));
  };

  let watermark = before.watermark;
  let status: ChannelState["status"] = "IDLE";
  let reason: string | null = null;
  let nextCycleAt: string | null = null;
  let groupsChanged = false;
  try {
    if (full) {
      const mark = await rt.source.watermark();
      const scope = await rt.source.checkScope();
      if (!scope.ok && provisioned > 0)
        throw new CycleStopped("STOPPED", `${scope.reason}; nobody is deprovisioned until it is fixed`);
      const seen = new Set<string>();
      for await (const page of rt.source.users(pageSize)) {
        for (const user of page) seen.add(user.id);
        await processUsers(new Map(page.map((u) => [u.id, u] as const)));
      }
      if (seen.size === 0 && provisioned > 0)
        throw new CycleStopped("STOPPED", "the source answered no users in scope; nobody is deprovisioned");
      // The channel's rows whose users the source no longer has in scope: deprovision them.
      let afterRow: string | undefined;
      for (;;) {
        const rows = await rt.repo.listObjects({
          connectionId: rt.connectionId,
          channel: rt.channel,
          kind: "user",
          afterSourceId: afterRow,
          limit: pageSize,
        });
        const gone = rows
          .filter((row) => !seen.has(row.sourceId))
          .map((row) => [row.sourceId, null] as const);
        await processUsers(new Map(gone));
        const last = rows.at(-1);
        if (!last || rows.length < pageSize) break;
        afterRow = last.sourceId;
      }
      watermark = mark;
      groupsChanged = true;
    } else {
      let position = before.watermark ?? "0";
      for (;;) {
        const changes = await rt.source.changesSince(position, 1000);
        if (changes.groupsChanged) groupsChanged = true;
        // A departure deprovisions only a user the channel holds: only then must the scope be sound
        // (an entry that never was in scope, changed out of it, asks nothing of the directory).
        const gone = [...changes.users].flatMap(([id, user]) => (user === null ? [id] : []));
        const held =
          gone.length > 0 && provisioned > 0
            ? (await rt.repo.getObjects(rt.connectionId, "user", gone)).some((o) => o.channel === rt.channel)
            : false;
        if (held) {
          const scope = await rt.source.checkScope();
          if (!scope.ok)
            throw new CycleStopped("STOPPED", `${scope.reason}; nobody is deprovisioned until it is fixed`);
        }
        for (let i = 0; i < changes.users.size; i += pageSize)
          await processUsers(new Map([...changes.users].slice(i, i + pageSize)));
        position = changes.watermark;
        if (!changes.more) break;
      }
      watermark = position;
    }
    if (rt.groupsInScope && (groupsChanged || usersTouched))
      await processGroups(rt, { cycleId, preview, planned, store: async (r) => store(r), ctx });
    if (retryable > 0) {
      // Something Salesforce could not take now: keep the watermark, try again next cycle.
      watermark = before.watermark;
      status = "ERROR";
      reason = `${retryable} operation(s) could not be completed now (Salesforce busy or unavailable); retrying next cycle`;
    } else if (held > 0) {
      // The held deactivations must be read again: the watermark stays until they are let through.
      watermark = before.watermark;
      status = "HELD";
      reason = `${held} deactivation(s) held: more than the safety limit within an hour; confirm to let them through`;
    }
  } catch (error) {
    watermark = before.watermark;
    if (error instanceof CycleStopped) {
      status = error.status;
      reason = error.message;
    } else if (error instanceof TargetUnavailable || isRateLimited(error)) {
      // The limit may be spent on any call (a lookup, not only a collection): wait long either way.
      const cause = error instanceof TargetUnavailable ? error.cause : error;
      status = "ERROR";
      reason = isRateLimited(cause)
        ? "Salesforce's API request limit is spent (REQUEST_LIMIT_EXCEEDED); waiting before the next cycle"
        : `Salesforce is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`;
      if (isRateLimited(cause)) nextCycleAt = new Date(rt.clock.now().getTime() + 15 * 60_000).toISOString();
    } else if (isAppError(error) && (error.code === "PROV_SOURCE_UNAVAILABLE" || error.retryable)) {
      status = "ERROR";
      reason = `${error.code}: ${error.message}`;
    } else {
      // Unexpected: the channel must not stay RUNNING; record why it stopped, then let it surface.
      if (!preview) {
        await rt.repo.putChannel({
          ...before,
          status: "ERROR",
          statusReason: isAppError(error)
            ? `${error.code}: ${error.message}`
            : "the cycle failed unexpectedly",
          updatedAt: rt.clock.now().toISOString(),
        });
      }
      throw error;
    }
  }

  const endedAt = rt.clock.now().toISOString();
  const summary: CycleSummary = {
    cycleId,
    kind: full ? "full" : "incremental",
    startedAt,
    endedAt,
    counts,
    failures,
    apiCalls: rt.api.apiCalls - apiCallsBefore,
    message: reason,
  };
  const state: ChannelState = {
    ...before,
    watermark: preview ? before.watermark : watermark,
    lastFullPassAt: preview
      ? before.lastFullPassAt
      : full && status !== "ERROR" && status !== "STOPPED"
        ? startedAt
        : before.lastFullPassAt,
    status: preview ? before.status : status,
    statusReason: preview ? before.statusReason : reason,
    lastCycle: preview ? before.lastCycle : summary,
    nextCycleAt: preview ? before.nextCycleAt : nextCycleAt,
    // A confirmation lets one cycle's held deactivations through.
    confirmedAt: preview ? before.confirmedAt : null,
    updatedAt: endedAt,
  };
  if (!preview) {
    await rt.repo.putChannel(state);
    await rt.repo.appendEvents([
      {
        at: endedAt,
        connectionId: rt.connectionId,
        channel: rt.channel,
        cycleId,
        type: status === "HELD" ? "HOLD" : "CYCLE",
        sourceId: null,
        targetId: null,
        success: status === "IDLE" || status === "HELD",
        cause: reason,
        detail: { kind: summary.kind, counts, apiCalls: summary.apiCalls, held },
      },
    ]);
  }
  return { summary, state, planned, held };
};
