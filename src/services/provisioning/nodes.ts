import type { ChannelLease, ProvisioningNode } from "../../domain/provisioning-nodes.ts";
import type { ProvisioningRepository } from "../../domain/provisioning-ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { channelKey } from "./channel-key.ts";
import { fencedRepository } from "./fenced-repository.ts";
import { type HeldLease, nodeLeases } from "./node-leases.ts";
import {
  getOutboundProvisioningSettings,
  type ProvisionerMode,
  type ProvisioningSettings,
} from "./server-settings.ts";

/**
 * Which node provisions which channel (server-settings.ts has the modes): the background's
 * heartbeat and lease taking on each tick, the check before an admin's cycle, and provmgr's
 * `--show-nodes` as `GET /provisioning/nodes`.
 */

/** Whether a node of this index provisions at all under these settings (index 0: none set). */
export const mayProvision = (settings: ProvisioningSettings, index: number): boolean => {
  if (settings.mode === "STANDALONE") return index === (settings.nodeIndex ?? 0);
  return settings.mode === "FAILOVER" && index > 0;
};

const nodeName = (index: number) => (index === 0 ? "the node without PORTICO_NODE_INDEX" : `node ${index}`);

const isUp = (node: ProvisioningNode, now: number, graceMs: number) =>
  node.stoppedAt === null && node.lastHeartbeat > now - graceMs;

/**
 * FAILOVER's order (PingFederate: "the lowest value becomes the primary"): a free lease goes to
 * the live node with the lowest index; the holder whose lease lapsed is not counted as live.
 */
const firstInLine = (
  nodes: readonly ProvisioningNode[],
  lapsed: ChannelLease | undefined,
  index: number,
  now: number,
  graceMs: number,
) =>
  !nodes.some(
    (n) => n.index > 0 && n.index < index && n.index !== lapsed?.holderIndex && isUp(n, now, graceMs),
  );

const warned = new WeakSet<ServiceContext>();

/**
 * One tick of a node's background provisioning: heartbeat, then take the leases of the active
 * channels this node should run (kept until it stops); the channels it now holds are returned.
 */
export const keepNode = async (
  context: ServiceContext,
  channels: readonly { connectionId: string; channel: string }[],
): Promise<Set<string>> => {
  const settings = await getOutboundProvisioningSettings(context);
  const leases = nodeLeases(context);
  const repo = context.store.provisioningNodes;
  const graceMs = settings.failoverGracePeriod * 1000;
  const nodes = await repo.listNodes();
  let now = await repo.now();
  const twin = nodes.find((n) => n.index === leases.index && n.instance !== leases.instance);
  if (leases.index > 0 && twin && isUp(twin, now, graceMs) && !warned.has(context)) {
    warned.add(context);
    context.log.warn(
      { nodeIndex: leases.index, host: twin.host, pid: twin.pid },
      "another process runs with the same PORTICO_NODE_INDEX: give every node its own",
    );
  }
  await repo.heartbeat(leases, now);
  const wanted = new Set(channels.map((c) => channelKey(c.connectionId, c.channel)));
  for (const key of leases.heldKeys()) {
    if (wanted.has(key) && mayProvision(settings, leases.index)) continue;
    const [connectionId = "", channel = ""] = key.split("\u0000");
    await leases.release(connectionId, channel);
  }
  if (!mayProvision(settings, leases.index)) return new Set();
  const known = new Map((await repo.listLeases()).map((l) => [channelKey(l.connectionId, l.channel), l]));
  now = await repo.now();
  for (const { connectionId, channel } of channels) {
    if (!leases.held(connectionId, channel)) {
      const lease = known.get(channelKey(connectionId, channel));
      const free = !lease || lease.expiresAt <= now || lease.holderIndex === leases.index;
      if (!free) continue;
      if (settings.mode === "FAILOVER" && !firstInLine(nodes, lease, leases.index, now, graceMs)) continue;
    }
    await leases.acquire(connectionId, channel, { pin: true });
  }
  return new Set(leases.heldKeys());
};

/**
 * The lease an admin's cycle (run, retry, confirm, provisionUser) runs under: the one this node
 * holds, or taken for the cycle. Refused when provisioning is OFF, when this node does not
 * provision, or while another node runs the channel.
 */
