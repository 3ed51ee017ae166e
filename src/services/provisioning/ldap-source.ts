import type { Channel } from "../../domain/channel.ts";
import { directoryPresets } from "../../ldap/presets.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { createLdapSource } from "../../provisioning/source/ldap.ts";
import { compileLdapSource } from "../../provisioning/source/ldap-settings.ts";
import type { ProvisioningSource } from "../../provisioning/source/source.ts";
import type { ServiceContext } from "../context.ts";
import { ldapPoolFor, ldapSettingsFor } from "../data-stores/pools.ts";

/**
 * A channel whose `dataSource` is an LDAP data store: its settings read over the store's preset,
 * and the source on the store's connection pool. Problems (a store that does not exist, a field
 * missing) are PROV_CONFIG_INVALID naming the field, so the channel shows STOPPED with them.
 */
export const ldapSourceFor = async (
  context: ServiceContext,
  connectionId: string,
  channel: Channel,
  index: number,
): Promise<ProvisioningSource> => {
  const at = `outboundProvision.channels[${index}]`;
  const id = channel.channelSource.dataSource.id;
  const record = await context.store.dataStores.get(id);
  const invalid = (problems: ErrorDetail[]) =>
    new AppError("PROV_CONFIG_INVALID", {
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
      details: problems,
    });
  if (!record)
    throw invalid([
      {
        field: `${at}.channelSource.dataSource.id`,
        message: `no data store "${id}" (the built-in directory is "builtin"; LDAP directories are at /dataStores)`,
      },
    ]);
  const { settings, problems } = compileLdapSource(
    channel.channelSource,
    directoryPresets[record.document.ldapType],
    at,
  );
  if (settings?.preset.guidBinary) {
    const binary = ldapSettingsFor(context, record.document).binaryAttributes.map((a) => a.toLowerCase());
    if (!binary.includes(settings.preset.guidAttributeName.toLowerCase()))
      problems.push({
        field: `${at}.channelSource.guidAttributeName`,
        message: `${settings.preset.guidAttributeName} is read as text by the data store "${id}": add it to the store's binaryAttributes, or set guidBinary to false`,
      });
  }
  if (!settings || problems.length > 0) throw invalid(problems);
  const pool = await ldapPoolFor(context, record);
  return createLdapSource({
    pool,
    settings,
    name: record.document.name ?? id,
    knownIds: async () => {
      const ids: string[] = [];
      for (const status of ["ACTIVE", "FROZEN"] as const) {
        for (let after: string | undefined; ; ) {
          const rows = await context.store.provisioning.listObjects({
            connectionId,
            channel: channel.name,
            kind: "user",
            afterSourceId: after,
            limit: 1000,
            status,
          });
          ids.push(...rows.map((r) => r.sourceId));
          if (rows.length < 1000) break;
          after = rows.at(-1)?.sourceId;
        }
      }
      return ids;
    },
  });
};
