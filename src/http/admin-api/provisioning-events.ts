import { Readable } from "node:stream";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { invalid } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  type EventExportFormat,
  type EventQuery as EventFilter,
  exportEvents,
  listEvents,
} from "../../services/provisioning/events.ts";
import { EventPage, EventQuery } from "./provisioning-schemas.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * `GET /provisioning/events`: the provisioning events log, a page of JSON at a time, or all of
 * it as CSV or JSON Lines (by `format`, or the Accept header), streamed as it is read.
 */

/** A text body sent as it is produced: a string to OpenAPI, a stream to the handler's type. */
const streamed = Type.Unsafe<string | Readable>(Type.String());

const mediaTypes: Record<EventExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
};

const formatOf = (request: FastifyRequest, query: Static<typeof EventQuery>): EventExportFormat | "json" => {
  if (query.format !== undefined) return query.format;
  const accept = request.headers.accept ?? "";
  if (/\btext\/csv\b/i.test(accept)) return "csv";
  if (/\bapplication\/(?:x-ndjson|jsonl)\b/i.test(accept)) return "jsonl";
  return "json";
};

export const provisioningEventRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    api.get(
      "/provisioning/events",
      {
        schema: {
          tags: ["Provisioning"],
          summary:
            "Provisioning events, newest first: cycle, channel, event type, source id, target id, success, cause",
          querystring: EventQuery,
          response: {
            200: {
              description: "a page (JSON), or every matching event (CSV with a header row, JSON Lines)",
              content: {
                "application/json": { schema: EventPage },
                "text/csv": { schema: streamed },
                "application/x-ndjson": { schema: streamed },
              },
            },
            ...problems,
          },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const filter: EventFilter = {
          connectionId: query.connectionId,
          channel: query.channel,
          user: query.user,
          type: query.type,
          success: query.success === undefined ? undefined : query.success === "true",
          since: query.since,
        };
        const limit = query.limit === undefined ? undefined : Number(query.limit);
        if (limit !== undefined && limit > 1000)
          throw invalid("REQ_VALIDATION", "limit", "must be at most 1000");
        const before = query.before === undefined ? undefined : Number(query.before);
        const format = formatOf(request, query);
        if (format === "json") {
          reply.type("application/json; charset=utf-8");
          return listEvents(context, filter, { limit: limit ?? 100, before });
        }
        const chunks = exportEvents(context, filter, format, { limit, before });
        return reply.type(mediaTypes[format]).send(Readable.from(chunks));
      },
    );
  };
