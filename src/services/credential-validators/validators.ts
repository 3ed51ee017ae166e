import {
  builtInValidatorId,
  type CredentialValidatorRecord,
  fieldValue,
  type PasswordCredentialValidator,
} from "../../domain/credential-validator.ts";
import type { Repositories } from "../../domain/ports.ts";
import { AppError, type ErrorDetail, isAppError } from "../../lib/errors.ts";
import { auditResource } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { readHtmlFormAdapter } from "./html-form.ts";
import { assertValidator, fieldNames, ldapValidatorSettings } from "./ldap-settings.ts";

/**
 * `/passwordCredentialValidators`: LDAP Username Password Credential Validators in
 * PingFederate's shape. Each names an LDAP data store, which must exist; one that the sign-in
 * form lists cannot be deleted. Changes are audited by field name.
 */

export const validatorLocation = (id: string) =>
  `/pf-admin-api/v1/passwordCredentialValidators/${encodeURIComponent(id)}`;

const notFound = (id: string) =>
  new AppError("PCV_NOT_FOUND", {
    message: `No password credential validator "${id}".`,
    details: [{ field: "id", message: "not found" }],
  });

/** The document as the API shows it, with `location`s for this server. */
export const presentValidator = (record: CredentialValidatorRecord): PasswordCredentialValidator => ({
  ...record.document,
  id: record.id,
  name: record.name,
  pluginDescriptorRef: {
    id: record.document.pluginDescriptorRef.id,
    location: `/pf-admin-api/v1/passwordCredentialValidatorDescriptors/${record.document.pluginDescriptorRef.id}`,
  },
});

const audit = auditResource("passwordCredentialValidator");

/** The validator's `LDAP Datastore` when no such data store exists (read through `repos`). */
export const validatorDataStoreProblem = async (
  repos: Pick<Repositories, "dataStores">,
  document: PasswordCredentialValidator,
): Promise<ErrorDetail | undefined> => {
  const dataStoreId = fieldValue(document.configuration, fieldNames.dataStore)?.trim() ?? "";
  if (await repos.dataStores.get(dataStoreId)) return undefined;
  return {
    field: `configuration.fields[${fieldNames.dataStore}]`,
    message: `no data store "${dataStoreId}" (see /dataStores)`,
  };
};

/** Checks the document and that its data store exists. */
const checked = async (repos: Repositories, document: PasswordCredentialValidator) => {
  assertValidator(document);
  const problem = await validatorDataStoreProblem(repos, document);
  if (problem)
    throw new AppError("PCV_INVALID", {
      message: `${problem.field}: ${problem.message}`,
      details: [problem],
    });
  const { location: _location, ...ref } = document.pluginDescriptorRef;
  return { ...document, pluginDescriptorRef: ref };
};

const fieldList = (document: PasswordCredentialValidator) =>
  (document.configuration.fields ?? []).map((f) => f.name).sort();

export const listValidators = async (context: ServiceContext): Promise<PasswordCredentialValidator[]> =>
  (await context.store.credentialValidators.list()).map(presentValidator);

export const getValidatorRecord = async (
  context: ServiceContext,
  id: string,
): Promise<CredentialValidatorRecord> => {
  const record = await context.store.credentialValidators.get(id);
  if (!record) throw notFound(id);
  return record;
};

/** Validates and stores a new validator with `repos` (a transaction's, on import). */
export const insertValidator = async (
  context: ServiceContext,
  repos: Repositories,
  input: PasswordCredentialValidator,
): Promise<CredentialValidatorRecord> => {
  const id = input.id ?? context.ids.next("pcv");
  if (id === builtInValidatorId)
    throw new AppError("PCV_ID_TAKEN", {
      message: `"${builtInValidatorId}" is the built-in directory's id in the sign-in form.`,
    });
  if (await repos.credentialValidators.get(id))
    throw new AppError("PCV_ID_TAKEN", {
      message: `A password credential validator "${id}" already exists.`,
    });
  const document = await checked(repos, { ...input, id });
  const now = context.clock.now().toISOString();
  const record: CredentialValidatorRecord = {
    id,
    name: input.name,
    document,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await repos.credentialValidators.create(record);
  } catch (error) {
    if (isAppError(error) && error.code === "STORE_CONFLICT")
      throw new AppError("PCV_ID_TAKEN", {
        message: `A password credential validator "${id}" or one named "${input.name}" already exists.`,
      });
    throw error;
  }
  return record;
};

export const createValidator = async (
  context: ServiceContext,
  actor: Actor,
  input: PasswordCredentialValidator,
): Promise<PasswordCredentialValidator> => {
  const record = await insertValidator(context, context.store, input);
  await audit(context, actor, "create", record.id, { fields: fieldList(record.document) });
  return presentValidator(record);
};

export const updateValidator = async (
  context: ServiceContext,
  actor: Actor,
  id: string,
  input: PasswordCredentialValidator,
): Promise<PasswordCredentialValidator> => {
  const stored = await getValidatorRecord(context, id);
  if (input.id !== undefined && input.id !== id)
    throw new AppError("PCV_INVALID", {
      message: `id: the body's id "${input.id}" is not the path's "${id}"`,
      details: [{ field: "id", message: "differs from the path" }],
    });
  const document = await checked(context.store, { ...input, id });
  const record: CredentialValidatorRecord = {
    ...stored,
    name: input.name,
    document,
    updatedAt: context.clock.now().toISOString(),
  };
  try {
    await context.store.credentialValidators.update(record);
  } catch (error) {
    if (isAppError(error) && error.code === "STORE_CONFLICT")
      throw new AppError("PCV_ID_TAKEN", {
        message: `Another password credential validator is named "${input.name}".`,
      });
    throw error;
  }
  await audit(context, actor, "update", id, { fields: fieldList(document) });
  return presentValidator(record);
};

export const deleteValidator = async (context: ServiceContext, actor: Actor, id: string): Promise<void> => {
  await getValidatorRecord(context, id);
  const form = await readHtmlFormAdapter(context.store);
  if (form.validatorIds.includes(id))
    throw new AppError("PCV_IN_USE", {
      message: `The sign-in form (/idp/adapters/htmlform) lists "${id}" among its Credential Validators.`,
      details: [{ field: "idp/adapters/htmlform", message: "Credential Validators" }],
    });
  await context.store.credentialValidators.delete(id);
  await audit(context, actor, "delete", id);
};

/** Validators that read a data store: its in-use check. */
export const validatorsUsing = async (
  context: ServiceContext,
  dataStoreId: string,
): Promise<{ field: string; label: string }[]> =>
  (await context.store.credentialValidators.list())
    .filter((record) => ldapValidatorSettings(record).dataStoreId === dataStoreId)
    .map((record) => ({
      field: `passwordCredentialValidators[${record.id}].configuration.fields[${fieldNames.dataStore}]`,
      label: `password credential validator "${record.name}"`,
    }));
