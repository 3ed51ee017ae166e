import { type Static, Type } from "@sinclair/typebox";
import { closed, optional } from "./typebox.ts";

/**
 * Password credential validators (`/passwordCredentialValidators`) and the HTML form adapter
 * that lists them (`/idp/adapters/htmlform`), in PingFederate's plug-in instance shape: a
 * `pluginDescriptorRef` naming the plug-in, and a `configuration` of named fields and tables.
 * Portico knows one validator plug-in, PingFederate's LDAP Username Password Credential
 * Validator; the built-in directory stands in the adapter's list under a reserved id.
 */

export const ldapValidatorPluginId = "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator";
export const htmlFormAdapterPluginId = "com.pingidentity.adapters.htmlform.idp.HtmlFormIdpAuthnAdapter";
/** The built-in directory, as a Credential Validators row names it. */
export const builtInValidatorId = "PorticoDirectory";

const Ref = closed({
  id: Type.String({ minLength: 1, maxLength: 256 }),
  location: optional(Type.String({ description: "read-only" })),
});

export const PluginField = closed({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  value: optional(Type.String({ maxLength: 4096 })),
  encryptedValue: optional(Type.String({ maxLength: 8192 })),
  inherited: optional(Type.Boolean()),
});
export type PluginField = Static<typeof PluginField>;

export const PluginRow = closed({
  defaultRow: optional(Type.Boolean()),
  fields: Type.Array(PluginField, { maxItems: 64 }),
});

export const PluginTable = closed({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  rows: optional(Type.Array(PluginRow, { maxItems: 64 })),
  inherited: optional(Type.Boolean()),
});

export const PluginConfiguration = closed({
  fields: optional(Type.Array(PluginField, { maxItems: 64 })),
  tables: optional(Type.Array(PluginTable, { maxItems: 16 })),
});
export type PluginConfiguration = Static<typeof PluginConfiguration>;

const ContractAttribute = closed({ name: Type.String({ minLength: 1, maxLength: 256 }) });

export const PasswordCredentialValidator = closed({
  id: optional(Type.String({ pattern: "^[a-zA-Z0-9._-]{1,32}$" })),
  name: Type.String({ minLength: 1, maxLength: 256 }),
  pluginDescriptorRef: Ref,
  parentRef: optional(Ref),
  configuration: PluginConfiguration,
  attributeContract: optional(
    closed({
      coreAttributes: optional(Type.Array(ContractAttribute, { maxItems: 64 })),
      extendedAttributes: optional(
        Type.Array(ContractAttribute, {
          maxItems: 64,
          description: "more LDAP attributes to read for the assertion",
        }),
      ),
      inherited: optional(Type.Boolean()),
    }),
  ),
});
export type PasswordCredentialValidator = Static<typeof PasswordCredentialValidator>;

/** The sign-in form: its Credential Validators table, tried in order. */
export const HtmlFormAdapter = closed({
  id: optional(Type.String({ maxLength: 64 })),
  name: optional(Type.String({ maxLength: 256 })),
  pluginDescriptorRef: optional(Ref),
  configuration: PluginConfiguration,
});
export type HtmlFormAdapter = Static<typeof HtmlFormAdapter>;

export type CredentialValidatorRecord = {
  readonly id: string;
  readonly name: string;
  readonly document: PasswordCredentialValidator;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** A field of a plug-in configuration, by PingFederate's field name. */
export const fieldValue = (configuration: PluginConfiguration, name: string): string | undefined =>
  configuration.fields?.find((f) => f.name === name)?.value;
