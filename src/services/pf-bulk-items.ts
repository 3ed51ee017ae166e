import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import {
  htmlFormAdapterPluginId,
  ldapValidatorPluginId,
  type PasswordCredentialValidator,
  PasswordCredentialValidator as PasswordCredentialValidatorSchema,
  type PluginConfiguration,
} from "../domain/credential-validator.ts";
import { type LdapDataStore, LdapDataStore as LdapDataStoreSchema } from "../domain/data-store.ts";
import { fieldName } from "../domain/validate-sp-connection.ts";
import { invalidItem } from "./config-import.ts";

/**
 * The items of a PingFederate bulk document that Portico imports, sorted out of its operations:
 * LDAP data stores (`/dataStores`), LDAP Username Password Credential Validators
 * (`/passwordCredentialValidators`) and one HTML form adapter (`/idp/adapters`), which becomes
 * Portico's sign-in form. Items of those resource types that Portico does not run (a JDBC data
 * store, another validator plug-in, another adapter) are listed as skipped, with the reason.
 */

export type SkippedItem = {
  readonly field: string;
  readonly resourceType: string;
  readonly id: string | null;
  readonly reason: string;
};

export type Located<T> = { readonly at: string; readonly item: T };

export type SignInItems = {
  dataStores: Located<LdapDataStore>[];
  validators: Located<PasswordCredentialValidator>[];
  /** Validators of other plug-ins, by id: the form may not list them. */
  foreignValidators: Map<string, string>;
  htmlForm: (Located<{ id: string; configuration: PluginConfiguration }> & { from: string }) | undefined;
  adapters: Located<Record<string, unknown>>[];
  skipped: SkippedItem[];
};

export const emptySignInItems = (): SignInItems => ({
  dataStores: [],
  validators: [],
  foreignValidators: new Map(),
  htmlForm: undefined,
  adapters: [],
  skipped: [],
});

const record = (item: unknown): Record<string, unknown> =>
  typeof item === "object" && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>) : {};

const idOf = (item: unknown): string | null => {
  const { id } = record(item);
  return typeof id === "string" ? id : null;
};

const pluginOf = (item: unknown): string | undefined => {
  const ref = record(record(item).pluginDescriptorRef);
  return typeof ref.id === "string" ? ref.id : undefined;
};

/** The item in Portico's schema for it, or CONFIG_BUNDLE_INVALID naming its fields. */
const shaped = <T>(schema: TSchema, item: unknown, at: string): T => {
  const problems = [...Value.Errors(schema, item)]
    .slice(0, 20)
    .map((e) => ({ field: fieldName(e.path), message: e.message }));
  if (problems.length > 0) throw invalidItem(at, problems);
  return item as T;
};

/** A data store item: LDAP ones are imported with their bind password given in clear. */
export const readDataStore = (items: SignInItems, item: unknown, at: string): void => {
  const type = record(item).type;
  if (type !== "LDAP") {
    items.skipped.push({
      field: at,
      resourceType: "/dataStores",
      id: idOf(item),
      reason: `a ${typeof type === "string" ? type : "typeless"} data store: Portico reads LDAP directories only`,
    });
    return;
  }
  const store = shaped<LdapDataStore>(LdapDataStoreSchema, item, at);
  if (store.password !== undefined && /^\$\{.*\}$/.test(store.password))
    throw invalidItem(at, [
      {
        field: "password",
        message: "give the bind password in clear (substitute a server profile's variables first)",
      },
    ]);
  items.dataStores.push({ at, item: store });
};

/** A password credential validator item: LDAP ones are imported. */
export const readValidator = (items: SignInItems, item: unknown, at: string): void => {
  const plugin = pluginOf(item);
  if (plugin !== ldapValidatorPluginId) {
    const id = idOf(item);
    if (id !== null) items.foreignValidators.set(id, plugin ?? "(no plug-in)");
    items.skipped.push({
      field: at,
      resourceType: "/passwordCredentialValidators",
      id,
      reason: `plug-in ${plugin ?? "(none)"}: Portico runs the LDAP Username Password Credential Validator only`,
    });
    return;
  }
  items.validators.push({
    at,
    item: shaped<PasswordCredentialValidator>(PasswordCredentialValidatorSchema, item, at),
  });
};

/** An IdP adapter item; HTML form adapters are candidates for Portico's one sign-in form. */
export const readAdapter = (items: SignInItems, item: unknown, at: string): void => {
  if (pluginOf(item) === htmlFormAdapterPluginId) {
    items.adapters.push({ at, item: record(item) });
    return;
  }
  items.skipped.push({
    field: at,
    resourceType: "/idp/adapters",
    id: idOf(item),
    reason: `plug-in ${pluginOf(item) ?? "(none)"}: Portico's one adapter is its HTML sign-in form`,
  });
};

/** The Credential Validators table of an HTML form adapter, read loosely (its other fields stay behind). */
const formConfiguration = (adapter: Record<string, unknown>): PluginConfiguration => {
  const tables = record(adapter.configuration).tables;
  const table = (Array.isArray(tables) ? tables : [])
    .map(record)
    .find((t) => t.name === "Credential Validators");
  const rows = (Array.isArray(table?.rows) ? table.rows : []).map((row) => ({
    fields: (Array.isArray(record(row).fields) ? (record(row).fields as unknown[]) : [])
      .map(record)
      .filter((f) => typeof f.name === "string")
      .map((f) => ({ name: String(f.name), ...(typeof f.value === "string" ? { value: f.value } : {}) })),
  }));
  return { tables: [{ name: "Credential Validators", rows }] };
};

/**
 * Picks the sign-in form among the HTML form adapters: the one whose id is Portico's
 * (`htmlform`), else the first. Portico has one form; the others are listed as skipped.
 */
export const chooseHtmlForm = (items: SignInItems, formId: string): void => {
  const chosen = items.adapters.find((a) => a.item.id === formId) ?? items.adapters[0];
  if (!chosen) return;
  const from = idOf(chosen.item) ?? formId;
  items.htmlForm = { at: chosen.at, from, item: { id: from, configuration: formConfiguration(chosen.item) } };
  for (const other of items.adapters) {
    if (other === chosen) continue;
    items.skipped.push({
      field: other.at,
      resourceType: "/idp/adapters",
      id: idOf(other.item),
      reason: `Portico has one sign-in form, taken from "${from}"`,
    });
  }
};
