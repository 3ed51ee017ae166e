import type { ExpressionBuilder, Kysely } from "kysely";
import type { AuditLogFilter, AuditLogRepository, StoredAuditEvent } from "../domain/ports.ts";
import type { Database } from "./schema.ts";

/** The filter as SQL conditions: each field that is set narrows the list; `at` compares ISO text. */
const conditions = (eb: ExpressionBuilder<Database, "audit_log">, filter: AuditLogFilter) => {
  const where = [];
  if (filter.actor !== undefined) where.push(eb("actor", "=", filter.actor));
  if (filter.action !== undefined) where.push(eb("action", "=", filter.action));
  if (filter.resourceType !== undefined) where.push(eb("resource_type", "=", filter.resourceType));
  if (filter.resourceId !== undefined) where.push(eb("resource_id", "=", filter.resourceId));
  if (filter.outcome !== undefined) where.push(eb("outcome", "=", filter.outcome));
  if (filter.from !== undefined) where.push(eb("at", ">=", filter.from));
  if (filter.to !== undefined) where.push(eb("at", "<", filter.to));
  return eb.and(where);
};

export const createAuditLogRepository = (db: Kysely<Database>): AuditLogRepository => ({
  append: async (event) => {
    await db
      .insertInto("audit_log")
      .values({
        at: event.at,
        actor: event.actor,
        action: event.action,
        resource_type: event.resourceType,
        resource_id: event.resourceId,
        outcome: event.outcome,
        detail: event.detail === null ? null : JSON.stringify(event.detail),
      })
      .execute();
  },
  list: async ({ limit, beforeId, offset, filter = {} }) => {
    let query = db
      .selectFrom("audit_log")
      .selectAll()
      .where((eb) => conditions(eb, filter))
      .orderBy("id", "desc")
      .limit(limit);
    if (beforeId !== undefined) query = query.where("id", "<", beforeId);
    if (offset !== undefined && offset > 0) query = query.offset(offset);
    return (await query.execute()).map(
      (row): StoredAuditEvent => ({
        id: Number(row.id),
        at: row.at,
        actor: row.actor,
        action: row.action,
        resourceType: row.resource_type,
        resourceId: row.resource_id,
        outcome: row.outcome === "FAILURE" ? "FAILURE" : "SUCCESS",
        detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
      }),
    );
  },
  count: async (filter = {}) => {
    const row = await db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where((eb) => conditions(eb, filter))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
});
