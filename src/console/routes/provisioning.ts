import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError, isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  listChannelStatuses,
  previewChannel,
  provisionUser,
  requestConfirm,
  requestRun,
  resetChannel,
} from "../../services/provisioning/channels.ts";
import { listFailedUsers } from "../../services/provisioning/failed-users.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import {
  type ChannelPanel,
  channelBase,
  channelStatusFragment,
  provisioningPage,
} from "../views/provisioning.ts";
import { type ChannelForms, type ChannelResult, channelPage } from "../views/provisioning-channel.ts";

/**
 * The provisioning dashboard (/console/provisioning) and one channel's page, over the same use
 * cases as `/provisioning/…` on the admin API and `portico provision …`: the runs start in the
 * background and the page shows them as they go; preview and one-user provisioning answer with
 * their result on the channel's page.
 */

const ChannelParams = Type.Object({
  connectionId: Type.String({ minLength: 1, maxLength: 128 }),
  channelName: Type.String({ minLength: 1, maxLength: 256 }),
});
/** Which page the form was on: a channel's own, or the dashboard. */
const From = Type.Optional(Type.Literal("channel"));
const Form = Type.Object({ _csrf: Type.String(), from: From });
const RunForm = Type.Object({ _csrf: Type.String(), from: From, full: Type.Optional(Type.Literal("true")) });
const StatusQuery = Type.Object({ from: From });
const PreviewForm = Type.Object({
  _csrf: Type.String(),
  user: Type.Optional(Type.String({ maxLength: 256 })),
  full: Type.Optional(Type.Literal("true")),
});
const ProvisionForm = Type.Object({ _csrf: Type.String(), user: Type.String({ maxLength: 256 }) });

/** Failed users listed per channel; all are counted. */
const failedListed = 10;

const path = "/provisioning/:connectionId/:channelName";

export const provisioningRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const panelsOf = async (only?: { connectionId: string; channel: string }): Promise<ChannelPanel[]> =>
      Promise.all(
        (await listChannelStatuses(context, only)).map(async (status) => ({
          status,
          failed: await listFailedUsers(context, status.connectionId, status.channelName, failedListed),
        })),
      );
    const panelOf = async (params: { connectionId: string; channelName: string }) => {
      const [panel] = await panelsOf({ connectionId: params.connectionId, channel: params.channelName });
      // listChannelStatuses refuses a channel that does not exist; this one provisions no Salesforce.
      if (!panel)
        throw new AppError("PROV_CHANNEL_NOT_FOUND", {
          message: `The connection "${params.connectionId}" does not provision Salesforce.`,
        });
      return panel;
    };
    const showChannel = async (
      request: FastifyRequest,
      reply: FastifyReply,
      params: { connectionId: string; channelName: string },
      extra: { forms?: ChannelForms; result?: ChannelResult; errors?: { message: string }[] } = {},
      status = 200,
    ) =>
      sendPage(
        reply,
        channelPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          panel: await panelOf(params),
          ...extra,
        }),
        status,
      );

    app.get("/provisioning", async (request, reply) =>
      sendPage(
        reply,
        provisioningPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          panels: await panelsOf(),
        }),
      ),
    );

    app.get(path, { schema: { params: ChannelParams } }, async (request, reply) =>
      showChannel(request, reply, request.params),
    );

    // The fragment the pages poll: the channel's status alone.
    app.get(
      `${path}/status`,
      { schema: { params: ChannelParams, querystring: StatusQuery }, config: { consolePoll: true } },
      async (request, reply) =>
        reply.type("text/html; charset=utf-8").send(
          channelStatusFragment(viewerOf(request), await panelOf(request.params), {
            onChannelPage: request.query.from === "channel",
          }).__html,
        ),
    );

    /** Back where the form was: the channel's page when it says so, the dashboard otherwise. */
    const back = (
      request: FastifyRequest,
      reply: FastifyReply,
      to: { connectionId: string; channelName: string; from?: "channel" | undefined },
      notice: string,
    ) =>
      redirectWithNotice(
        request,
        reply,
        to.from === "channel" ? channelBase(to) : "/console/provisioning",
        notice,
      );

    for (const action of ["run", "retry"] as const) {
      app.post(
        `${path}/${action}`,
        { schema: { params: ChannelParams, body: action === "run" ? RunForm : Form } },
        async (request, reply) => {
          const { connectionId, channelName } = request.params;
          const full = "full" in request.body && request.body.full === "true";
          await requestRun(context, actorOf(request), connectionId, channelName, {
            action,
            full: action === "run" ? full : undefined,
            wait: false,
          });
          const what =
            action === "retry" ? "A full pass retrying the failed users" : full ? "A full pass" : "A cycle";
          return back(
            request,
            reply,
            { ...request.params, from: request.body.from },
            `${what} of "${channelName}" started; its state below follows it.`,
          );
        },
      );
    }

    app.post(`${path}/reset`, { schema: { params: ChannelParams, body: Form } }, async (request, reply) => {
      const { connectionId, channelName } = request.params;
      await resetChannel(context, actorOf(request), connectionId, channelName);
      return back(
        request,
        reply,
        { ...request.params, from: request.body.from },
        `The channel "${channelName}" was reset: the next cycle starts afresh.`,
      );
    });

    app.post(`${path}/confirm`, { schema: { params: ChannelParams, body: Form } }, async (request, reply) => {
      const { connectionId, channelName } = request.params;
      await requestConfirm(context, actorOf(request), connectionId, channelName);
      return back(
        request,
        reply,
        { ...request.params, from: request.body.from },
        `Confirmed: the held cycle of "${channelName}" runs now.`,
      );
    });

    /** A refusal the admin can act on stays on the channel's page, above its forms. */
    const refused = (error: unknown) =>
      isAppError(error) && error.expose && error.status < 500
        ? { errors: [{ message: `${error.message} (${error.code})` }], status: error.status }
        : undefined;

    app.post(
      `${path}/preview`,
      { schema: { params: ChannelParams, body: PreviewForm } },
      async (request, reply) => {
        const { connectionId, channelName } = request.params;
        const user = request.body.user?.trim() || undefined;
        const full = request.body.full === "true";
        const forms = { previewUser: user, previewFull: full };
        try {
          const preview = await previewChannel(context, connectionId, channelName, {
            user,
            full,
            limit: 200,
          });
          return showChannel(request, reply, request.params, { forms, result: { kind: "preview", preview } });
        } catch (error) {
          const shown = refused(error);
          if (!shown) throw error;
          return showChannel(request, reply, request.params, { forms, errors: shown.errors }, shown.status);
        }
      },
    );

    app.post(
      `${path}/provision-user`,
      { schema: { params: ChannelParams, body: ProvisionForm } },
      async (request, reply) => {
        const { connectionId, channelName } = request.params;
        const user = request.body.user.trim();
        if (user === "") {
          const message = "Enter the uid of a directory user.";
          return showChannel(
            request,
            reply,
            request.params,
            { forms: { provisionError: message }, errors: [{ message: `User (uid): ${message}` }] },
            400,
          );
        }
        try {
          const { steps } = await provisionUser(context, actorOf(request), connectionId, channelName, user);
          return showChannel(request, reply, request.params, {
            forms: { provisionUser: user },
            result: { kind: "provision", user, steps },
          });
        } catch (error) {
          const shown = refused(error);
          if (!shown) throw error;
          return showChannel(
            request,
            reply,
            request.params,
            { forms: { provisionUser: user }, errors: shown.errors },
            shown.status,
          );
        }
      },
    );
  };
