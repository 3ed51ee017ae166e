import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { unsupportedWarnings } from "../../domain/pf-unsupported.ts";
import { addLocations } from "../../domain/references.ts";
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

/** This server's admin-API base URL, as the client reached it: references' `location`s start with it. */
export const apiBase = (request: FastifyRequest): string =>
  `${request.protocol}://${request.host}/pf-admin-api/v1`;

/**
 * The header that reports what Portico stored without serving (docs/pingfederate-import.md): a
 * JSON array of sentences, ASCII-escaped so that any header parser reads it.
 */
export const warningsHeader = "Portico-Warnings";

/** The document as sent to the client: references located here, unsupported parts reported. */
const shown = (request: FastifyRequest, reply: FastifyReply, document: SpConnection): SpConnection => {
  addLocations(document, apiBase(request));
  const warnings = unsupportedWarnings(document);
  if (warnings.length > 0) {
    reply.header(
      warningsHeader,
      JSON.stringify(warnings).replace(
        /[^\x20-\x7e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      ),
    );
  }
  return document;
};

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
        for (const document of all) addLocations(document, apiBase(request));
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
        return shown(request, reply, created);
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
      async (request, reply) => shown(request, reply, await getConnection(context, request.params.id)),
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
      async (request, reply) =>
        shown(
          request,
          reply,
          await updateConnection(context, principalOf(request), request.params.id, request.body),
        ),
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
