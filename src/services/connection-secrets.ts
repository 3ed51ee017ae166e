import type { ConnectionRecord } from "../domain/ports.ts";
import { type ConfigField, isSecretFieldName, type SpConnection } from "../domain/sp-connection.ts";
import { AppError } from "../lib/errors.ts";
import { recordAudit } from "./audit.ts";
import { type ServiceContext, systemActor } from "./context.ts";

/**
 * Secrets in a connection document: every name/value configuration field whose name says it is
 * a secret (isSecretFieldName) is stored sealed under the master key and shown only as
 * `encryptedValue`, on every path a document takes (create, update, bulk import and export,
 * metadata conversion, the CLI, which uses those).
 */

/** One list of configuration fields in a document, with the seal context its secrets use. */
type FieldList = { readonly path: string; readonly seal: string; readonly fields: ConfigField[] };

const targetSeal = "spConnection.targetSettings";

/** Every name/value field list a connection carries: target settings and adapter overrides. */
const fieldLists = (connection: SpConnection): FieldList[] => {
  const lists: FieldList[] = [];
  const target = connection.outboundProvision?.targetSettings;
  // The context of target settings predates adapter fields: sealed values already stored keep it.
  if (target)
    lists.push({
      path: "outboundProvision.targetSettings",
      seal: targetSeal,
      fields: target,
    });
  connection.spBrowserSso?.adapterMappings.forEach((mapping, i) => {
    const configuration = mapping.adapterOverrideSettings?.configuration;
    const path = `spBrowserSso.adapterMappings[${i}].adapterOverrideSettings.configuration`;
    const seal = "spConnection.adapterOverrideSettings";
    if (configuration?.fields) lists.push({ path: `${path}.fields`, seal, fields: configuration.fields });
    configuration?.tables?.forEach((table, t) => {
      table.rows?.forEach((row, r) => {
        lists.push({ path: `${path}.tables[${t}].rows[${r}].fields`, seal, fields: row.fields });
      });
    });
  });
  return lists;
};

const sealContext = (list: FieldList, field: ConfigField) => `${list.seal}:${field.name}`;

const refuse = (field: string, message: string): never => {
  throw new AppError("CONN_INVALID", { message: `${field}: ${message}`, details: [{ field, message }] });
};

/** A target setting's value in clear, for the connector that uses it: never for display. */
export const revealTargetSetting = (context: ServiceContext, field: ConfigField): string | undefined =>
  field.encryptedValue === undefined
    ? field.value
    : context.secretBox.openText(field.encryptedValue, `${targetSeal}:${field.name}`);

/**
 * Seals an incoming document's secrets in place: a `value` is sealed; an echoed `encryptedValue`
 * is kept when this server issued it for that name, refused otherwise. Fields that are not
 * secrets keep their plain value and may not carry an `encryptedValue`.
 */
export const sealSecrets = (context: ServiceContext, connection: SpConnection): void => {
  for (const list of fieldLists(connection)) {
    list.fields.forEach((setting, i) => {
      const field = `${list.path}[${i}]`;
      if (setting.value !== undefined && setting.encryptedValue !== undefined) {
        refuse(field, "give value or encryptedValue, not both");
      }
      if (!isSecretFieldName(setting.name)) {
        if (setting.encryptedValue !== undefined) {
          refuse(`${field}.encryptedValue`, `${setting.name} is not a secret; give value`);
        }
        return;
      }
      if (setting.value !== undefined) {
        setting.encryptedValue = context.secretBox.seal(setting.value, sealContext(list, setting));
        delete setting.value;
        return;
      }
      if (setting.encryptedValue === undefined) return;
      try {
        context.secretBox.open(setting.encryptedValue, sealContext(list, setting));
      } catch {
        throw new AppError("CONN_ENCRYPTED_VALUE_INVALID", {
          message: `${field}.encryptedValue (${setting.name}) was not issued by this server (or belongs to another field): another server's encryption cannot be read here. Resend the secret in clear as "value" instead of "encryptedValue"; Portico seals it.`,
          details: [
            {
              field: `${field}.encryptedValue`,
              message: 'not issued by this server; resend the secret as "value"',
            },
          ],
        });
      }
    });
  }
};

/**
 * Seals secrets stored in clear, which a document written before the secret-name rule may hold;
 * returns the paths of the fields it sealed. Never shows a value.
 */
const sealPlainSecrets = (context: ServiceContext, connection: SpConnection): string[] => {
  const sealed: string[] = [];
  for (const list of fieldLists(connection)) {
    list.fields.forEach((setting, i) => {
      if (setting.value === undefined || !isSecretFieldName(setting.name)) return;
      setting.encryptedValue = context.secretBox.seal(setting.value, sealContext(list, setting));
      delete setting.value;
      sealed.push(`${list.path}[${i}]`);
    });
  }
  return sealed;
};

/** A stored document as the API may show it: no secret in clear, whatever was stored. */
export const withSecretsSealed = (context: ServiceContext, document: SpConnection): SpConnection => {
  const copy = structuredClone(document);
  sealPlainSecrets(context, copy);
  return copy;
};

/**
 * At start-up: seals in storage every secret a connection still holds in clear, with one audit
 * event per connection naming the fields (not their values).
 */
export const sealStoredSecrets = async (context: ServiceContext): Promise<void> => {
  for (const record of await context.store.connections.list()) {
    const document = structuredClone(record.document);
    const sealed = sealPlainSecrets(context, document);
    if (sealed.length === 0) continue;
    const updated: ConnectionRecord = { ...record, document };
    await context.store.connections.update(updated);
    await recordAudit(
      context.store.auditLog,
      context.clock,
      systemActor,
      "spConnection.sealSecrets",
      { type: "spConnection", id: record.id },
      { fields: sealed },
    );
  }
};

/**
 * Re-seals under the current master key every secret of `connection` sealed under a previous
 * one (a master-key rotation), in place; returns how many it re-sealed. Throws
 * CRYPTO_DECRYPT_FAILED for a value no configured key opens.
 */
export const resealConnectionSecrets = (context: ServiceContext, connection: SpConnection): number => {
  let count = 0;
  for (const list of fieldLists(connection)) {
    for (const setting of list.fields) {
      if (setting.encryptedValue === undefined || !context.secretBox.needsReseal(setting.encryptedValue))
        continue;
      setting.encryptedValue = context.secretBox.reseal(setting.encryptedValue, sealContext(list, setting));
      count++;
    }
  }
  return count;
};
