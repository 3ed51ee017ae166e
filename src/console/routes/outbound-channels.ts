import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { builtinDataSourceId, type Channel } from "../../domain/channel.ts";
import type { SpConnection } from "../../domain/sp-connection.ts";
import { getConnection } from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { listDataStores } from "../../services/data-stores/data-stores.ts";
import { channelDraftProblems, channelSourcePreset } from "../../services/provisioning/channel-draft.ts";
import { defaultMapping } from "../../services/provisioning/field-report.ts";
import {
  type ConsoleRoutes,
  redirectWithNotice,
  refuseAuditors,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import {
  type ChannelForm,
  channelCopyPage,
  channelFormPage,
  channelsPage,
  deleteChannelPage,
} from "../views/outbound-channels.ts";
import { channelBase, outboundBase, type Problem } from "../views/outbound-common.ts";
import {
  ChannelBody,
  channelFromForm,
  fieldErrorsOf,
  formFromChannel,
  formProblems,
} from "./outbound-channel-form.ts";
import {
  ChannelParams,
  loadChannel,
  loadProvision,
  outboundConnectionOf,
  problemsOf,
  provisionOf,
  replaceChannel,
  saveChannels,
} from "./outbound-shared.ts";
import { ConnectionIdParams } from "./outbound-target.ts";

const CopyBody = Type.Object({ _csrf: Type.String(), name: Type.Optional(Type.String({ maxLength: 256 })) });

/**
 * Manage Channels: the list, a new channel (its mapping starts from the default for its source),
 * edit, copy, and delete. Every change is saved through the connection update; a channel's settings
 * are checked as a running channel would check them before they are saved.
 */

const SourceQuery = Type.Object(
  { dataStore: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);

const sourceLabel = (dataStores: readonly { id: string; label: string }[], id: string) =>
  dataStores.find((d) => d.id === id)?.label ?? id;

const dataStoreOptions = async (context: ServiceContext) => [
  { id: builtinDataSourceId, label: "Built-in directory" },
  ...(await listDataStores(context)).map((s) => ({
    id: s.id ?? "",
    label: `${s.name ?? s.id} (LDAP, ${s.ldapType})`,
  })),
];

const showForm = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  o: {
    connection: SpConnection;
    existing?: string | undefined;
    form: ChannelForm;
    errors?: readonly Problem[];
  },
  status = 200,
) => {
  const errors = o.errors ?? [];
  const page = channelFormPage({
    viewer: viewerOf(request),
    connection: outboundConnectionOf(o.connection),
    existing: o.existing,
    form: o.form,
    dataStores: await dataStoreOptions(context),
    isLdap: (o.form.dataSource ?? builtinDataSourceId) !== builtinDataSourceId,
    errors,
    fieldErrors: fieldErrorsOf(errors),
    notice: takeNotice(request, reply),
  });
  return sendPage(reply, page, status);
};

/** The form for a channel on `dataStore`: the channel's own values over the store's preset. */
const formOn = async (
  context: ServiceContext,
  channel: Pick<Channel, "name" | "maxThreads" | "timeout" | "channelSource">,
  dataStore: string,
) => {
  const switched = dataStore !== channel.channelSource.dataSource.id;
  // Another source: its preset, with the channel's info and where its users are kept.
  const source = switched
    ? {
        dataSource: { id: dataStore },
        ...(channel.channelSource.baseDn === undefined ? {} : { baseDn: channel.channelSource.baseDn }),
        ...(channel.channelSource.userSourceLocation === undefined
          ? {}
          : { userSourceLocation: channel.channelSource.userSourceLocation }),
      }
    : channel.channelSource;
  return formFromChannel(
    { ...channel, channelSource: source },
    await channelSourcePreset(context, dataStore),
  );
};

export const outboundChannelRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get(
      "/connections/:id/provisioning/channels",
      { schema: { params: ConnectionIdParams } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        const provision = provisionOf(connection);
        const stores = await dataStoreOptions(context);
        const page = channelsPage({
          viewer: viewerOf(request),
          connection: outboundConnectionOf(connection),
          configured: provision !== undefined,
          rows: (provision?.channels ?? []).map((c) => ({
            name: c.name,
            active: c.active,
            source: sourceLabel(stores, c.channelSource.dataSource.id),
            mapped: c.attributeMapping.length,
          })),
          notice: takeNotice(request, reply),
        });
        return sendPage(reply, page);
      },
    );

    app.get(
      "/connections/:id/provisioning/new-channel",
      { schema: { params: ConnectionIdParams, querystring: SourceQuery } },
      async (request, reply) => {
        const { connection } = await loadProvision(context, request.params.id);
        const blank = { name: "", channelSource: { dataSource: { id: builtinDataSourceId } } };
        const form = await formOn(context, blank, request.query.dataStore ?? builtinDataSourceId);
        return showForm(context, request, reply, { connection, form });
      },
    );

    app.post(
      "/connections/:id/provisioning/new-channel",
      { schema: { params: ConnectionIdParams, body: ChannelBody } },
      async (request, reply) => {
        const { connection, provision } = await loadProvision(context, request.params.id);
        const drafted = channelFromForm(request.body, undefined);
        const { attributeMapping } = await defaultMapping(context, drafted.channelSource.dataSource.id);
        const channel: Channel = { ...drafted, attributeMapping };
        const refuse = (errors: readonly Problem[]) =>
          showForm(context, request, reply, { connection, form: request.body, errors }, 422);
        const errors: Problem[] = [
          ...(channel.name === "" ? [{ field: "name", message: "a channel needs a name" }] : []),
          ...(provision.channels.some((c) => c.name === channel.name)
            ? [{ field: "name", message: `"${channel.name}" is used by another channel` }]
            : []),
          ...formProblems(request.body),
          ...(await channelDraftProblems(context, channel, "channel")),
        ];
        if (errors.length > 0) return refuse(errors);
        try {
          await saveChannels(context, request, connection, provision, [...provision.channels, channel]);
        } catch (error) {
          return refuse(problemsOf(error));
        }
        return redirectWithNotice(
          request,
          reply,
          `${channelBase(connection.id ?? "", channel.name)}/mapping`,
          `Channel "${channel.name}" created, inactive, with the default mapping for its source: check the mapping, then activate it.`,
        );
      },
    );

    app.get(
      "/connections/:id/provisioning/channels/:name",
      { schema: { params: ChannelParams, querystring: SourceQuery } },
      async (request, reply) => {
        // Every name is a channel's; the create form's old address still opens it while no channel is "new".
        if (request.params.name === "new") {
          const { provision } = await loadProvision(context, request.params.id);
          if (!provision.channels.some((c) => c.name === "new")) {
            const query =
              request.query.dataStore === undefined
                ? ""
                : `?dataStore=${encodeURIComponent(request.query.dataStore)}`;
            return reply.redirect(`${outboundBase(request.params.id)}/new-channel${query}`, 303);
          }
        }
        const { connection, channel } = await loadChannel(context, request.params.id, request.params.name);
        const form = await formOn(
          context,
          channel,
          request.query.dataStore ?? channel.channelSource.dataSource.id,
        );
        return showForm(context, request, reply, { connection, existing: channel.name, form });
      },
    );

    app.post(
      "/connections/:id/provisioning/channels/:name",
      { schema: { params: ChannelParams, body: ChannelBody } },
      async (request, reply) => {
        const { id, name } = request.params;
        const loaded = await loadChannel(context, id, name);
        const { connection, channel } = loaded;
        const edited = { ...channelFromForm(request.body, channel), name: channel.name };
        const refuse = (errors: readonly Problem[]) =>
          showForm(context, request, reply, { connection, existing: name, form: request.body, errors }, 422);
        const errors = [
          ...formProblems(request.body),
          ...(await channelDraftProblems(context, edited, "channel")),
        ];
        if (errors.length > 0) return refuse(errors);
        const refused = await replaceChannel(context, request, loaded, edited);
        if (refused.length > 0) return refuse(refused);
        return redirectWithNotice(request, reply, channelBase(id, name), `Channel "${name}" saved.`);
      },
    );

    app.get(
      "/connections/:id/provisioning/channels/:name/delete",
      // Nothing to ask an auditor, who may not delete.
      { schema: { params: ChannelParams }, preHandler: refuseAuditors },
      async (request, reply) => {
        const { connection, channel } = await loadChannel(context, request.params.id, request.params.name);
        const page = deleteChannelPage({
          viewer: viewerOf(request),
          connection: outboundConnectionOf(connection),
          channel,
        });
        return sendPage(reply, page);
      },
    );

    app.get(
      "/connections/:id/provisioning/channels/:name/copy",
      { schema: { params: ChannelParams } },
      async (request, reply) => {
        const { connection, channel } = await loadChannel(context, request.params.id, request.params.name);
        const page = channelCopyPage({
          viewer: viewerOf(request),
          connection: outboundConnectionOf(connection),
          channel: channel.name,
          name: `${channel.name}-copy`,
          errors: [],
        });
        return sendPage(reply, page);
      },
    );

    app.post(
      "/connections/:id/provisioning/channels/:name/copy",
      { schema: { params: ChannelParams, body: CopyBody } },
      async (request, reply) => {
        const { id } = request.params;
        const { connection, provision, channel } = await loadChannel(context, id, request.params.name);
        const name = (request.body.name ?? "").trim();
        const refuse = (errors: readonly Problem[]) =>
          sendPage(
            reply,
            channelCopyPage({
              viewer: viewerOf(request),
              connection: outboundConnectionOf(connection),
              channel: channel.name,
              name,
              errors,
            }),
            422,
          );
        if (name === "") return refuse([{ field: "name", message: "enter a name for the copy" }]);
        if (provision.channels.some((c) => c.name === name))
          return refuse([{ field: "name", message: `"${name}" is used by another channel` }]);
        const copy: Channel = { ...structuredClone(channel), name, active: false };
        try {
          await saveChannels(context, request, connection, provision, [...provision.channels, copy]);
        } catch (error) {
          return refuse(problemsOf(error));
        }
        return redirectWithNotice(
          request,
          reply,
          `${outboundBase(id)}/channels`,
          `Channel "${channel.name}" copied to "${name}", inactive: check its mapping, then activate it.`,
        );
      },
    );

    app.post(
      "/connections/:id/provisioning/channels/:name/delete",
      { schema: { params: ChannelParams } },
      async (request, reply) => {
        const { id, name } = request.params;
        const { connection, provision } = await loadChannel(context, id, name);
        await saveChannels(
          context,
          request,
          connection,
          provision,
          provision.channels.filter((c) => c.name !== name),
        );
        return redirectWithNotice(
          request,
          reply,
          `${outboundBase(id)}/channels`,
          `Channel "${name}" deleted.`,
        );
      },
    );
  };
