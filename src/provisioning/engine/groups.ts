import type { ProvisionedObject } from "../../domain/provisioning-ports.ts";
import { applyGroupOps } from "../apply/apply-groups.ts";
import { findGroups, groupMembers } from "../apply/lookups.ts";
import { type GroupCase, type GroupOp, planGroup, pushedMembers } from "../plan/plan-groups.ts";
import type { UserOp } from "../plan/plan-users.ts";
import { type Recorded, recordGroupOutcomes } from "./record.ts";
import type { ChannelRuntime } from "./runtime.ts";

const pageSize = 500;

/** Public groups in scope against the channel's group rows. */
export const processGroups = async (
  rt: ChannelRuntime,
  io: {
    cycleId: string;
    preview: boolean;
    planned: (UserOp | GroupOp)[];
    store: (recorded: Recorded) => Promise<void>;
    ctx: () => { connectionId: string; channel: string; cycleId: string; now: string };
  },
) => {
  const groups = await rt.source.listGroups();
  const rows: ProvisionedObject[] = [];
  for (let after: string | undefined; ; ) {
    const page = await rt.repo.listObjects({
      connectionId: rt.connectionId,
      channel: rt.channel,
      kind: "group",
      afterSourceId: after,
      limit: pageSize,
    });
    rows.push(...page);
    const last = page.at(-1);
    if (!last || page.length < pageSize) break;
    after = last.sourceId;
  }
  const byId = new Map(rows.map((r) => [r.sourceId, r]));
  const memberIds = [...new Set(groups.flatMap((g) => g.memberIds))];
  const members = new Map(
    (await rt.repo.getObjects(rt.connectionId, "user", memberIds))
      .filter((u) => u.targetId !== null && (u.status === "ACTIVE" || u.status === "FROZEN"))
      .map((u) => [u.sourceId, u.targetId as string]),
  );
  const unknownNames = groups.filter((g) => !byId.get(g.id)?.targetId).map((g) => g.name);
  const existing =
    unknownNames.length > 0 ? await findGroups(rt.api, unknownNames) : new Map<string, string>();
  const inScope = new Set(groups.map((g) => g.id));
  const cases: GroupCase[] = [
    ...groups.map((g) => ({
      sourceId: g.id,
      source: g,
      state: byId.get(g.id),
      existing: existing.has(g.name) ? { id: existing.get(g.name) as string, name: g.name } : undefined,
      memberTargetIds: g.memberIds.flatMap((id) => (members.has(id) ? [members.get(id) as string] : [])),
    })),
    ...rows
      .filter((r) => !inScope.has(r.sourceId))
      .map((r) => ({
        sourceId: r.sourceId,
        source: null,
        state: r,
        existing: undefined,
        memberTargetIds: [],
      })),
  ];
  // A row in doubt: which of the members the channel may have placed are in Salesforce now.
  for (const [i, c] of cases.entries()) {
    const row = c.state;
    if (!c.source || !row?.targetId || (row.status !== "PENDING" && row.status !== "FAILED")) continue;
    const current = await groupMembers(rt.api, row.targetId, pushedMembers(row));
    cases[i] = { ...c, currentMembers: [...current.keys()] };
  }
  const ops = cases.flatMap(planGroup);
  if (io.preview) {
    io.planned.push(...ops);
    return;
  }
  // Write-ahead: a membership change not recorded (a crash, a timeout) leaves the row PENDING with
  // every member the change may have placed, to be read back next cycle.
  await rt.repo.putObjects(
    ops.flatMap((op) => {
      const row = byId.get(op.sourceId);
      if (op.type !== "GROUP_MEMBERS" || !row?.targetId) return [];
      const members = [...new Set([...pushedMembers(row), ...op.add])].sort();
      return [{ ...row, status: "PENDING" as const, pushed: { members }, updatedAt: io.ctx().now }];
    }),
  );
  const outcomes = await applyGroupOps(rt.api, rt.pacing, ops);
  const recorded = recordGroupOutcomes(io.ctx(), outcomes, (id) => byId.get(id));
  await rt.repo.putObjects(recorded.rows);
  for (const id of recorded.forget) await rt.repo.deleteObject(rt.connectionId, "group", id);
  await io.store({ ...recorded, rows: [], forget: [] });
};
