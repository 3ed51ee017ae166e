import { Type } from "@sinclair/typebox";
import { listConnections } from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { type ConsoleRoutes, sendPage, takeNotice, viewerOf } from "../request.ts";
import { connectionsPage, connectionsPageSize } from "../views/connections.ts";

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 1024 })),
  status: Type.Optional(Type.Union([Type.Literal("all"), Type.Literal("active"), Type.Literal("inactive")])),
  page: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,5}$" })),
});

export const connectionListRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get("/connections", { schema: { querystring: ListQuery } }, async (request, reply) => {
      const query = {
        q: request.query.q?.trim() ?? "",
        status: request.query.status ?? "all",
        page: Number(request.query.page ?? "1"),
      } as const;
      const found = (await listConnections(context, query.q ? { filter: query.q } : {}))
        .filter((c) => query.status === "all" || (query.status === "active") === (c.active === true))
        .sort((a, b) => a.name.localeCompare(b.name));
      const pages = Math.max(1, Math.ceil(found.length / connectionsPageSize));
      const page = Math.min(query.page, pages);
      const rows = found.slice((page - 1) * connectionsPageSize, page * connectionsPageSize);
      return sendPage(
        reply,
        connectionsPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          query: { ...query, page },
          total: found.length,
          rows,
        }),
      );
    });
  };
