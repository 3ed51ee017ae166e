import { Type } from "@sinclair/typebox";
import type { AuditLogFilter } from "../../domain/ports.ts";
import { listAuditEvents } from "../../services/audit.ts";
import type { ServiceContext } from "../../services/context.ts";
import { type ConsoleRoutes, sendPage, viewerOf } from "../request.ts";
import { type AuditQuery, auditPage, auditPageSize } from "../views/audit.ts";

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const Query = Type.Object({
  actor: text(256),
  action: text(128),
  resourceType: text(64),
  outcome: Type.Optional(Type.Union([Type.Literal(""), Type.Literal("SUCCESS"), Type.Literal("FAILURE")])),
  from: text(40),
  to: text(40),
  page: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,5}$" })),
});

/** A time typed in the form (datetime-local, read as UTC) as the stored ISO form; "" for none. */
const instant = (value: string): string | undefined | "invalid" => {
  if (value === "") return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return "invalid";
  const at = new Date(`${value}Z`);
  return Number.isNaN(at.getTime()) ? "invalid" : at.toISOString();
};

const orUndefined = (value: string) => (value === "" ? undefined : value);

/** The audit log, filterable, paged on the server (issue 10: "the audit log, filterable"). */
export const auditRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get("/audit", { schema: { querystring: Query } }, async (request, reply) => {
      const q = request.query;
      const query: AuditQuery = {
        actor: q.actor?.trim() ?? "",
        action: q.action?.trim() ?? "",
        resourceType: q.resourceType?.trim() ?? "",
        outcome: q.outcome ?? "",
        from: q.from?.trim() ?? "",
        to: q.to?.trim() ?? "",
        page: Number(q.page ?? "1"),
      };
      const from = instant(query.from);
      const to = instant(query.to);
      const errors: Record<string, string> = {};
      if (from === "invalid") errors.from = "A date and time, like 2026-12-01T09:00.";
      if (to === "invalid") errors.to = "A date and time, like 2026-12-01T17:00.";
      if (from !== "invalid" && to !== "invalid" && from !== undefined && to !== undefined && from >= to)
        errors.to = "Must be after From.";
      const viewer = viewerOf(request);
      if (from === "invalid" || to === "invalid" || Object.keys(errors).length > 0)
        return sendPage(reply, auditPage({ viewer, query, errors, events: [], total: 0 }), 400);
      const filter: AuditLogFilter = {
        actor: orUndefined(query.actor),
        action: orUndefined(query.action),
        resourceType: orUndefined(query.resourceType),
        outcome: query.outcome === "" ? undefined : query.outcome,
        from,
        to,
      };
      let found = await listAuditEvents(context, {
        filter,
        limit: auditPageSize,
        offset: (query.page - 1) * auditPageSize,
      });
      const pages = Math.max(1, Math.ceil(found.total / auditPageSize));
      if (query.page > pages) {
        // Past the end (the filter narrowed, or events aged out): the last page instead.
        found = await listAuditEvents(context, {
          filter,
          limit: auditPageSize,
          offset: (pages - 1) * auditPageSize,
        });
        return sendPage(reply, auditPage({ viewer, query: { ...query, page: pages }, errors, ...found }));
      }
      return sendPage(reply, auditPage({ viewer, query, errors, ...found }));
    });
  };
