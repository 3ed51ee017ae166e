import { builtinDataSourceId, type Channel } from "../../domain/channel.ts";
import type { ConnectionRecord } from "../../domain/ports.ts";
import { salesforceProvisionerType } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import { defaultPacing } from "../../provisioning/apply/run-batches.ts";
import type { ChannelRuntime } from "../../provisioning/engine/cycle.ts";
import { type CompiledChannel, compileChannel } from "../../provisioning/model/channel-config.ts";
import { fieldTypes, mappingProblems } from "../../provisioning/model/field-specs.ts";
import type { ProvisioningOptions } from "../../provisioning/plan/plan-users.ts";
import { createSalesforceClient } from "../../provisioning/salesforce/client.ts";
import type { SalesforceTarget } from "../../provisioning/salesforce/target.ts";
import { createBuiltinSource } from "../../provisioning/source/builtin.ts";
import type { ServiceContext } from "../context.ts";
import { fieldSpecsFor } from "./fields.ts";
import { ldapSourceFor } from "./ldap-source.ts";
import { getOutboundProvisioningSettings } from "./server-settings.ts";
import { salesforceTargetFor } from "./target.ts";

/** A channel of a stored connection, found by name; errors name what is missing. */
export const findChannel = async (
  context: ServiceContext,
  connectionId: string,
  channelName: string,
): Promise<{ record: ConnectionRecord; channel: Channel; index: number }> => {
  const record = await context.store.connections.get(connectionId);
  if (!record)
    throw new AppError("CONN_NOT_FOUND", { message: `No SP connection with id "${connectionId}".` });
  const channels = record.document.outboundProvision?.channels ?? [];
  const index = channels.findIndex((c) => c.name === channelName);
  const channel = channels[index];
  if (!channel) {
    throw new AppError("PROV_CHANNEL_NOT_FOUND", {
      message: `Connection "${record.name}" has no channel "${channelName}"${channels.length > 0 ? ` (it has ${channels.map((c) => `"${c.name}"`).join(", ")})` : ""}.`,
    });
  }
  return { record, channel, index };
};

export const optionsOf = (target: SalesforceTarget): ProvisioningOptions => ({
  createUsers: target.createUsers,
  updateUsers: target.updateUsers,
  disableUsers: target.disableUsers,
  provisionDisabledUsers: target.provisionDisabledUsers,
  freezeUsers: target.freezeUsers,
  permissionSetManagement: target.permissionSetManagement,
  communities: target.enableCommunities,
  defaultAccountId: target.accountId,
  defaultProfileId: target.profileId,
});

/** The channel compiled, or a PROV_CONFIG_INVALID naming every problem. */
export const compiledChannel = (channel: Channel, index: number): CompiledChannel => {
  const at = `outboundProvision.channels[${index}]`;
  const { channel: compiled, problems } = compileChannel(channel, at);
  if (problems.length > 0) {
    throw new AppError("PROV_CONFIG_INVALID", {
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
      details: problems,
    });
  }
  return compiled;
};

/** Everything a cycle of this channel needs, wired to this node's store, source and Salesforce client. */
export const channelRuntimeFor = async (
  context: ServiceContext,
  connectionId: string,
  channelName: string,
): Promise<ChannelRuntime & { compiled: CompiledChannel }> => {
  const { record, channel, index } = await findChannel(context, connectionId, channelName);
  if (record.document.outboundProvision?.type !== salesforceProvisionerType) {
    throw new AppError("PROV_CONFIG_INVALID", {
      message: `Connection "${record.name}" does not provision Salesforce (outboundProvision.type is not ${salesforceProvisionerType}).`,
    });
  }
  const compiled = compiledChannel(channel, index);
  const source =
    compiled.dataSourceId === builtinDataSourceId
      ? createBuiltinSource(context.store.directory, compiled.scope)
      : await ldapSourceFor(context, connectionId, channel, index);
  const handle = await salesforceTargetFor(context, connectionId);
  const settings = await getOutboundProvisioningSettings(context);
  // The org's fields decide whether the mapping can work: required ones mapped, none vanished.
  const specs = await fieldSpecsFor(context, connectionId);
  const problems = mappingProblems(compiled, specs, `outboundProvision.channels[${index}]`, {
    profileId: handle.target.profileId !== undefined,
    accountId: handle.target.accountId !== undefined,
    communities: handle.target.enableCommunities,
  });
  if (problems.length > 0) {
    throw new AppError("PROV_CONFIG_INVALID", {
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
      details: problems,
    });
  }
  return {
    compiled,
    connectionId,
    channel: channel.name,
    mapping: compiled.mapping,
    options: optionsOf(handle.target),
    safety: settings.deprovisionHold,
    groupsInScope: compiled.scope.groups !== undefined,
    fullPassEveryMs: settings.fullSynchronizationFrequency * 1000,
    source,
    // One client per cycle on the connection's tokens, with the channel's per-call timeout.
    api: createSalesforceClient({
      tokens: handle.tokens,
      apiVersion: handle.target.apiVersion,
      timeoutMs: compiled.timeoutMs,
    }),
    repo: context.store.provisioning,
    clock: context.clock,
    newId: () => context.ids.next(),
    pacing: defaultPacing(compiled.maxThreads),
    fieldTypes: fieldTypes(specs),
    log: context.log,
  };
};
