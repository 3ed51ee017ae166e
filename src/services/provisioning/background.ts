import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { activeChannels, channelKey, runChannel } from "./channels.ts";
import { nodeLeases } from "./node-leases.ts";
import { keepNode } from "./nodes.ts";
import { type Scheduler, startScheduler } from "./scheduler.ts";
import { getOutboundProvisioningSettings } from "./server-settings.ts";

/**
 * Provisioning in the background of `portico serve`: every active channel on its schedule and
 * soon after each directory change. A failing cycle is logged (with its code) and recorded in
 * the channel's state; the server goes on. With several nodes, each tick is also this node's
 * heartbeat, and only the channels whose lease it holds run here (nodes.ts).
 */
export const startProvisioning = (context: ServiceContext, options: { tickMs?: number } = {}): Scheduler => {
  const keys = new Map<string, { connectionId: string; channel: string }>();
  const shutdown = new AbortController();
  const scheduler = startScheduler({
    listChannels: async () => {
      const channels = await activeChannels(context);
      // The heartbeat and the leases: only the channels this node holds are scheduled here.
      const held = await keepNode(context, channels);
      return channels
        .filter((c) => held.has(channelKey(c.connectionId, c.channel)))
        .map((c) => {
          const key = channelKey(c.connectionId, c.channel);
          keys.set(key, { connectionId: c.connectionId, channel: c.channel });
          return {
            key,
            followsDirectory: true,
            notBefore: c.nextCycleAt === null ? undefined : new Date(c.nextCycleAt).getTime(),
          };
        });
    },
    synchronizationFrequencyMs: async () =>
      (await getOutboundProvisioningSettings(context)).synchronizationFrequency * 1000,
    lastDirectoryChange: () => context.store.directory.lastChangeSeq(),
    runChannel: async (key) => {
      const channel = keys.get(key);
      if (channel)
        await runChannel(context, channel.connectionId, channel.channel, { signal: shutdown.signal });
    },
    now: () => Date.now(),
    onError: (key, error) => {
      // The store logs an outage once, when it starts; a tick a second would repeat it.
      if (isAppError(error) && error.code === "STORE_UNAVAILABLE") return;
      const channel = keys.get(key);
      context.log.warn(
        {
          connectionId: channel?.connectionId,
          channel: channel?.channel,
          code: isAppError(error) ? error.code : undefined,
          err: error,
        },
        "provisioning cycle failed",
      );
    },
    ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
  });
  return {
    trigger: scheduler.trigger,
    depth: scheduler.depth,
    stop: async () => {
      shutdown.abort();
      await scheduler.stop();
      // The cycles have ended: let the leases go at once, so a standby need not wait them out.
      const leases = nodeLeases(context);
      await leases.releaseAll();
      const repo = context.store.provisioningNodes;
      await repo.markStopped(leases.index, leases.instance, await repo.now()).catch(() => {});
    },
  };
};
