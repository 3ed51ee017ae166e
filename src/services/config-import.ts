import type { LdapDataStore } from "../domain/data-store.ts";
import type { Repositories } from "../domain/ports.ts";
import type { SpConnection } from "../domain/sp-connection.ts";
import { shapeErrors } from "../domain/validate-sp-connection.ts";
import { AppError, type ErrorDetail, isAppError } from "../lib/errors.ts";
import { insertConnection, prepareConnection } from "./connections.ts";
import type { ServiceContext } from "./context.ts";
import { insertDataStore } from "./data-stores/data-stores.ts";
import { ldapSourceReferenceErrors } from "./sso/attribute-sources.ts";

/**
 * What both import formats (Portico's bundle and PingFederate's bulk document) share: each item
 * is stored with the import's transaction (`repos`), and its refusal names where it sits in the
 * document (`at`, e.g. `dataStores[0]` or `operations[2].items[1]`). An id the server already
 * holds is CONFIG_NOT_EMPTY; an invalid item CONFIG_BUNDLE_INVALID; a reference to something
 * neither the document nor the server holds CONFIG_REFERENCE_UNRESOLVED. Nothing is stored then.
 */

const prefixed = (at: string, problems: readonly ErrorDetail[]) =>
  problems.map((p) => ({ ...p, field: p.field ? `${at}.${p.field}` : at }));

export const unresolvedReferences = (at: string, problems: readonly ErrorDetail[]): AppError => {
  const details = prefixed(at, problems);
  return new AppError("CONFIG_REFERENCE_UNRESOLVED", {
    message: details.map((d) => `${d.field}: ${d.message}`).join("; "),
    details,
  });
};

export const invalidItem = (at: string, problems: readonly ErrorDetail[], cause?: unknown): AppError => {
  const details = prefixed(at, problems);
  return new AppError("CONFIG_BUNDLE_INVALID", {
    message: details.map((d) => `${d.field}: ${d.message}`).join("; "),
    details,
    cause,
  });
};

export const importDataStore = async (
  context: ServiceContext,
  repos: Repositories,
  document: LdapDataStore,
  at: string,
): Promise<string> => {
  try {
    return (await insertDataStore(context, repos, document)).id;
  } catch (error) {
    if (isAppError(error) && error.code === "DATASTORE_ID_TAKEN")
      throw new AppError("CONFIG_NOT_EMPTY", { message: `${at}: ${error.message}`, cause: error });
    if (isAppError(error) && error.code === "DATASTORE_INVALID")
      throw new AppError("CONFIG_BUNDLE_INVALID", {
        message: `${at}.${error.message}`,
        details: prefixed(at, error.details),
        cause: error,
      });
    throw error;
  }
};

/**
 * An SP connection, after the data stores its LDAP attribute sources name (the document's are
 * imported first). A document of the wrong shape is left to the connection's own validation,
 * which names every field.
 */
export const importConnection = async (
  context: ServiceContext,
  repos: Repositories,
  item: unknown,
  at: string,
): Promise<string> => {
  if (shapeErrors(item).length === 0) {
    const missing = await ldapSourceReferenceErrors(repos, item as SpConnection);
    if (missing.length > 0) throw unresolvedReferences(at, missing);
  }
  try {
    return (await insertConnection(context, repos, await prepareConnection(context, repos, item))).id;
  } catch (error) {
    if (!isAppError(error) || !error.code.startsWith("CONN_")) throw error;
    const taken = error.code === "CONN_ID_TAKEN" || error.code === "CONN_ENTITY_ID_TAKEN";
    throw new AppError(taken ? "CONFIG_NOT_EMPTY" : "CONFIG_BUNDLE_INVALID", {
      message: `${at}.${error.message}`,
      details: prefixed(at, error.details),
      cause: error,
    });
  }
};
