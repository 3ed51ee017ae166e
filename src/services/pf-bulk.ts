import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { signInAdapterId } from "../domain/sp-connection.ts";
import { fieldName } from "../domain/validate-sp-connection.ts";
import { AppError } from "../lib/errors.ts";
import { recordAudit } from "./audit.ts";
import { importConnection, importDataStore, invalidItem, unresolvedReferences } from "./config-import.ts";
import { presentConnection } from "./connections.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { htmlFormRowField, htmlFormValidatorIds } from "./credential-validators/html-form.ts";
import { exportSignIn, importSignIn } from "./credential-validators/transfer.ts";
import { presentDataStore } from "./data-stores/data-stores.ts";
import { pkcs12KeyRecord } from "./keys.ts";
import {
  chooseHtmlForm,
  emptySignInItems,
  readAdapter,
  readDataStore,
  readValidator,
  type SignInItems,
  type SkippedItem,
} from "./pf-bulk-items.ts";
import { importedChannelProblems } from "./provisioning/fields.ts";

/**
 * PingFederate's bulk configuration document (`GET /bulk/export`, `POST /bulk/import`): a list of
 * operations, each saving items of one resource type. Portico imports the signing key pairs, LDAP
 * data stores, LDAP password credential validators, the HTML form adapter (as its sign-in form)
 * and SP connections it carries, and reports every other operation, and every item of those types
 * it does not run, as skipped; it exports its data stores, validators, sign-in form and SP
 * connections in the same shape, in PingFederate's order (what is referred to comes first).
 * Portico's own, complete bundle (keys sealed under the master key) lives at
 * `/portico/config/export|import` (config-bundle.ts).
 */

/** The PingFederate admin-API version whose model Portico's documents follow. */
export const modelledPfVersion = "12.1.0.4";

const Operation = Type.Object({
  operationType: Type.String({ minLength: 1 }),
  resourceType: Type.String({ minLength: 1 }),
  subResource: Type.Optional(Type.String()),
  items: Type.Optional(Type.Array(Type.Unknown())),
  itemIds: Type.Optional(Type.Array(Type.String())),
});

export const PfBulkDocument = Type.Object({
  metadata: Type.Optional(Type.Object({ pfVersion: Type.Optional(Type.String()) })),
  operations: Type.Array(Operation),
});
export type PfBulkDocument = Static<typeof PfBulkDocument>;

/** PingFederate's HTML form adapter contract, which its bulk import requires of an adapter. */
const htmlFormContract = {
  coreAttributes: [{ name: "policy.action" }, { name: "username" }],
  extendedAttributes: [],
};

export const exportPingFederateBulk = async (context: ServiceContext): Promise<PfBulkDocument> => {
  const connections = await context.store.connections.list();
  const signIn = await exportSignIn(context);
  const save = (resourceType: string, items: unknown[]) =>
    items.length === 0 ? [] : [{ operationType: "SAVE", items, resourceType }];
  return {
    metadata: { pfVersion: modelledPfVersion },
    operations: [
      ...save("/dataStores", (await context.store.dataStores.list()).map(presentDataStore)),
      ...save("/passwordCredentialValidators", signIn.passwordCredentialValidators),
      ...save(
        "/idp/adapters",
        signIn.htmlFormAdapter === undefined
          ? []
          : [{ ...signIn.htmlFormAdapter, attributeContract: htmlFormContract }],
      ),
      ...save(
        "/idp/spConnections",
        connections.map((r) => {
          const { creationDate: _c, modificationDate: _m, ...document } = presentConnection(context, r);
          return document;
        }),
      ),
    ],
  };
};

export type PfBulkReport = {
  keyPairsImported: string[];
  dataStoresImported: string[];
  passwordCredentialValidatorsImported: string[];
  /** The HTML form adapter that became the sign-in form, and its Credential Validators in order. */
  htmlFormAdapterImported: { from: string; credentialValidators: string[] } | null;
  spConnectionsImported: string[];
  /** The operations Portico does not import: what they were and how many items they held. */
  skipped: {
    operation: number;
    resourceType: string;
    subResource?: string;
    operationType: string;
    items: number;
  }[];
  /** Items of imported resource types that Portico does not run (a JDBC data store, say). */
  skippedItems: SkippedItem[];
  channelProblems: { spConnection: string; field: string; message: string }[];
};

const invalid = (at: string, message: string, cause?: unknown): AppError =>
  invalidItem(at, [{ message }], cause);

type KeyItem = { id: string; fileData: string; password: string };

const keyItem = (item: unknown, field: string): KeyItem => {
  const { id, fileData, password } = (item ?? {}) as Record<string, unknown>;
  if (typeof id !== "string" || typeof fileData !== "string") {
    throw invalid(field, "a signing key pair needs id and fileData (PKCS#12, base64)");
  }
  if (typeof password !== "string" || /^\$\{.*\}$/.test(password)) {
    throw invalid(
      `${field}.password`,
      "give the PKCS#12 file's password in clear (substitute a server profile's variables first)",
    );
  }
  return { id, fileData, password };
};

