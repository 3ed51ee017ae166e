import { Type } from "@sinclair/typebox";
import type { ServiceContext } from "../../services/context.ts";
import {
  confirmChannel,
  listChannelStatuses,
  previewChannel,
  provisionUser,
  requestRun,
  resetChannel,
} from "../../services/provisioning/channels.ts";
import { optionalBody } from "./json-body.ts";
import { principalOf } from "./principal.ts";
import {
  Accepted,
  ChannelParams,
  ChannelStatusView,
  CycleResult,
  Preview,
  PreviewBody,
  ProvisionUserBody,
  ProvisionUserResult,
  RetryBody,
  RunBody,
} from "./provisioning-schemas.ts";
import { Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

/**
 * The channels on the admin API: where each stands, and the operator's actions on one — run a
 * cycle now (waiting for it or not), preview it, provision one user, retry failures, confirm
 * held deactivations, reset. Each calls one use case; the use cases audit and serialize.
 */

const channelPath = "/provisioning/connections/:connectionId/channels/:channelName";

/** A run's answer: the cycle's summary and the channel's state after it. */
const cycleResult = (report: NonNullable<Awaited<ReturnType<typeof requestRun>>>) => ({
  summary: report.summary,
  state: report.state,
});

export const provisioningChannelRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Provisioning"];
    const runResponses = { 200: CycleResult, 202: Accepted, ...problems };

    api.get(
      "/provisioning/channels",
      {
        schema: {
          tags,
          summary: "Every channel: its state, last and next cycle, users by status, errors, watermark",
          response: { 200: Items(ChannelStatusView), ...problems },
        },
      },
      async () => ({ items: await listChannelStatuses(context) }),
    );

    for (const [action, summary, body] of [
      ["run", "Run a cycle now; with wait, answer when it ends", RunBody],
      [
        "retry",
        "Run a full pass now that tries failed users again; with wait, answer when it ends",
        RetryBody,
      ],
    ] as const) {
      api.post(
        `${channelPath}/${action}`,
        {
          schema: { tags, summary, params: ChannelParams, body, response: runResponses },
          preValidation: optionalBody,
        },
        async (request, reply) => {
          const { connectionId, channelName } = request.params;
          const input = request.body;
          const report = await requestRun(context, principalOf(request), connectionId, channelName, {
            action,
            full: "full" in input ? input.full : undefined,
            wait: input.wait === true,
          });
          if (report) return cycleResult(report);
          reply.status(202);
          return { accepted: true as const };
        },
      );
    }

    api.post(
      `${channelPath}/preview`,
      {
        schema: {
          tags,
          summary: "The plan of the next cycle, field by field; writes nothing to Salesforce",
          params: ChannelParams,
          body: PreviewBody,
          response: { 200: Preview, ...problems },
        },
        preValidation: optionalBody,
      },
      async (request) => {
        const { connectionId, channelName } = request.params;
        const input = request.body;
        return previewChannel(context, connectionId, channelName, input);
      },
    );

    api.post(
      `${channelPath}/provisionUser`,
      {
        schema: {
          tags,
          summary: "Provision one user now, showing each step",
          params: ChannelParams,
          body: ProvisionUserBody,
          response: { 200: ProvisionUserResult, ...problems },
        },
      },
      async (request) => {
        const { connectionId, channelName } = request.params;
        const { user } = request.body;
        const { steps, state } = await provisionUser(
          context,
          principalOf(request),
          connectionId,
          channelName,
          user,
        );
        return { steps, state: state ?? null };
      },
    );

    api.post(
      `${channelPath}/reset`,
      {
        schema: {
          tags,
          summary: "Forget the channel's state (watermark, ids, what was pushed), like provmgr's reset",
          params: ChannelParams,
          response: { 204: Type.Null(), ...problems },
        },
      },
      async (request, reply) => {
        const { connectionId, channelName } = request.params;
        await resetChannel(context, principalOf(request), connectionId, channelName);
        reply.status(204).send(null);
      },
    );

    api.post(
      `${channelPath}/confirm`,
      {
        schema: {
          tags,
          summary: "Let the held deactivations through, and run the cycle",
          params: ChannelParams,
          response: { 200: CycleResult, ...problems },
        },
      },
      async (request) => {
        const { connectionId, channelName } = request.params;
        return cycleResult(await confirmChannel(context, principalOf(request), connectionId, channelName));
      },
    );
  };
