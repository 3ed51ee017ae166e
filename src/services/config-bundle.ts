import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { HtmlFormAdapter, PasswordCredentialValidator } from "../domain/credential-validator.ts";
import { LdapDataStore } from "../domain/data-store.ts";
import type { Repositories } from "../domain/ports.ts";
import { fieldName } from "../domain/validate-sp-connection.ts";
import { AppError } from "../lib/errors.ts";
import { recordAudit } from "./audit.ts";
import { importConnection, importDataStore } from "./config-import.ts";
import { presentConnection } from "./connections.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { exportSignIn, importSignIn } from "./credential-validators/transfer.ts";
import { presentDataStore } from "./data-stores/data-stores.ts";
import { defaultKeySetting, exportSigningKeys, importSealedSigningKey } from "./keys.ts";
import { importedChannelProblems } from "./provisioning/fields.ts";
import { pairwiseSecretSealContext, pairwiseSecretSetting } from "./sso/name-id.ts";

/**
 * The whole configuration as one JSON document (`portico config export`): signing key pairs
 * (private keys only sealed under the master key), the default key, LDAP data stores (bind
 * passwords sealed), the password credential validators and the sign-in form's list of them (so
 * that a restore keeps LDAP sign-in), every SP connection (secrets only as encryptedValue), and the
 * sealed secret behind pairwise (PSEUDONYM) NameIDs, so that SPs know their users by the same
 * identifiers after a restore. Admin accounts and API tokens are not part of it: an export must
 * not carry credentials that let its reader into the server.
 */
export const ConfigBundle = Type.Object(
  {
    formatVersion: Type.Literal(1),
    exportedAt: Type.Optional(Type.String()),
    entityId: Type.Optional(Type.String()),
    defaultSigningKeyId: Type.Optional(Type.String()),
    keyPairs: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: "^[a-zA-Z0-9._-]{1,64}$" }),
          certificate: Type.String({ minLength: 1 }),
          encryptedPrivateKey: Type.String({ minLength: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    dataStores: Type.Optional(
      Type.Array(LdapDataStore, { description: "LDAP data stores; passwords sealed" }),
    ),
    passwordCredentialValidators: Type.Optional(
      Type.Array(PasswordCredentialValidator, {
        description: "LDAP Username Password Credential Validators",
      }),
    ),
    /** The sign-in form (/idp/adapters/htmlform): its Credential Validators, in order. */
    htmlFormAdapter: Type.Optional(HtmlFormAdapter),
    spConnections: Type.Array(Type.Unknown()),
    pairwiseIdSecret: Type.Optional(
      Type.String({ minLength: 1, description: "sealed under the master key" }),
    ),
  },
  { additionalProperties: false },
);
export type ConfigBundle = Static<typeof ConfigBundle>;

export const exportConfiguration = async (context: ServiceContext): Promise<ConfigBundle> => {
  const connections = await context.store.connections.list();
  const defaultId = await context.store.settings.get(defaultKeySetting);
  const pairwiseIdSecret = await context.store.settings.get(pairwiseSecretSetting);
  return {
    formatVersion: 1,
    exportedAt: context.clock.now().toISOString(),
    entityId: context.entityId,
    ...(defaultId === undefined ? {} : { defaultSigningKeyId: defaultId }),
    keyPairs: await exportSigningKeys(context),
    dataStores: (await context.store.dataStores.list()).map(presentDataStore),
    ...(await exportSignIn(context)),
    spConnections: connections.map((r) => {
      const { creationDate: _c, modificationDate: _m, ...document } = presentConnection(context, r);
      return document;
    }),
    ...(pairwiseIdSecret === undefined ? {} : { pairwiseIdSecret }),
  };
};

/**
 * Takes the bundle's pairwise-identifier secret. A server that already has another one has
 * handed out identifiers with it, which replacing it would change: that is refused.
 */
const importPairwiseSecret = async (context: ServiceContext, repos: Repositories, sealed: string) => {
  try {
    context.secretBox.open(sealed, pairwiseSecretSealContext);
  } catch (error) {
    throw new AppError("CONFIG_BUNDLE_INVALID", {
      message: "pairwiseIdSecret: it does not open with this server's master key.",
      cause: error,
    });
  }
  const standing = await repos.settings.setIfAbsent(pairwiseSecretSetting, sealed);
  if (standing === sealed) return;
  const ours = context.secretBox.open(standing, pairwiseSecretSealContext);
  if (!ours.equals(context.secretBox.open(sealed, pairwiseSecretSealContext))) {
    throw new AppError("CONFIG_NOT_EMPTY", {
      message:
        "pairwiseIdSecret: this server already issues pairwise NameIDs with another secret; import into an empty server.",
    });
  }
};

