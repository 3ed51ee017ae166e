import { builtinDataSourceId, type Channel, type ChannelSource } from "../../domain/channel.ts";
import { directoryPresets } from "../../ldap/presets.ts";
import type { ErrorDetail } from "../../lib/errors.ts";
import { compileChannel } from "../../provisioning/model/channel-config.ts";
import { compileLdapSource } from "../../provisioning/source/ldap-settings.ts";
import type { ServiceContext } from "../context.ts";

/**
 * A channel as an admin edits it, before it is saved: the source settings its data store starts
 * from (PingFederate pre-fills them per directory type, spec §2.5), and what is wrong with it
 * already, active or not. The checks are the ones a running channel meets (channel-config.ts,
 * ldap-settings.ts); mapping requirements against Salesforce's fields come at activation.
 */

/** The `channelSource` fields an LDAP data store's kind of directory presets; none for the built-in one. */
export const channelSourcePreset = async (
  context: ServiceContext,
  dataStoreId: string,
): Promise<Omit<ChannelSource, "dataSource"> | undefined> => {
  if (dataStoreId === builtinDataSourceId) return undefined;
  const record = await context.store.dataStores.get(dataStoreId);
  if (!record) return undefined;
  const preset = directoryPresets[record.document.ldapType];
  return {
    guidAttributeName: preset.guidAttributeName,
    guidBinary: preset.guidBinary,
    changeDetectionSettings: { ...preset.changeDetectionSettings },
    groupMembershipDetection: { ...preset.groupMembershipDetection },
    accountManagementSettings: { ...preset.accountManagementSettings },
  };
};

/** What keeps this channel from running as it stands, each problem under `at`. */
export const channelDraftProblems = async (
  context: ServiceContext,
  channel: Channel,
  at: string,
): Promise<ErrorDetail[]> => {
  const { problems } = compileChannel(channel, at);
  const id = channel.channelSource.dataSource.id;
  if (id === builtinDataSourceId) return problems;
  const record = await context.store.dataStores.get(id);
  if (!record)
    return [...problems, { field: `${at}.channelSource.dataSource.id`, message: `no data store "${id}"` }];
  const named = new Set(problems.map((p) => p.field));
  const ldap = compileLdapSource(channel.channelSource, directoryPresets[record.document.ldapType], at);
  return [...problems, ...ldap.problems.filter((p) => !named.has(p.field))];
};
