import type { AppError } from "../../lib/errors.ts";
import type { GroupOp } from "../plan/plan-groups.ts";
import { groupMembers } from "./lookups.ts";
import { type Pacing, runCollections, salesforceCode } from "./run-batches.ts";
import type { TargetApi } from "./target-api.ts";

export type GroupOutcome = {
  readonly op: GroupOp;
  readonly ok: boolean;
  readonly targetId: string | null;
  readonly error: AppError | null;
};

/** Creates, deletes and re-members public groups (`Group` of type Regular, `GroupMember`). */
export const applyGroupOps = async (
  api: TargetApi,
  pacing: Pacing,
  ops: readonly GroupOp[],
): Promise<GroupOutcome[]> => {
  const outcomes = new Map<GroupOp, GroupOutcome>();
  const fail = (op: GroupOp, error: AppError, targetId: string | null) =>
    outcomes.set(op, { op, ok: false, targetId, error });

  const creates = ops.filter(
    (op): op is Extract<GroupOp, { type: "GROUP_CREATE" }> => op.type === "GROUP_CREATE",
  );
  const created = await runCollections(
    creates.map((op) => ({ Name: op.name, DeveloperName: op.developerName, Type: "Regular" })),
    pacing,
    (batch) => api.create("Group", batch),
  );
  const memberAdds: { op: GroupOp; groupId: string; userId: string }[] = [];
  creates.forEach((op, i) => {
    const result = created[i];
    if (!result?.success) {
      if (result) fail(op, result.error, null);
      return;
    }
    outcomes.set(op, { op, ok: true, targetId: result.id, error: null });
    for (const userId of op.members) memberAdds.push({ op, groupId: result.id, userId });
  });

  const memberOps = ops.filter(
    (op): op is Extract<GroupOp, { type: "GROUP_MEMBERS" }> => op.type === "GROUP_MEMBERS",
  );
  for (const op of memberOps) {
    outcomes.set(op, { op, ok: true, targetId: op.targetId, error: null });
    for (const userId of op.add) memberAdds.push({ op, groupId: op.targetId, userId });
  }
  const added = await runCollections(
    memberAdds.map((m) => ({ GroupId: m.groupId, UserOrGroupId: m.userId })),
    pacing,
    (batch) => api.create("GroupMember", batch),
  );
  memberAdds.forEach((m, i) => {
    const result = added[i];
    // A member already there is what was wanted.
    if (result && !result.success && !/DUPLICATE/.test(salesforceCode(result.error) ?? ""))
      fail(m.op, result.error, m.groupId);
  });

  const removals: { op: GroupOp; id: string }[] = [];
  for (const op of memberOps) {
    if (op.remove.length === 0) continue;
    const members = await groupMembers(api, op.targetId, op.remove);
    for (const userId of op.remove) {
      const id = members.get(userId);
      if (id !== undefined) removals.push({ op, id });
    }
  }
  const deletes = ops.filter(
    (op): op is Extract<GroupOp, { type: "GROUP_DELETE" }> => op.type === "GROUP_DELETE",
  );
  const toDelete = [...removals, ...deletes.map((op) => ({ op: op as GroupOp, id: op.targetId }))];
  const deleted = await runCollections(
    toDelete.map((d) => d.id),
    pacing,
    (batch) => api.delete(batch),
  );
  toDelete.forEach((d, i) => {
    const result = deleted[i];
    // A group someone already deleted in Salesforce is gone either way.
    if (
      result &&
      !result.success &&
      !/ENTITY_IS_DELETED|INVALID_CROSS_REFERENCE_KEY|NOT_FOUND/.test(salesforceCode(result.error) ?? "")
    )
      fail(d.op, result.error, "targetId" in d.op ? d.op.targetId : null);
  });
  for (const op of deletes)
    if (!outcomes.has(op)) outcomes.set(op, { op, ok: true, targetId: op.targetId, error: null });
  for (const op of ops)
    if (!outcomes.has(op)) outcomes.set(op, { op, ok: true, targetId: null, error: null });
  return ops.map((op) => outcomes.get(op) as GroupOutcome);
};
