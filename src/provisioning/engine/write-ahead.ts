import type { ProvisionedObject } from "../../domain/provisioning-ports.ts";
import type { UserOp } from "../plan/plan-users.ts";

/**
 * Write-ahead for users Salesforce already has. Before an update, a status change or a change of
 * permission sets is sent, the user's row is marked PENDING (its Salesforce id kept); the outcome's
 * record replaces it. A process killed in between leaves the row PENDING, and the next cycle reads
 * the user from Salesforce by id and adopts what it finds, instead of trusting a row that no longer
 * says what Salesforce holds (a deactivation that was carried out, then the user re-enabled in the
 * directory, would otherwise never be undone). A write that failed in a way worth trying again
 * leaves the mark too: a call that timed out may still have been carried out.
 */

const writes = new Set<UserOp["type"]>([
  "UPDATE",
  "DEACTIVATE",
  "FREEZE",
  "REACTIVATE",
  "UNFREEZE",
  "PERMISSION_SETS",
]);

/** The rows to mark before `ops` are sent: one per linked user a write goes to. */
export const inDoubt = (
  ops: readonly UserOp[],
  stateOf: (sourceId: string) => ProvisionedObject | undefined,
  channel: string,
  now: string,
): ProvisionedObject[] => {
  const rows = new Map<string, ProvisionedObject>();
  for (const op of ops) {
    if (!writes.has(op.type) || rows.has(op.sourceId)) continue;
    const state = stateOf(op.sourceId);
    if (!state || state.targetId === null || state.status === "PENDING") continue;
    rows.set(op.sourceId, { ...state, channel, status: "PENDING", updatedAt: now });
  }
  return [...rows.values()];
};

/** PENDING rows for creates, written before any is sent: a crash then leaves a trail, not a duplicate. */
export const pendingCreates = (
  ops: readonly UserOp[],
  stateOf: (sourceId: string) => ProvisionedObject | undefined,
  where: { readonly connectionId: string; readonly channel: string },
  now: string,
): ProvisionedObject[] =>
  ops.flatMap((op) =>
    op.type === "CREATE"
      ? [
          {
            connectionId: where.connectionId,
            channel: where.channel,
            kind: "user" as const,
            sourceId: op.sourceId,
            targetId: null,
            contactId: null,
            name: op.username,
            status: "PENDING" as const,
            pushed: {},
            desiredHash: op.desired?.hash ?? null,
            lastError: null,
            attempts: stateOf(op.sourceId)?.attempts ?? 0,
            updatedAt: now,
          },
        ]
      : [],
  );
