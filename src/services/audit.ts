import type { AuditLogFilter, AuditLogRepository, StoredAuditEvent } from "../domain/ports.ts";
import type { Clock } from "../lib/clock.ts";
import { type Actor, actorLabel } from "./context.ts";

/**
 * Records one admin change. `detail` must never hold a secret: callers pass identifiers and
 * field names, not values.
 */
export const recordAudit = async (
  auditLog: AuditLogRepository,
  clock: Clock,
  actor: Actor,
  action: string,
  resource: { type: string; id: string | null },
  detail: Record<string, unknown> | null = null,
  outcome: "SUCCESS" | "FAILURE" = "SUCCESS",
): Promise<void> => {
  await auditLog.append({
    at: clock.now().toISOString(),
    actor: actorLabel(actor),
    action,
    resourceType: resource.type,
    resourceId: resource.id,
    outcome,
    detail,
  });
};

/**
 * An audit writer for one kind of resource: `audit(context, actor, "create", id)` records
 * `<type>.create` on `{type, id}`.
 */
export const auditResource =
  (type: string) =>
  (
    context: { store: { auditLog: AuditLogRepository }; clock: Clock },
    actor: Actor,
    action: string,
    id: string,
    detail: Record<string, unknown> | null = null,
  ): Promise<void> =>
    recordAudit(context.store.auditLog, context.clock, actor, `${type}.${action}`, { type, id }, detail);

/** One page of the audit log, newest first, with how many events match in all. */
export const listAuditEvents = async (
  context: { store: { auditLog: AuditLogRepository } },
  query: {
    filter: AuditLogFilter;
    limit: number;
    offset?: number | undefined;
    beforeId?: number | undefined;
  },
): Promise<{ events: StoredAuditEvent[]; total: number }> => {
  const [events, total] = await Promise.all([
    context.store.auditLog.list(query),
    context.store.auditLog.count(query.filter),
  ]);
  return { events, total };
};
