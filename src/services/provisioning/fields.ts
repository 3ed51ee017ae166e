import { builtinDataSourceId } from "../../domain/channel.ts";
import type { ConnectionRecord } from "../../domain/ports.ts";
import { type SpConnection, salesforceProvisionerType } from "../../domain/sp-connection.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { activationProblems, compileChannel } from "../../provisioning/model/channel-config.ts";
import { type FieldSpecs, mappingProblems, toFieldSpecs } from "../../provisioning/model/field-specs.ts";
import { compileLdapSource } from "../../provisioning/source/ldap-settings.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { readSalesforceTarget, salesforceConnection, salesforceTargetFor } from "./target.ts";

/**
 * Refresh Fields (`POST /provisioning/connections/{id}/refreshFields`, spec §6): the `User` (and
 * with Communities the `Contact`) describe, kept per connection; and what it means for each
 * channel's mapping. Mappings are never changed here: fields that vanished are flagged.
 */
export const refreshFields = async (
  context: ServiceContext,
  actor: Actor | undefined,
  connectionId: string,
) => {
  const handle = await salesforceTargetFor(context, connectionId);
  const specs: FieldSpecs = {
    User: toFieldSpecs(await handle.client.describe("User")),
    ...(handle.target.enableCommunities
      ? { Contact: toFieldSpecs(await handle.client.describe("Contact")) }
      : {}),
  };
  const fetchedAt = context.clock.now().toISOString();
  await context.store.provisioning.putFieldSpecs(connectionId, fetchedAt, specs);
  if (actor) {
    await recordAudit(context.store.auditLog, context.clock, actor, "provisioning.fields.refresh", {
      type: "spConnection",
      id: connectionId,
    });
  }
  return { fetchedAt, specs };
};

/**
 * The stored field lists, fetched first when there are none yet, or when Communities was turned
 * on since they were read (the Contact's fields are needed from then on, spec §6).
 */
export const fieldSpecsFor = async (context: ServiceContext, connectionId: string): Promise<FieldSpecs> => {
  const stored = await context.store.provisioning.getFieldSpecs(connectionId);
  if (stored) {
    const specs = stored.specs as FieldSpecs;
    if (specs.Contact !== undefined) return specs;
    const { record } = await salesforceConnection(context, connectionId);
    if (!readSalesforceTarget(context, record).enableCommunities) return specs;
  }
  return (await refreshFields(context, undefined, connectionId)).specs;
};

/** Problems of each channel against the org's fields, by channel name (all channels, for the report). */
export const channelFieldProblems = async (
  context: ServiceContext,
  record: ConnectionRecord,
  specs: FieldSpecs,
) => {
  const target = readSalesforceTarget(context, record);
  const defaults = {
    profileId: target.profileId !== undefined,
    accountId: target.accountId !== undefined,
    communities: target.enableCommunities,
  };
  return (record.document.outboundProvision?.channels ?? []).map((channel, i) => {
    const at = `outboundProvision.channels[${i}]`;
    const { channel: compiled, problems } = compileChannel(channel, at);
    return {
      name: channel.name,
      active: channel.active,
      problems: problems.length > 0 ? problems : mappingProblems(compiled, specs, at, defaults),
    };
  });
};

/** A document's channel problems that need no Salesforce: shape, scope, mapping, supported source. */
export const channelDocumentErrors = (connection: SpConnection): ErrorDetail[] => {
  const provision = connection.outboundProvision;
  if (provision?.type !== salesforceProvisionerType) return [];
  const errors: ErrorDetail[] = [];
  const names = new Set<string>();
  provision.channels.forEach((channel, i) => {
    const at = `outboundProvision.channels[${i}]`;
    if (names.has(channel.name))
      errors.push({ field: `${at}.name`, message: `"${channel.name}" is used by another channel` });
    names.add(channel.name);
    // Inactive channels are kept as they are: a PingFederate export imports unchanged. An active
    // channel must run as it is; an LDAP one is checked here as far as it can be without its data
    // store (whose preset fills the fields it leaves out), and fully when it runs.
    if (!channel.active) return;
    const { channel: compiled, problems } = compileChannel(channel, at);
    const found = [...problems, ...activationProblems(compiled, at)];
    if (channel.channelSource.dataSource.id !== builtinDataSourceId) {
      // A bad filter is found by both readings: name it once.
      const named = new Set(found.map((p) => p.field));
      found.push(
        ...compileLdapSource(channel.channelSource, undefined, at).problems.filter(
          (p) => !named.has(p.field),
        ),
      );
    }
    errors.push(...found);
  });
  return errors;
};

const hasRunnableChannel = (record: ConnectionRecord) => {
  const provision = record.document.outboundProvision;
  return provision?.type === salesforceProvisionerType && provision.channels.some((c) => c.active);
};

/**
 * What keeps a connection's active channels from running: required Salesforce fields unmapped,
 * mappings to fields that vanished, or Salesforce's fields that cannot be read (fetched now when
 * none are stored yet). Empty when every active channel can run.
 */
export const activeChannelProblems = async (
  context: ServiceContext,
  record: ConnectionRecord,
): Promise<ErrorDetail[]> => {
  if (!hasRunnableChannel(record)) return [];
  try {
    const specs = await fieldSpecsFor(context, record.id);
    return (await channelFieldProblems(context, record, specs))
      .filter((c) => c.active)
      .flatMap((c) => c.problems);
  } catch (error) {
    const reason = error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
    return [
      {
        field: "outboundProvision.channels",
        message: `a channel can be active only once Salesforce's fields are known, and they could not be read (${reason})`,
      },
    ];
  }
};

/**
 * For a configuration import: why each imported connection's active channels cannot run yet.
 * The import restores them as they were; such a channel shows STOPPED with the reason.
 */
export const importedChannelProblems = async (
  context: ServiceContext,
  connectionIds: readonly string[],
): Promise<{ spConnection: string; field: string; message: string }[]> => {
  const out: { spConnection: string; field: string; message: string }[] = [];
  for (const id of connectionIds) {
    const record = await context.store.connections.get(id);
    if (!record) continue;
    for (const problem of await activeChannelProblems(context, record))
      out.push({ spConnection: id, field: problem.field ?? "", message: problem.message });
  }
  return out;
};

/**
 * After a save that leaves a channel active: the org's field list (fetched now if there is none
 * yet) must be satisfied, or the save is undone. Activation thus works in one PUT, and nothing
 * half-done stays active.
 */
export const checkActiveChannels = async (
  context: ServiceContext,
  record: ConnectionRecord,
  undo: () => Promise<void>,
): Promise<void> => {
  const problems = await activeChannelProblems(context, record);
  if (problems.length === 0) return;
  await undo();
  throw new AppError("CONN_INVALID", {
    message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
    details: problems,
  });
};
