import { builtinDataSourceId } from "../../domain/channel.ts";
import type { ConnectionRecord } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import { defaultBuiltinMapping, defaultLdapMapping } from "../../provisioning/model/channel-config.ts";
import type { FieldSpec, FieldSpecs } from "../../provisioning/model/field-specs.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { getDataStoreRecord } from "../data-stores/data-stores.ts";
import { channelFieldProblems, refreshFields } from "./fields.ts";
import { salesforceConnection } from "./target.ts";

/**
 * Salesforce's fields as an admin reads them (PingFederate's "View Partner Field
 * Specifications"): every field with its type and picklist values, which ones Salesforce
 * requires at create, which are custom, and what each channel's mapping lacks or maps to a
 * field that vanished. Mappings are never changed here.
 */

type PerObject<T> = { readonly User: T; readonly Contact?: T | undefined };

export type FieldReport = {
  readonly fetchedAt: string;
  readonly fields: FieldSpecs;
  readonly required: PerObject<string[]>;
  readonly custom: PerObject<string[]>;
  readonly channels: Awaited<ReturnType<typeof channelFieldProblems>>;
};

const names = (specs: FieldSpecs, keep: (f: FieldSpec) => boolean): PerObject<string[]> => ({
  User: specs.User.filter(keep).map((f) => f.name),
  ...(specs.Contact ? { Contact: specs.Contact.filter(keep).map((f) => f.name) } : {}),
});

const reportOf = async (
  context: ServiceContext,
  record: ConnectionRecord,
  fetchedAt: string,
  specs: FieldSpecs,
): Promise<FieldReport> => ({
  fetchedAt,
  fields: specs,
  required: names(specs, (f) => f.required),
  custom: names(specs, (f) => f.custom),
  channels: await channelFieldProblems(context, record, specs),
});

/** Refresh Fields: reads the describes from Salesforce now, keeps them, and reports. */
export const refreshFieldReport = async (
  context: ServiceContext,
  actor: Actor,
  connectionId: string,
): Promise<FieldReport> => {
  const { record } = await salesforceConnection(context, connectionId);
  const { fetchedAt, specs } = await refreshFields(context, actor, connectionId);
  return reportOf(context, record, fetchedAt, specs);
};

/** The field lists last fetched, without calling Salesforce. */
export const storedFieldReport = async (
  context: ServiceContext,
  connectionId: string,
): Promise<FieldReport> => {
  const { record } = await salesforceConnection(context, connectionId);
  const stored = await context.store.provisioning.getFieldSpecs(connectionId);
  if (!stored) {
    throw new AppError("PROV_FIELDS_NOT_FETCHED", {
      message: `Salesforce's fields were never fetched for connection "${record.name}": refresh them (POST /provisioning/connections/${connectionId}/refreshFields, or portico provision fields ${connectionId} --refresh).`,
    });
  }
  return reportOf(context, record, stored.fetchedAt, stored.specs as FieldSpecs);
};

/** The mapping a channel starts from: on the built-in directory, or on an LDAP data store by its kind. */
export const defaultMapping = async (context: ServiceContext, dataStoreId?: string) => {
  if (dataStoreId === undefined || dataStoreId === builtinDataSourceId)
    return { dataSource: builtinDataSourceId, attributeMapping: defaultBuiltinMapping() };
  const store = await getDataStoreRecord(context, dataStoreId);
  return { dataSource: store.id, attributeMapping: defaultLdapMapping(store.document.ldapType) };
};
