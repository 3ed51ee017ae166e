import type { ProvisionedObject } from "../../domain/provisioning-ports.ts";
import { applyUserOps } from "../apply/apply-users.ts";
import { createNameResolver } from "../apply/lookups.ts";
import { contactPrefix, shown } from "../model/mapping.ts";
import { planUser, type UserOp } from "../plan/plan-users.ts";
import type { ChannelRuntime } from "./cycle.ts";
import { prepareCases } from "./prepare.ts";
import { recordUserOutcomes } from "./record.ts";
import { inDoubt, pendingCreates } from "./write-ahead.ts";

/** One step of provisioning one user, as `provisionUser` shows it. */
export type UserStep = { readonly step: string; readonly detail: Readonly<Record<string, unknown>> };

/** An operation as a person reads it: masked values stay masked. */
export const describeOp = (op: UserOp): Record<string, unknown> => {
  const out: Record<string, unknown> = { type: op.type, sourceId: op.sourceId };
  if ("targetId" in op && op.targetId !== null) out.targetId = op.targetId;
  if ("username" in op) out.username = op.username;
  if ("fields" in op) {
    out.fields = Object.fromEntries(
      Object.entries(op.fields).map(([f, v]) => [f, op.desired ? shown(op.desired, f, v) : v]),
    );
  }
  if (op.type === "CREATE") {
    out.active = op.active;
    if (op.permissionSets.length > 0) out.permissionSets = op.permissionSets;
    if (op.contact)
      out.contact = {
        id: op.contact.id ?? "(new)",
        accountId: op.contact.accountId,
        fields: Object.fromEntries(
          Object.entries(op.contact.fields).map(([f, v]) => [
            f,
            op.desired ? shown(op.desired, `${contactPrefix}${f}`, v) : v,
          ]),
        ),
      };
  }
  if (op.type === "ADOPT") out.status = op.status;
  if (op.type === "PERMISSION_SETS") Object.assign(out, { add: op.add, remove: op.remove });
  if (op.type === "SKIP") Object.assign(out, { reason: op.reason, warning: op.warn });
  if (op.type === "FAIL") Object.assign(out, { code: op.code, message: op.message });
  return out;
};

/**
 * Provisions one user now, whatever the schedule, and says what happened at each step: the
 * source record, what the mapping makes of it, what Salesforce already holds, the plan, and the
 * outcome. With `apply` false it stops after the plan (what this user would become). An admin
 * asked for this user by name, so the safety hold does not apply.
 */
export const provisionOneUser = async (
  rt: ChannelRuntime,
  sourceId: string,
  options: { apply: boolean },
): Promise<{ steps: UserStep[]; state: ProvisionedObject | undefined }> => {
  const steps: UserStep[] = [];
  const found = await rt.source.getUser(sourceId);
  const id = found?.user.id ?? sourceId.toLowerCase();
  const record = found?.inScope ? found.user : null;
  steps.push({
    step: "read",
    detail: found
      ? {
          sourceId: id,
          inScope: found.inScope,
          enabled: found.user.enabled,
          groups: found.user.attributes.memberOf ?? [],
        }
      : { sourceId: id, found: false },
  });
  const { cases, states } = await prepareCases({
    connectionId: rt.connectionId,
    repo: rt.repo,
    api: rt.api,
    mapping: rt.mapping,
    options: rt.options,
    users: new Map([[id, record]]),
  });
  const c = cases[0];
  if (c?.desired) {
    const desired = c.desired;
    steps.push({
      step: "map",
      detail: {
        user: Object.fromEntries(Object.entries(desired.user).map(([f, v]) => [f, shown(desired, f, v)])),
        ...(Object.keys(desired.contact).length > 0
          ? {
              contact: Object.fromEntries(
                Object.entries(desired.contact).map(([f, v]) => [
                  f,
                  shown(desired, `${contactPrefix}${f}`, v),
                ]),
              ),
            }
          : {}),
        ...(desired.permissionSets.length > 0 ? { permissionSets: desired.permissionSets } : {}),
      },
    });
  }
  steps.push({
    step: "match",
    detail: c?.state?.targetId
      ? { salesforceId: c.state.targetId, status: c.state.status, by: "stored link" }
      : c?.existing
        ? {
            salesforceId: c.existing.id,
            username: c.existing.username,
            active: c.existing.isActive,
            by: "Username or Federation ID",
          }
        : { salesforceId: null },
  });
  const ops = c ? planUser(c, rt.options, rt.channel, true) : [];
  steps.push({ step: "plan", detail: { operations: ops.map(describeOp) } });
  if (!options.apply || ops.length === 0) return { steps, state: states.get(id) };
  const stateOf = (sid: string) => states.get(sid);
  const now = rt.clock.now().toISOString();
  const marked = [...pendingCreates(ops, stateOf, rt, now), ...inDoubt(ops, stateOf, rt.channel, now)];
  await rt.repo.putObjects(marked);
  const outcomes = await applyUserOps(
    {
      api: rt.api,
      pacing: rt.pacing,
      resolve: createNameResolver(rt.api),
      fieldTypes: rt.fieldTypes,
    },
    ops,
  );
  steps.push({
    step: "apply",
    detail: {
      outcomes: outcomes.map((o) => ({
        type: o.op.type,
        success: o.ok,
        salesforceId: o.targetId,
        ...(o.error ? { error: `${o.error.code}: ${o.error.message}` } : {}),
      })),
    },
  });
  const recorded = recordUserOutcomes(
    {
      connectionId: rt.connectionId,
      channel: rt.channel,
      cycleId: rt.newId(),
      now: rt.clock.now().toISOString(),
    },
    outcomes,
    stateOf,
  );
  await rt.repo.putObjects(recorded.rows);
  for (const sid of recorded.forget) await rt.repo.deleteObject(rt.connectionId, "user", sid);
  await rt.repo.appendEvents(recorded.events);
  const [after] = await rt.repo.getObjects(rt.connectionId, "user", [id]);
  steps.push({
    step: "record",
    detail: { status: after?.status ?? "none", salesforceId: after?.targetId ?? null },
  });
  return { steps, state: after };
};
