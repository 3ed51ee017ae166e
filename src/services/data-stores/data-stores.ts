import type { DataStoreRecord, LdapDataStore } from "../../domain/data-store.ts";
import type { Repositories } from "../../domain/ports.ts";
import { assertUsable, effectiveHostnames } from "../../ldap/settings.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { auditResource } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { forgetLdapPool } from "./pools.ts";
import { dataStoreReferences } from "./references.ts";
import { sealDataStoreSecrets } from "./secrets.ts";

/**
 * `/dataStores`: LDAP data stores in PingFederate's shape. The bind password is sealed on the
 * way in and never shown; every change is audited by field name, never by value; a data store
 * that a connection, channel or attribute source uses cannot be deleted.
 */

export const dataStoreLocation = (id: string) => `/pf-admin-api/v1/dataStores/${encodeURIComponent(id)}`;

/** PingFederate's default name: the host names and the bind DN. */
const defaultName = (store: LdapDataStore) =>
  `${(effectiveHostnames(store) ?? []).join(" ")}${store.userDN ? ` (${store.userDN})` : ""}`.slice(0, 256);

const notFound = (id: string) =>
  new AppError("DATASTORE_NOT_FOUND", {
    message: `No data store "${id}".`,
    details: [{ field: "id", message: "not found" }],
  });

/** The document as the API shows it: sealed password only, whatever was stored. */
export const presentDataStore = (record: DataStoreRecord): LdapDataStore => {
  const { password: _never, ...document } = record.document;
  return { ...document, id: record.id, name: record.name };
};

/** Field names the caller set, for the audit log (values stay out of it). */
const fieldNames = (store: LdapDataStore) =>
  Object.keys(store)
    .filter((k) => k !== "type" && k !== "id")
    .sort();

const audit = auditResource("dataStore");

const nameTaken = async (repos: Repositories, name: string, id: string) => {
  const holder = await repos.dataStores.getByName(name);
  if (holder && holder.id !== id)
    throw new AppError("DATASTORE_INVALID", {
      message: `name: another data store ("${holder.id}") is called "${name}"`,
      details: [{ field: "name", message: "taken" }],
    });
};

export const listDataStores = async (context: ServiceContext): Promise<LdapDataStore[]> =>
  (await context.store.dataStores.list()).map(presentDataStore);

export const getDataStoreRecord = async (context: ServiceContext, id: string): Promise<DataStoreRecord> => {
  const record = await context.store.dataStores.get(id);
  if (!record) throw notFound(id);
  return record;
};

export const getDataStore = async (context: ServiceContext, id: string): Promise<LdapDataStore> =>
  presentDataStore(await getDataStoreRecord(context, id));

/** Validates, seals and stores a new data store with the given repositories (a transaction's, on import). */
export const insertDataStore = async (
  context: ServiceContext,
  repos: Repositories,
  input: LdapDataStore,
): Promise<DataStoreRecord> => {
  const id = input.id ?? context.ids.next("LDAP-");
  if (await repos.dataStores.get(id))
    throw new AppError("DATASTORE_ID_TAKEN", { message: `A data store "${id}" already exists.` });
  const document = sealDataStoreSecrets(context, { ...input, id }, undefined);
  assertUsable(document, document.encryptedPassword !== undefined);
  const name = input.name ?? defaultName(input);
  await nameTaken(repos, name, id);
  const now = context.clock.now().toISOString();
  const record: DataStoreRecord = {
    id,
    name,
    type: "LDAP",
    document: { ...document, name },
    createdAt: now,
    updatedAt: now,
  };
  try {
    await repos.dataStores.create(record);
  } catch (error) {
    if (isAppError(error) && error.code === "STORE_CONFLICT")
      throw new AppError("DATASTORE_ID_TAKEN", {
        message: `A data store "${id}" or "${name}" already exists.`,
      });
    throw error;
  }
  return record;
};

export const createDataStore = async (
  context: ServiceContext,
  actor: Actor,
  input: LdapDataStore,
): Promise<LdapDataStore> => {
  const record = await insertDataStore(context, context.store, input);
  await audit(context, actor, "create", record.id, {
    ldapType: input.ldapType,
    fields: fieldNames(input),
  });
  return presentDataStore(record);
};

export const updateDataStore = async (
  context: ServiceContext,
  actor: Actor,
  id: string,
  input: LdapDataStore,
): Promise<LdapDataStore> => {
  const stored = await getDataStoreRecord(context, id);
  if (input.id !== undefined && input.id !== id)
    throw new AppError("DATASTORE_INVALID", {
      message: `id: the body's id "${input.id}" is not the path's "${id}"`,
      details: [{ field: "id", message: "differs from the path" }],
    });
  const document = sealDataStoreSecrets(context, { ...input, id }, stored.document);
  assertUsable(document, document.encryptedPassword !== undefined);
  const name = input.name ?? stored.name;
  await nameTaken(context.store, name, id);
  const record: DataStoreRecord = {
    ...stored,
    name,
    document: { ...document, name },
    updatedAt: context.clock.now().toISOString(),
  };
  await context.store.dataStores.update(record);
  await forgetLdapPool(context, id);
  await audit(context, actor, "update", id, {
    fields: fieldNames(input),
    passwordChanged: input.password !== undefined,
  });
  return presentDataStore(record);
};

export const deleteDataStore = async (context: ServiceContext, actor: Actor, id: string): Promise<void> => {
  await getDataStoreRecord(context, id);
  const users = await dataStoreReferences(context, id);
  if (users.length > 0)
    throw new AppError("DATASTORE_IN_USE", {
      message: `The data store "${id}" is used by ${users.map((u) => u.label).join(", ")}.`,
      details: users.map((u) => ({ field: u.field, message: u.label })),
    });
  await context.store.dataStores.delete(id);
  await forgetLdapPool(context, id);
  await audit(context, actor, "delete", id);
};
