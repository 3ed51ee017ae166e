import { type Static, Type } from "@sinclair/typebox";
import { invalid } from "../../lib/errors.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";

/**
 * `/serverSettings/outboundProvisioning`: PingFederate's `synchronizationFrequency` (seconds
 * between cycles of an LDAP channel; the built-in directory is also pushed within seconds of a
 * change), how often a full pass re-reads everything, and Portico's safety net against mass
 * deactivation. Kept in the settings table, so every node reads the same.
 *
 * With several nodes, `mode` says which of them provision (PingFederate's `pf.provisioner.mode`,
 * `provisioner.node.id` and `provisioner.failover.grace.period`, which PingFederate keeps in each
 * node's run.properties; here they are one document for the cluster, and each node's own index
 * comes from PORTICO_NODE_INDEX):
 * - `OFF`: no node provisions; cycles are refused (preview still works).
 * - `STANDALONE`: one node provisions, without failover: the node whose PORTICO_NODE_INDEX is
 *   `nodeIndex`, or, when `nodeIndex` is unset, a node started without PORTICO_NODE_INDEX (a
 *   single-node installation). Every other node never provisions, even when that one is down.
 * - `FAILOVER`: every node with a PORTICO_NODE_INDEX takes part; one at a time runs each channel,
 *   holding its lease, and a standby takes a lease over once its holder has not renewed it for
 *   `failoverGracePeriod` seconds. A free lease goes to the live node with the lowest index.
 */
export const provisionerModes = ["OFF", "STANDALONE", "FAILOVER"] as const;
export type ProvisionerMode = (typeof provisionerModes)[number];

const nodeIndex = Type.Integer({ minimum: 1, maximum: 65535 });

export const OutboundProvisioningSettings = Type.Object(
  {
    mode: Type.Optional(
      Type.Union(
        provisionerModes.map((m) => Type.Literal(m)),
        {
          default: "STANDALONE",
          description:
            "PingFederate's pf.provisioner.mode: OFF (nobody provisions), STANDALONE (the node nodeIndex names, no failover) or FAILOVER (active/standby by lease); left out, it stays as it was",
        },
      ),
    ),
    nodeIndex: Type.Optional(
      Type.Union([nodeIndex, Type.Null()], {
        description:
          "STANDALONE: the PORTICO_NODE_INDEX of the one node that provisions (null: a node without one); left out, it stays as it was",
      }),
    ),
    failoverGracePeriod: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 3600,
        default: 60,
        description:
          "PingFederate's provisioner.failover.grace.period, in seconds: how long a channel's lease lasts without renewal before a standby takes it over; left out, it stays as it was",
      }),
    ),
    dataStoreRef: Type.Optional(
      Type.Object(
        { id: Type.String(), location: Type.Optional(Type.String()) },
        {
          additionalProperties: false,
          description:
            "PingFederate's provisioner data store; Portico keeps its state in its own database, so this is accepted and ignored",
        },
      ),
    ),
    synchronizationFrequency: Type.Integer({
      minimum: 5,
      maximum: 86400,
      default: 60,
      description: "seconds",
    }),
    fullSynchronizationFrequency: Type.Integer({
      minimum: 60,
      maximum: 7 * 86400,
      default: 3600,
      description: "seconds between full passes, which find deletions and drift",
    }),
    deprovisionHold: Type.Object(
      {
        minimum: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10 }),
        percent: Type.Integer({ minimum: 0, maximum: 100, default: 10 }),
      },
      {
        additionalProperties: false,
        description: "hold deactivations past max(minimum, percent of a channel's users) within an hour",
      },
    ),
  },
  { additionalProperties: false },
);
export type OutboundProvisioningSettings = Static<typeof OutboundProvisioningSettings>;

/** The settings as stored and served: the optional fields of a PUT are always there. */
export type ProvisioningSettings = OutboundProvisioningSettings & {
  readonly mode: ProvisionerMode;
  readonly nodeIndex: number | null;
  readonly failoverGracePeriod: number;
};

export const defaultOutboundProvisioningSettings: ProvisioningSettings = {
  mode: "STANDALONE",
  nodeIndex: null,
  failoverGracePeriod: 60,
  synchronizationFrequency: 60,
  fullSynchronizationFrequency: 3600,
  deprovisionHold: { minimum: 10, percent: 10 },
};

const key = "outboundProvisioning";

export const getOutboundProvisioningSettings = async (
  context: ServiceContext,
): Promise<ProvisioningSettings> => {
  const text = await context.store.settings.get(key);
  if (text === undefined) return defaultOutboundProvisioningSettings;
  const stored = JSON.parse(text) as Partial<ProvisioningSettings>;
  return {
    ...defaultOutboundProvisioningSettings,
    ...stored,
    deprovisionHold: { ...defaultOutboundProvisioningSettings.deprovisionHold, ...stored.deprovisionHold },
  };
};

export const putOutboundProvisioningSettings = async (
  context: ServiceContext,
  actor: Actor,
  input: OutboundProvisioningSettings,
): Promise<ProvisioningSettings> => {
  const current = await getOutboundProvisioningSettings(context);
  const settings: ProvisioningSettings = {
    ...input,
    mode: input.mode ?? current.mode,
    nodeIndex: input.nodeIndex === undefined ? current.nodeIndex : input.nodeIndex,
    failoverGracePeriod: input.failoverGracePeriod ?? current.failoverGracePeriod,
  };
  if (settings.fullSynchronizationFrequency < settings.synchronizationFrequency) {
    throw invalid(
      "PROV_CONFIG_INVALID",
      "fullSynchronizationFrequency",
      "must not be shorter than synchronizationFrequency",
    );
  }
  await context.store.settings.set(key, JSON.stringify(settings));
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "serverSettings.outboundProvisioning.update",
    { type: "serverSettings", id: key },
    { ...settings },
  );
  return settings;
};
