import type { Channel } from "../../domain/channel.ts";
import { isSecretFieldName, type SpConnection } from "../../domain/sp-connection.ts";
import type { ServiceContext } from "../context.ts";
import { isChannelRunning, serialized } from "./channels.ts";

/**
 * What a channel's plan depends on besides the source: the connection's provisioning options
 * (the non-secret target settings) and the channel itself (scope, mapping). When that changes,
 * the channel's next cycle is a full pass: a user that User Create skipped while it was off, a
 * change User Update held back, a field newly mapped, are all looked at again now rather than at
 * the next scheduled full pass (an incremental cycle reads only what changed in the directory).
 */
const fingerprint = (connection: SpConnection | undefined, channel: Channel | undefined): string => {
  const settings = (connection?.outboundProvision?.targetSettings ?? [])
    .filter((f) => !isSecretFieldName(f.name))
    .map((f) => [f.name, f.value ?? ""] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({ settings, channel: channel ? { ...channel, active: undefined } : null });
};

const channelNamed = (connection: SpConnection | undefined, name: string) =>
  connection?.outboundProvision?.channels.find((c) => c.name === name);

export const fullPassAfterConfigChange = async (
  context: ServiceContext,
  connectionId: string,
  before: SpConnection | undefined,
  after: SpConnection,
): Promise<void> => {
  for (const channel of after.outboundProvision?.channels ?? []) {
    if (fingerprint(before, channelNamed(before, channel.name)) === fingerprint(after, channel)) continue;
    const busy = isChannelRunning(context, connectionId, channel.name);
    // Behind a cycle in progress on this node, so that its end does not write the old pass time back.
    const mark = serialized(context, connectionId, channel.name, async () => {
      const state = await context.store.provisioning.getChannel(connectionId, channel.name);
      if (!state || state.lastFullPassAt === null) return;
      await context.store.provisioning.putChannel({
        ...state,
        lastFullPassAt: null,
        updatedAt: context.clock.now().toISOString(),
      });
    });
    if (busy)
      mark.catch((error: unknown) =>
        context.log.warn(
          { connectionId, channel: channel.name, err: error },
          "could not ask for a full pass",
        ),
      );
    else await mark;
  }
};

/**
 * A channel taken out of a connection, or a connection deleted, leaves no state behind: its rows
 * would otherwise keep its users from every other channel ("handled by the channel …") and hand a
 * new connection or channel of the same name a watermark and Salesforce ids from another org. The
 * users stay in Salesforce as they are; a channel whose scope holds them finds them by Username and
 * adopts them. Behind a cycle of that channel in progress on this node.
 */
export const forgetChannels = async (
  context: ServiceContext,
  connectionId: string,
  channels: readonly string[],
): Promise<void> => {
  for (const channel of channels)
    await serialized(context, connectionId, channel, () =>
      context.store.provisioning.resetChannel(connectionId, channel),
    );
};

/** The channels `before` had that `after` no longer has. */
export const removedChannels = (before: SpConnection | undefined, after: SpConnection): string[] => {
  const kept = new Set((after.outboundProvision?.channels ?? []).map((c) => c.name));
  return (before?.outboundProvision?.channels ?? []).map((c) => c.name).filter((name) => !kept.has(name));
};
