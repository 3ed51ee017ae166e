import type { LdapDataStore } from "../../domain/data-store.ts";
import { isSecretFieldName } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/**
 * A data store's secrets, by the same rule as a connection's (connection-secrets.ts): a field
 * whose name says secret, token, password or key is sealed under the master key on the way in
 * and shown only in its sealed form, `encrypted<Name>` (PingFederate's `encryptedPassword`).
 */

const sealContext = (field: string) => `dataStore.${field}`;

const encryptedName = (field: string) => `encrypted${field.charAt(0).toUpperCase()}${field.slice(1)}`;

/** The secret fields a document carries in clear (today only `password`). */
const clearSecretFields = (document: Record<string, unknown>) =>
  Object.keys(document).filter((name) => isSecretFieldName(name) && !name.startsWith("encrypted"));

/**
 * Seals an incoming document's secrets in place. An echoed `encryptedPassword` is kept when this
 * server issued it, refused otherwise; with neither, the stored one (on update) stands.
 */
export const sealDataStoreSecrets = (
  context: ServiceContext,
  incoming: LdapDataStore,
  stored: LdapDataStore | undefined,
): LdapDataStore => {
  const document: Record<string, unknown> = { ...incoming };
  for (const field of clearSecretFields(document)) {
    const value = document[field];
    const sealedName = encryptedName(field);
    if (typeof value === "string" && document[sealedName] !== undefined) {
      throw new AppError("DATASTORE_INVALID", {
        message: `${field}: give ${field} or ${sealedName}, not both`,
        details: [{ field, message: `give ${field} or ${sealedName}, not both` }],
      });
    }
    if (typeof value === "string") document[sealedName] = context.secretBox.seal(value, sealContext(field));
    delete document[field];
  }
  const sealed = document.encryptedPassword;
  if (typeof sealed === "string") {
    try {
      context.secretBox.open(sealed, sealContext("password"));
    } catch {
      throw new AppError("DATASTORE_INVALID", {
        message: "encryptedPassword was not issued by this server; send the password as password.",
        details: [{ field: "encryptedPassword", message: "not issued by this server" }],
      });
    }
  } else if (
    stored?.encryptedPassword !== undefined &&
    incoming.userDN !== undefined &&
    incoming.userDN === stored.userDN
  ) {
    document.encryptedPassword = stored.encryptedPassword;
  }
  return document as LdapDataStore;
};

/** The bind password in clear, for the LDAP client only: never for display or logs. */
export const revealBindPassword = (context: ServiceContext, document: LdapDataStore): string | undefined =>
  document.encryptedPassword === undefined
    ? undefined
    : context.secretBox.openText(document.encryptedPassword, sealContext("password"));

/**
 * Re-seals under the current master key the document's secrets sealed under a previous one (a
 * master-key rotation), in place; returns how many.
 */
export const resealDataStoreSecrets = (context: ServiceContext, document: LdapDataStore): number => {
  const fields = document as unknown as Record<string, unknown>;
  let count = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith("encrypted") || typeof value !== "string" || !context.secretBox.needsReseal(value))
      continue;
    const field = `${name.charAt("encrypted".length).toLowerCase()}${name.slice("encrypted".length + 1)}`;
    fields[name] = context.secretBox.reseal(value, sealContext(field));
    count++;
  }
  return count;
};
