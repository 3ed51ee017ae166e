import { Type } from "@sinclair/typebox";
import { SpConnection } from "../../domain/sp-connection.ts";
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { principalOf } from "./principal.ts";
import { IdParams, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const ListQuery = Type.Object(
  {
    entityId: Type.Optional(Type.String({ maxLength: 1024 })),
    filter: Type.Optional(
      Type.String({ maxLength: 256, description: "part of the name or entity ID, any case" }),
    ),
    page: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,5}$" })),
    numberPerPage: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,3}$" })),
  },
  { additionalProperties: false },
);

export const connectionRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["SP connections"];
    api.get(
      "/idp/spConnections",
      {
        schema: {
          tags,
          summary: "List SP connections",
          querystring: ListQuery,
          response: { 200: Type.Object({ items: Type.Array(SpConnection) }), ...problems },
        },
      },
      async (request) => {
        const query = request.query;
        const all = await listConnections(context, { entityId: query.entityId, filter: query.filter });
        if (query.page === undefined && query.numberPerPage === undefined) return { items: all };
        const size = Number(query.numberPerPage ?? "20");
        const page = Number(query.page ?? "1");
        return { items: all.slice((page - 1) * size, page * size) };
      },
    );

    api.post(
      "/idp/spConnections",
      {
        schema: {
          tags,
          summary: "Create an SP connection",
          body: SpConnection,
          response: { 201: SpConnection, ...problems },
        },
      },
      async (request, reply) => {
        const created = await createConnection(context, principalOf(request), request.body);
        reply
          .status(201)
          .header("Location", `/pf-admin-api/v1/idp/spConnections/${encodeURIComponent(created.id ?? "")}`);
        return created;
      },
    );

    api.get(
      "/idp/spConnections/:id",
      {
        schema: {
          tags,
          summary: "One SP connection",
          params: IdParams,
          response: { 200: SpConnection, ...problems },
        },
      },
      async (request) => getConnection(context, request.params.id),
    );

    api.put(
      "/idp/spConnections/:id",
      {
        schema: {
          tags,
          summary: "Replace an SP connection (echo encryptedValue to keep a secret)",
          params: IdParams,
          body: SpConnection,
          response: { 200: SpConnection, ...problems },
        },
      },
      async (request) => updateConnection(context, principalOf(request), request.params.id, request.body),
    );

    api.delete(
      "/idp/spConnections/:id",
      { schema: { tags, summary: "Delete an inactive SP connection", params: IdParams } },
      async (request, reply) => {
        await deleteConnection(context, principalOf(request), request.params.id);
        reply.status(204).send();
      },
    );
  };