/** A sign-in form that lists a validator of a plug-in Portico skipped cannot be imported. */
const assertFormRunnable = (items: SignInItems): void => {
  const form = items.htmlForm;
  if (!form) return;
  const problems = htmlFormValidatorIds(form.item.configuration).validatorIds.flatMap((id, i) => {
    const plugin = items.foreignValidators.get(id);
    return plugin === undefined
      ? []
      : [
          {
            field: htmlFormRowField(i),
            message: `"${id}" is a validator of plug-in ${plugin}, which Portico does not run; remove the row, or import without it`,
          },
        ];
  });
  if (problems.length > 0) throw unresolvedReferences(form.at, problems);
};

/**
 * Imports a PingFederate bulk document in one transaction, all of it or nothing, in the order
 * of what refers to what: signing key pairs (PKCS#12 with password), LDAP data stores, LDAP
 * validators, the sign-in form, SP connections. Any other operation is reported as skipped.
 */
export const importPingFederateBulk = async (
  context: ServiceContext,
  actor: Actor,
  input: unknown,
): Promise<PfBulkReport> => {
  const shape = [...Value.Errors(PfBulkDocument, input)].slice(0, 20).map((e) => ({
    field: fieldName(e.path) || "(document)",
    message: e.message,
  }));
  if (shape.length > 0) {
    throw new AppError("CONFIG_BUNDLE_INVALID", {
      message: `${shape[0]?.field}: ${shape[0]?.message} (a PingFederate bulk document: {metadata, operations: [...]}; Portico's own bundle goes to /portico/config/import)`,
      details: shape,
    });
  }
  const document = input as PfBulkDocument;
  const report: PfBulkReport = {
    keyPairsImported: [],
    dataStoresImported: [],
    passwordCredentialValidatorsImported: [],
    htmlFormAdapterImported: null,
    spConnectionsImported: [],
    skipped: [],
    skippedItems: [],
    channelProblems: [],
  };
  const keys: { field: string; item: KeyItem }[] = [];
  const connections: { field: string; item: unknown }[] = [];
  const signIn = emptySignInItems();
  const readers: Readonly<Record<string, (item: unknown, at: string) => void>> = {
    "/keyPairs/signing": (item, at) => keys.push({ field: at, item: keyItem(item, at) }),
    "/dataStores": (item, at) => readDataStore(signIn, item, at),
    "/passwordCredentialValidators": (item, at) => readValidator(signIn, item, at),
    "/idp/adapters": (item, at) => readAdapter(signIn, item, at),
    "/idp/spConnections": (item, at) => connections.push({ field: at, item }),
  };
  document.operations.forEach((operation, i) => {
    const items = operation.items ?? [];
    const read =
      operation.operationType === "SAVE" && operation.subResource === undefined
        ? readers[operation.resourceType]
        : undefined;
    if (read) {
      items.forEach((item, j) => {
        read(item, `operations[${i}].items[${j}]`);
      });
      return;
    }
    report.skipped.push({
      operation: i,
      resourceType: operation.resourceType,
      ...(operation.subResource === undefined ? {} : { subResource: operation.subResource }),
      operationType: operation.operationType,
      items: items.length + (operation.itemIds ?? []).length,
    });
  });
  chooseHtmlForm(signIn, signInAdapterId);
  assertFormRunnable(signIn);
  report.skippedItems.push(...signIn.skipped);
  const records: Awaited<ReturnType<typeof pkcs12KeyRecord>>[] = [];
  for (const { field, item } of keys) {
    try {
      records.push(await pkcs12KeyRecord(context, item));
    } catch (error) {
      throw invalid(
        field,
        `the PKCS#12 file does not open with its password (${(error as Error).message})`,
        error,
      );
    }
  }
  await context.store.transaction(async (repos) => {
    for (const [n, record] of records.entries()) {
      if (await repos.signingKeys.get(record.id)) {
        throw new AppError("CONFIG_NOT_EMPTY", {
          message: `${keys[n]?.field}: this server already has a key pair "${record.id}".`,
        });
      }
      await repos.signingKeys.create(record);
      report.keyPairsImported.push(record.id);
    }
    for (const { at, item } of signIn.dataStores)
      report.dataStoresImported.push(await importDataStore(context, repos, item, at));
    const imported = await importSignIn(context, repos, {
      validators: signIn.validators.map(({ at, item }) => ({ at, document: item })),
      ...(signIn.htmlForm === undefined
        ? {}
        : { form: { at: signIn.htmlForm.at, configuration: signIn.htmlForm.item.configuration } }),
    });
    report.passwordCredentialValidatorsImported.push(...imported.validators);
    if (signIn.htmlForm && imported.htmlForm)
      report.htmlFormAdapterImported = {
        from: signIn.htmlForm.from,
        credentialValidators: imported.htmlForm,
      };
    for (const { field, item } of connections)
      report.spConnectionsImported.push(await importConnection(context, repos, item, field));
  });
  report.channelProblems.push(...(await importedChannelProblems(context, report.spConnectionsImported)));
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "configuration.import",
    { type: "configuration", id: null },
    {
      format: "pingfederate-bulk",
      keyPairs: report.keyPairsImported,
      dataStores: report.dataStoresImported,
      passwordCredentialValidators: report.passwordCredentialValidatorsImported,
      htmlFormAdapter: report.htmlFormAdapterImported?.credentialValidators ?? null,
      spConnections: report.spConnectionsImported,
    },
  );
  return report;
};
