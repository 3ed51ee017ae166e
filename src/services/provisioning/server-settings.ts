import { type Static, Type } from "@sinclair/typebox";
import { invalid } from "../../lib/errors.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";

/**
 * `/serverSettings/outboundProvisioning`: PingFederate's `synchronizationFrequency` (seconds
 * between cycles of an LDAP channel; the built-in directory is also pushed within seconds of a
 * change), how often a full pass re-reads everything, and Portico's safety net against mass
 * deactivation. Kept in the settings table, so every node reads the same.
 */
export const OutboundProvisioningSettings = Type.Object(
  {
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

export const defaultOutboundProvisioningSettings: OutboundProvisioningSettings = {
  synchronizationFrequency: 60,
  fullSynchronizationFrequency: 3600,
  deprovisionHold: { minimum: 10, percent: 10 },
};

const key = "outboundProvisioning";

export const getOutboundProvisioningSettings = async (
  context: ServiceContext,
): Promise<OutboundProvisioningSettings> => {
  const text = await context.store.settings.get(key);
  if (text === undefined) return defaultOutboundProvisioningSettings;
  const stored = JSON.parse(text) as Partial<OutboundProvisioningSettings>;
  return {
    ...defaultOutboundProvisioningSettings,
    ...stored,
    deprovisionHold: { ...defaultOutboundProvisioningSettings.deprovisionHold, ...stored.deprovisionHold },
  };
};

export const putOutboundProvisioningSettings = async (
  context: ServiceContext,
  actor: Actor,
  settings: OutboundProvisioningSettings,
): Promise<OutboundProvisioningSettings> => {
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