export type ImportReport = {
  keyPairsImported: string[];
  keyPairsAlreadyPresent: string[];
  keyPairsReplaced: string[];
  dataStoresImported: string[];
  passwordCredentialValidatorsImported: string[];
  /** The sign-in form's Credential Validators as imported, in order; null when the bundle has none. */
  htmlFormAdapterImported: string[] | null;
  spConnectionsImported: string[];
  /**
   * Why an imported connection's active channels cannot run yet (an unmapped required field, or
   * Salesforce's fields unreadable, say without tokens): a restore restores, and says what waits.
   * Such a channel shows STOPPED with the reason until it is fixed.
   */
  channelProblems: { spConnection: string; field: string; message: string }[];
};

/**
 * Imports a bundle in one transaction: all of it or nothing. Key pairs already present with the
 * same certificate are kept; an unused key pair of the same id is replaced; a data store,
 * validator or connection whose id (or entity ID) exists refuses the whole import, as does a
 * sign-in form that lists other validators than the server's configured one. Order: key pairs,
 * data stores, validators, the form, connections; a reference to none of the bundle's items nor
 * the server's is CONFIG_REFERENCE_UNRESOLVED.
 */
export const importConfiguration = async (
  context: ServiceContext,
  actor: Actor,
  input: unknown,
): Promise<ImportReport> => {
  const problems = [...Value.Errors(ConfigBundle, input)].slice(0, 20).map((e) => ({
    field: fieldName(e.path) || "(document)",
    message: e.message,
  }));
  if (problems.length > 0) {
    throw new AppError("CONFIG_BUNDLE_INVALID", {
      message: `${problems[0]?.field}: ${problems[0]?.message}`,
      details: problems,
    });
  }
  const bundle = input as ConfigBundle;
  const report = await context.store.transaction(async (repos) => {
    const result: ImportReport = {
      keyPairsImported: [],
      keyPairsAlreadyPresent: [],
      keyPairsReplaced: [],
      dataStoresImported: [],
      passwordCredentialValidatorsImported: [],
      htmlFormAdapterImported: null,
      spConnectionsImported: [],
      channelProblems: [],
    };
    for (const key of bundle.keyPairs) {
      const existing = await repos.signingKeys.get(key.id);
      const record = await importSealedSigningKey(context, key);
      if (existing?.sha256Thumbprint === record.sha256Thumbprint) {
        result.keyPairsAlreadyPresent.push(key.id);
        continue;
      }
      if (existing) {
        // A restore replaces a key pair of the same id (a fresh server's generated one, say),
        // but never one that a connection signs with.
        const users = (await repos.connections.list()).filter((c) => {
          const settings = c.document.credentials?.signingSettings;
          return (
            settings?.signingKeyPairRef.id === key.id ||
            (settings?.alternativeSigningKeyPairRefs ?? []).some((r) => r.id === key.id)
          );
        });
        if (users.length > 0) {
          throw new AppError("CONFIG_NOT_EMPTY", {
            message: `keyPairs: key pair "${key.id}" differs from this server's, which connection ${users[0]?.id} uses.`,
          });
        }
        await repos.signingKeys.delete(key.id);
        result.keyPairsReplaced.push(key.id);
      }
      await repos.signingKeys.create(record);
      result.keyPairsImported.push(key.id);
    }
    if (bundle.defaultSigningKeyId !== undefined) {
      if (!(await repos.signingKeys.get(bundle.defaultSigningKeyId))) {
        throw new AppError("CONFIG_BUNDLE_INVALID", {
          message: `defaultSigningKeyId: no key pair "${bundle.defaultSigningKeyId}" in the bundle or on the server.`,
        });
      }
      await repos.settings.set(defaultKeySetting, bundle.defaultSigningKeyId);
    }
    if (bundle.pairwiseIdSecret !== undefined)
      await importPairwiseSecret(context, repos, bundle.pairwiseIdSecret);
    for (const [i, document] of (bundle.dataStores ?? []).entries())
      result.dataStoresImported.push(await importDataStore(context, repos, document, `dataStores[${i}]`));
    const signIn = await importSignIn(context, repos, {
      validators: (bundle.passwordCredentialValidators ?? []).map((document, i) => ({
        at: `passwordCredentialValidators[${i}]`,
        document,
      })),
      ...(bundle.htmlFormAdapter === undefined
        ? {}
        : { form: { at: "htmlFormAdapter", configuration: bundle.htmlFormAdapter.configuration } }),
    });
    result.passwordCredentialValidatorsImported.push(...signIn.validators);
    result.htmlFormAdapterImported = signIn.htmlForm;
    for (const [i, document] of bundle.spConnections.entries())
      result.spConnectionsImported.push(
        await importConnection(context, repos, document, `spConnections[${i}]`),
      );
    return result;
  });
  report.channelProblems.push(...(await importedChannelProblems(context, report.spConnectionsImported)));
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "configuration.import",
    { type: "configuration", id: null },
    {
      keyPairs: report.keyPairsImported,
      dataStores: report.dataStoresImported,
      passwordCredentialValidators: report.passwordCredentialValidatorsImported,
      htmlFormAdapter: report.htmlFormAdapterImported,
      spConnections: report.spConnectionsImported,
    },
  );
  return report;
};
