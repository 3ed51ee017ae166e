import type {
  ProvisionedObject,
  ProvisionedStatus,
  ProvisioningEvent,
  ProvisioningEventType,
  PushedValue,
} from "../../domain/provisioning-ports.ts";
import type { GroupOutcome } from "../apply/apply-groups.ts";
import type { UserOutcome } from "../apply/apply-users.ts";
import { isRateLimited } from "../apply/run-batches.ts";
import { pushedMembers } from "../plan/plan-groups.ts";
import type { UserOp } from "../plan/plan-users.ts";

/**
 * Outcomes become state and events: what was pushed, the Salesforce ids, the statuses, the last
 * error, and PingFederate's audit record per operation (field names, never values). An outcome
 * whose error is retryable records nothing: the change will be read and planned again.
 */

export type RecordContext = {
  readonly connectionId: string;
  readonly channel: string;
  readonly cycleId: string;
  readonly now: string;
};

export type Recorded = {
  readonly rows: ProvisionedObject[];
  readonly forget: string[];
  readonly events: ProvisioningEvent[];
  /** Outcomes that failed for a reason worth trying again soon: the watermark must not move. */
  readonly retryable: number;
  readonly warnings: string[];
};

const withPushed = (
  before: Readonly<Record<string, PushedValue>>,
  fields: Readonly<Record<string, string | null>>,
): Record<string, PushedValue> => {
  const out: Record<string, PushedValue> = { ...before };
  for (const [field, value] of Object.entries(fields)) {
    if (value === null) delete out[field];
    else out[field] = value;
  }
  return out;
};

const eventType = (op: UserOp): ProvisioningEventType =>
  op.type === "FAIL" ? (op.targetId === null ? "CREATE" : "UPDATE") : op.type === "FORGET" ? "SKIP" : op.type;

const fieldsOf = (op: UserOp): string[] =>
  "fields" in op ? Object.keys(op.fields).sort() : op.type === "PERMISSION_SETS" ? ["PermissionSets"] : [];

export const recordUserOutcomes = (
  ctx: RecordContext,
  outcomes: readonly UserOutcome[],
  stateOf: (sourceId: string) => ProvisionedObject | undefined,
): Recorded => {
  const rows = new Map<string, ProvisionedObject>();
  const forget: string[] = [];
  const events: ProvisioningEvent[] = [];
  const warnings: string[] = [];
  let retryable = 0;
  const current = (sourceId: string) => rows.get(sourceId) ?? stateOf(sourceId);
  const base = (op: UserOp): ProvisionedObject => {
    const before = current(op.sourceId);
    return {
      connectionId: ctx.connectionId,
      channel: ctx.channel,
      kind: "user",
      sourceId: op.sourceId,
      targetId: before?.targetId ?? null,
      contactId: before?.contactId ?? null,
      name: op.desired?.user.Username ?? before?.name ?? op.sourceId,
      status: before?.status ?? "PENDING",
      pushed: before?.pushed ?? {},
      desiredHash: before?.desiredHash ?? null,
      lastError: before?.lastError ?? null,
      attempts: before?.attempts ?? 0,
      updatedAt: ctx.now,
    };
  };

  for (const outcome of outcomes) {
    const { op } = outcome;
    const event = (success: boolean, cause: string | null, detail: Record<string, unknown> | null = null) =>
      events.push({
        at: ctx.now,
        connectionId: ctx.connectionId,
        channel: ctx.channel,
        cycleId: ctx.cycleId,
        type: eventType(op),
        sourceId: op.sourceId,
        targetId: outcome.targetId,
        success,
        cause,
        detail,
      });
    if (op.type === "FORGET") {
      forget.push(op.sourceId);
      continue;
    }
    if (op.type === "SKIP") {
      event(!op.warn, op.reason);
      if (op.warn) warnings.push(`${op.sourceId}: ${op.reason}`);
      continue;
    }
    const row = base(op);
    if (op.type === "FAIL") {
      rows.set(op.sourceId, {
        ...row,
        status: "FAILED",
        desiredHash: op.desired?.hash ?? null,
        lastError: { code: op.code, message: op.message },
        attempts: row.attempts + 1,
      });
      event(false, `${op.code}: ${op.message}`);
      continue;
    }
    if (!outcome.ok) {
      const error = outcome.error;
      if (error && (error.retryable || isRateLimited(error))) {
        retryable++;
        continue;
      }
      rows.set(op.sourceId, {
        ...row,
        targetId: outcome.targetId ?? row.targetId,
        contactId: outcome.contactId ?? row.contactId,
        status: "FAILED",
        desiredHash: op.desired?.hash ?? null,
        lastError: { code: error?.code ?? "PROV_TARGET_REJECTED", message: error?.message ?? "refused" },
        attempts: row.attempts + 1,
      });
      event(false, `${error?.code ?? "PROV_TARGET_REJECTED"}: ${error?.message ?? "refused"}`, {
        fields: fieldsOf(op),
      });
      continue;
    }
    let status: ProvisionedStatus =
      row.status === "FAILED" || row.status === "PENDING" ? "ACTIVE" : row.status;
    let pushed = row.pushed;
    switch (op.type) {
      case "CREATE":
        status = op.active ? "ACTIVE" : "INACTIVE";
        pushed = {
          ...withPushed({}, op.fields),
          ...(op.permissionSets.length > 0 ? { PermissionSets: [...op.permissionSets] } : {}),
        };
        break;
      case "ADOPT":
        status = op.status;
        pushed = withPushed({}, op.desired?.user ?? {});
        break;
      case "UPDATE":
        pushed = withPushed(pushed, op.fields);
        break;
      case "REACTIVATE":
      case "UNFREEZE":
        status = "ACTIVE";
        pushed = withPushed(pushed, op.fields);
        break;
      case "DEACTIVATE":
        status = "INACTIVE";
        break;
      case "FREEZE":
        status = "FROZEN";
        break;
      case "PERMISSION_SETS":
        pushed = { ...pushed, PermissionSets: [...(op.desired?.permissionSets ?? [])] };
        break;
    }
    rows.set(op.sourceId, {
      ...row,
      targetId: outcome.targetId ?? row.targetId,
      contactId: outcome.contactId ?? row.contactId,
      status,
      pushed,
      desiredHash: op.desired?.hash ?? row.desiredHash,
      lastError: null,
      attempts: 0,
    });
    event(true, null, { fields: fieldsOf(op) });
  }
  return { rows: [...rows.values()], forget, events, retryable, warnings };
};