export const leaseForRun = async (
  context: ServiceContext,
  connectionId: string,
  channel: string,
): Promise<HeldLease> => {
  const settings = await getOutboundProvisioningSettings(context);
  const leases = nodeLeases(context);
  if (settings.mode === "OFF") throw new AppError("PROV_MODE_OFF");
  if (!mayProvision(settings, leases.index)) {
    const who =
      settings.mode === "STANDALONE"
        ? `only ${nodeName(settings.nodeIndex ?? 0)} provisions (STANDALONE)`
        : "a node without PORTICO_NODE_INDEX takes no part in FAILOVER";
    throw new AppError("PROV_NODE_STANDBY", {
      message: `This is ${nodeName(leases.index)}: ${who}.`,
    });
  }
  const held = await leases.acquire(connectionId, channel, { pin: false });
  if (held) return held;
  const lease = (await context.store.provisioningNodes.listLeases()).find(
    (l) => l.connectionId === connectionId && l.channel === channel,
  );
  throw new AppError("PROV_NODE_STANDBY", {
    message: `${lease ? nodeName(lease.holderIndex) : "Another node"} runs the channel "${channel}"; ask it (portico provision nodes shows the nodes), or wait for a failover.`,
  });
};

/**
 * Runs `work` under the channel's lease (nodes.ts), with the repository that fences every write
 * to it; a lease taken only for this work is let go after it.
 */
export const underLease = async <T>(
  context: ServiceContext,
  connectionId: string,
  channel: string,
  work: (repo: ProvisioningRepository, lost: AbortSignal) => Promise<T>,
): Promise<T> => {
  const held = await leaseForRun(context, connectionId, channel);
  try {
    return await work(fencedRepository(context.store, held.fence), held.lost);
  } finally {
    await nodeLeases(context).release(connectionId, channel, { onlyUnpinned: true });
  }
};

export type NodeView = {
  readonly nodeIndex: number | null;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly lastHeartbeatAt: string;
  /** UP: heartbeat within the grace period; DOWN: silent longer; STOPPED: stopped cleanly. */
  readonly status: "UP" | "DOWN" | "STOPPED";
  /** ACTIVE: runs channels (or would: STANDALONE's node); STANDBY: ready to take over; OFF. */
  readonly role: "ACTIVE" | "STANDBY" | "OFF";
  /** The node answering this request. */
  readonly self: boolean;
  readonly channels: readonly { connectionId: string; channel: string }[];
};

export type LeaseView = {
  readonly connectionId: string;
  readonly channel: string;
  readonly nodeIndex: number | null;
  readonly epoch: number;
  readonly acquiredAt: string;
  readonly expiresAt: string;
  readonly expired: boolean;
};

export type NodesView = {
  readonly mode: ProvisionerMode;
  readonly failoverGracePeriod: number;
  readonly nodeIndex: number | null;
  readonly items: NodeView[];
  readonly leases: LeaseView[];
};

const iso = (ms: number) => new Date(ms).toISOString();

/** provmgr's `--show-nodes`: every node that heartbeat, its role, and who holds each channel. */
export const listNodes = async (context: ServiceContext): Promise<NodesView> => {
  const settings = await getOutboundProvisioningSettings(context);
  const repo = context.store.provisioningNodes;
  const [nodes, leases, now] = [await repo.listNodes(), await repo.listLeases(), await repo.now()];
  const graceMs = settings.failoverGracePeriod * 1000;
  const self = nodeLeases(context);
  const live = leases.filter((l) => l.expiresAt > now);
  return {
    mode: settings.mode,
    failoverGracePeriod: settings.failoverGracePeriod,
    nodeIndex: settings.nodeIndex,
    items: nodes.map((node): NodeView => {
      const held = live.filter((l) => l.holderIndex === node.index && l.holderInstance === node.instance);
      const status = node.stoppedAt !== null ? "STOPPED" : isUp(node, now, graceMs) ? "UP" : "DOWN";
      const role =
        held.length > 0 || (settings.mode === "STANDALONE" && mayProvision(settings, node.index))
          ? "ACTIVE"
          : mayProvision(settings, node.index) && status === "UP"
            ? "STANDBY"
            : "OFF";
      return {
        nodeIndex: node.index === 0 ? null : node.index,
        host: node.host,
        pid: node.pid,
        startedAt: iso(node.startedAt),
        lastHeartbeatAt: iso(node.lastHeartbeat),
        status,
        role,
        self: node.index === self.index && node.instance === self.instance,
        channels: held.map((l) => ({ connectionId: l.connectionId, channel: l.channel })),
      };
    }),
    leases: leases.map((l) => ({
      connectionId: l.connectionId,
      channel: l.channel,
      nodeIndex: l.holderIndex === 0 ? null : l.holderIndex,
      epoch: l.epoch,
      acquiredAt: iso(l.acquiredAt),
      expiresAt: iso(l.expiresAt),
      expired: l.expiresAt <= now,
    })),
  };
};
