import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  type FieldReport,
  refreshFieldReport,
  storedFieldReport,
} from "../../services/provisioning/field-report.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import { channelBase } from "../views/outbound-common.ts";
import { fieldSpecsPage, type MappingPageData, mappingPage } from "../views/outbound-mapping.ts";
import { ChannelParams, loadChannel, outboundConnectionOf, replaceChannel } from "./outbound-shared.ts";

/**
 * A channel's Attribute Mapping page, Refresh Fields and View Partner Field Specifications
 * (the services behind `POST /provisioning/connections/{id}/refreshFields` and `GET …/fields`),
 * and the channel's activation, which the connection update refuses while a field Salesforce
 * requires is unmapped.
 */

/** Salesforce's fields as last read, or why they cannot be shown. */
export const fieldReportOf = async (
  context: ServiceContext,
  connectionId: string,
): Promise<{ report?: FieldReport; problem?: { code: string; message: string } }> => {
  try {
    return { report: await storedFieldReport(context, connectionId) };
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error;
    const message =
      error.code === "PROV_FIELDS_NOT_FETCHED"
        ? "Salesforce's fields were never read for this connection: Refresh Fields to list them and mark the required ones."
        : error.message;
    return { problem: { code: error.code, message } };
  }
};

const showMapping = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  params: { id: string; name: string },
  extra: Pick<MappingPageData, "errors" | "refreshFailure"> = {},
  status = 200,
) => {
  const { connection, channel } = await loadChannel(context, params.id, params.name);
  const { report, problem } = await fieldReportOf(context, params.id);
  const page = mappingPage({
    viewer: viewerOf(request),
    connection: outboundConnectionOf(connection),
    channel: { name: channel.name, active: channel.active, mapping: channel.attributeMapping },
    report,
    reportProblem: problem,
    notice: takeNotice(request, reply),
    ...extra,
  });
  return sendPage(reply, page, status);
};

const StatusBody = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    status: Type.Union([Type.Literal("active"), Type.Literal("inactive")]),
  },
  { additionalProperties: false },
);

export const outboundMappingRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const path = "/connections/:id/provisioning/channels/:name";

    app.get(`${path}/mapping`, { schema: { params: ChannelParams } }, async (request, reply) =>
      showMapping(context, request, reply, request.params),
    );

    app.post(`${path}/mapping/refresh`, { schema: { params: ChannelParams } }, async (request, reply) => {
      const { id, name } = request.params;
      await loadChannel(context, id, name);
      try {
        const report = await refreshFieldReport(context, actorOf(request), id);
        const contact = report.fields.Contact ? ` and ${report.fields.Contact.length} Contact` : "";
        return redirectWithNotice(
          request,
          reply,
          `${channelBase(id, name)}/mapping`,
          `Fields refreshed from Salesforce: ${report.fields.User.length} User${contact} fields.`,
        );
      } catch (error) {
        if (!isAppError(error) || error.status >= 500) throw error;
        return showMapping(
          context,
          request,
          reply,
          request.params,
          {
            refreshFailure: { code: error.code, message: error.message },
          },
          422,
        );
      }
    });

    app.get(`${path}/fields`, { schema: { params: ChannelParams } }, async (request, reply) => {
      const { connection, channel } = await loadChannel(context, request.params.id, request.params.name);
      const { report, problem } = await fieldReportOf(context, request.params.id);
      return sendPage(
        reply,
        fieldSpecsPage({
          viewer: viewerOf(request),
          connection: outboundConnectionOf(connection),
          channel: channel.name,
          report,
          problem,
        }),
      );
    });

    app.post(
      `${path}/activation`,
      { schema: { params: ChannelParams, body: StatusBody } },
      async (request, reply) => {
        const { id, name } = request.params;
        const loaded = await loadChannel(context, id, name);
        const { connection } = loaded;
        const active = request.body.status === "active";
        const errors = await replaceChannel(context, request, loaded, { ...loaded.channel, active });
        if (errors.length > 0) return showMapping(context, request, reply, request.params, { errors }, 422);
        return redirectWithNotice(
          request,
          reply,
          `${channelBase(id, name)}/mapping`,
          active
            ? `Channel "${name}" is active: it provisions at the next cycle${connection.active ? "" : " once the connection is active"}.`
            : `Channel "${name}" is inactive: provisioning through it is suspended.`,
        );
      },
    );
  };