export const recordGroupOutcomes = (
  ctx: RecordContext,
  outcomes: readonly GroupOutcome[],
  stateOf: (sourceId: string) => ProvisionedObject | undefined,
): Recorded => {
  const rows: ProvisionedObject[] = [];
  const forget: string[] = [];
  const events: ProvisioningEvent[] = [];
  let retryable = 0;
  for (const { op, ok, targetId, error } of outcomes) {
    if (op.type === "GROUP_FORGET") {
      forget.push(op.sourceId);
      continue;
    }
    events.push({
      at: ctx.now,
      connectionId: ctx.connectionId,
      channel: ctx.channel,
      cycleId: ctx.cycleId,
      type: op.type,
      sourceId: op.sourceId,
      targetId,
      success: ok,
      cause: ok ? null : `${error?.code ?? "PROV_TARGET_REJECTED"}: ${error?.message ?? "refused"}`,
      detail:
        op.type === "GROUP_MEMBERS"
          ? { added: op.add.length, removed: op.remove.length }
          : op.type === "GROUP_CREATE"
            ? { members: op.members.length }
            : null,
    });
    if (!ok && error && (error.retryable || isRateLimited(error))) {
      retryable++;
      continue;
    }
    if (ok && op.type === "GROUP_DELETE") {
      forget.push(op.sourceId);
      continue;
    }
    const before = stateOf(op.sourceId);
    const members = op.type === "GROUP_CREATE" || op.type === "GROUP_MEMBERS" ? op.members : [];
    // A refused membership change may have placed some of its members: keep them all in the row,
    // which is read back from Salesforce next cycle.
    const placed =
      op.type === "GROUP_MEMBERS"
        ? [...new Set([...(before ? pushedMembers(before) : []), ...op.add])].sort()
        : undefined;
    rows.push({
      connectionId: ctx.connectionId,
      channel: ctx.channel,
      kind: "group",
      sourceId: op.sourceId,
      targetId: targetId ?? before?.targetId ?? null,
      contactId: null,
      name: op.name,
      status: ok ? "ACTIVE" : "FAILED",
      pushed: ok ? { members: [...members] } : placed ? { members: placed } : (before?.pushed ?? {}),
      desiredHash: null,
      lastError: ok
        ? null
        : { code: error?.code ?? "PROV_TARGET_REJECTED", message: error?.message ?? "refused" },
      attempts: ok ? 0 : (before?.attempts ?? 0) + 1,
      updatedAt: ctx.now,
    });
  }
  return { rows, forget, events, retryable, warnings: [] };
};
