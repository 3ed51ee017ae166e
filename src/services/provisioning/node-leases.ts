import { hostname } from "node:os";
import type { ChannelLease, Fence } from "../../domain/provisioning-nodes.ts";
import type { ServiceContext } from "../context.ts";
import { channelKey } from "./channel-key.ts";
import { getOutboundProvisioningSettings } from "./server-settings.ts";

/**
 * The channel leases this process holds, and their renewal. A lease is taken for a cycle (an
 * admin's run) and let go after it, or kept (`pin`) by the background provisioning of a node
 * that is active for the channel. Held leases are renewed every quarter of the grace period; a
 * renewal that finds the lease taken over aborts the cycle running under it, which then stops
 * after its page (and could record nothing more anyway: its fence no longer matches).
 */
export type HeldLease = {
  readonly lease: ChannelLease;
  readonly fence: Fence;
  /** Aborted when the lease is lost or let go. */
  readonly lost: AbortSignal;
};

type Entry = HeldLease & { readonly abort: AbortController; pinned: boolean; ttlMs: number };

export type NodeLeases = {
  /** This node's index (0 without PORTICO_NODE_INDEX) and this process's instance id. */
  readonly index: number;
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  held(connectionId: string, channel: string): HeldLease | undefined;
  /** Keys (see `channelKey`) of the leases held. */
  heldKeys(): string[];
  /** The lease held or taken now; undefined while another node holds it. */
  acquire(connectionId: string, channel: string, options: { pin: boolean }): Promise<HeldLease | undefined>;
  /** Lets one lease go, unless `onlyUnpinned` and the background keeps it. */
  release(connectionId: string, channel: string, options?: { onlyUnpinned: boolean }): Promise<void>;
  releaseAll(): Promise<void>;
};

const registry = new WeakMap<ServiceContext, NodeLeases>();

export const nodeLeases = (context: ServiceContext): NodeLeases => {
  let leases = registry.get(context);
  if (!leases) {
    leases = createNodeLeases(context);
    registry.set(context, leases);
  }
  return leases;
};

const graceMs = async (context: ServiceContext) =>
  (await getOutboundProvisioningSettings(context)).failoverGracePeriod * 1000;

const createNodeLeases = (context: ServiceContext): NodeLeases => {
  const repo = context.store.provisioningNodes;
  const entries = new Map<string, Entry>();
  const index = context.nodeIndex ?? 0;
  const instance = context.ids.next("node-");
  let timer: NodeJS.Timeout | undefined;

  const drop = (key: string, entry: Entry) => {
    if (entries.get(key) === entry) entries.delete(key);
    entry.abort.abort();
  };

  const renewAll = async () => {
    if (entries.size === 0) return;
    const ttlMs = await graceMs(context);
    const now = await repo.now();
    for (const [key, entry] of [...entries]) {
      entry.ttlMs = ttlMs;
      const renewed = await repo.renew(entry.fence, now, ttlMs);
      if (renewed) continue;
      context.log.warn(
        { connectionId: entry.fence.connectionId, channel: entry.fence.channel, nodeIndex: index },
        "provisioning lease lost to another node",
      );
      drop(key, entry);
    }
  };

  const schedule = () => {
    if (timer !== undefined || entries.size === 0) return;
    const every = Math.max(250, Math.min(...[...entries.values()].map((e) => e.ttlMs)) / 4);
    timer = setTimeout(() => {
      timer = undefined;
      renewAll()
        .catch((error: unknown) => context.log.warn({ err: error }, "provisioning lease renewal failed"))
        .finally(schedule);
    }, every);
    timer.unref();
  };

  const release = async (key: string, entry: Entry) => {
    drop(key, entry);
    await repo.release(entry.fence, await repo.now());
  };

  return {
    index,
    instance,
    host: hostname(),
    pid: process.pid,
    startedAt: Date.now(),
    held: (connectionId, channel) => entries.get(channelKey(connectionId, channel)),
    heldKeys: () => [...entries.keys()],
    acquire: async (connectionId, channel, { pin }) => {
      const key = channelKey(connectionId, channel);
      const known = entries.get(key);
      if (known) {
        known.pinned ||= pin;
        return known;
      }
      const ttlMs = await graceMs(context);
      const lease = await repo.acquire(
        { connectionId, channel, holderIndex: index, holderInstance: instance },
        await repo.now(),
        ttlMs,
      );
      if (!lease) return undefined;
      const abort = new AbortController();
      const entry: Entry = {
        lease,
        fence: { connectionId, channel, epoch: lease.epoch },
        lost: abort.signal,
        abort,
        pinned: pin,
        ttlMs,
      };
      entries.set(key, entry);
      schedule();
      return entry;
    },
    release: async (connectionId, channel, options) => {
      const key = channelKey(connectionId, channel);
      const entry = entries.get(key);
      if (!entry || (options?.onlyUnpinned === true && entry.pinned)) return;
      await release(key, entry);
    },
    releaseAll: async () => {
      clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...entries].map(([key, entry]) => release(key, entry)));
    },
  };
};
