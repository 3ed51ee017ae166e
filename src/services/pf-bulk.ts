import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { fieldName } from "../domain/validate-sp-connection.ts";
import { AppError } from "../lib/errors.ts";
import { recordAudit } from "./audit.ts";
import { insertConnection, prepareConnection, presentConnection } from "./connections.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { pkcs12KeyRecord } from "./keys.ts";
import { importedChannelProblems } from "./provisioning/fields.ts";

/**
 * PingFederate's bulk configuration document (`GET /bulk/export`, `POST /bulk/import`): a list of
 * operations, each saving items of one resource type. Portico imports the SP connections and
 * signing key pairs it carries and reports every other operation as skipped; it exports its SP
 * connections in the same shape. Portico's own, complete bundle (keys sealed under the master
 * key) lives at `/portico/config/export|import` (config-bundle.ts).
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

export const exportPingFederateBulk = async (context: ServiceContext): Promise<PfBulkDocument> => {
  const connections = await context.store.connections.list();
  return {
    metadata: { pfVersion: modelledPfVersion },
    operations: [
      {
        operationType: "SAVE",
        items: connections.map((r) => {
          const { creationDate: _c, modificationDate: _m, ...document } = presentConnection(context, r);
          return document;
        }),
        resourceType: "/idp/spConnections",
      },
    ],
  };
};

export type PfBulkReport = {
  keyPairsImported: string[];
  spConnectionsImported: string[];
  /** The operations Portico does not import: what they were and how many items they held. */
  skipped: {
    operation: number;
    resourceType: string;
    subResource?: string;
    operationType: string;
    items: number;
  }[];
  channelProblems: { spConnection: string; field: string; message: string }[];
};

const invalid = (field: string, message: string, cause?: unknown): AppError =>
  new AppError("CONFIG_BUNDLE_INVALID", {
    message: `${field}: ${message}`,
    details: [{ field, message }],
    cause,
  });

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

/**
 * Imports a PingFederate bulk document in one transaction: its signing key pairs (PKCS#12 with
 * password) and SP connections, all of them or none; any other operation is reported as skipped.
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
    spConnectionsImported: [],
    skipped: [],
    channelProblems: [],
  };
  const keys: { field: string; item: KeyItem }[] = [];
  const connections: { field: string; item: unknown }[] = [];
  document.operations.forEach((operation, i) => {
    const items = operation.items ?? [];
    const kind = operation.subResource === undefined ? operation.resourceType : undefined;
    if (operation.operationType === "SAVE" && kind === "/keyPairs/signing") {
      items.forEach((item, j) => {
        const field = `operations[${i}].items[${j}]`;
        keys.push({ field, item: keyItem(item, field) });
      });
    } else if (operation.operationType === "SAVE" && kind === "/idp/spConnections") {
      items.forEach((item, j) => {
        connections.push({ field: `operations[${i}].items[${j}]`, item });
      });
    } else {
      report.skipped.push({
        operation: i,
        resourceType: operation.resourceType,
        ...(operation.subResource === undefined ? {} : { subResource: operation.subResource }),
        operationType: operation.operationType,
        items: items.length + (operation.itemIds ?? []).length,
      });
    }
  });
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
    for (const { field, item } of connections) {
      try {
        const record = await insertConnection(context, repos, await prepareConnection(context, repos, item));
        report.spConnectionsImported.push(record.id);
      } catch (error) {
        if (!(error instanceof AppError) || !error.code.startsWith("CONN_")) throw error;
        const taken = error.code === "CONN_ID_TAKEN" || error.code === "CONN_ENTITY_ID_TAKEN";
        throw new AppError(taken ? "CONFIG_NOT_EMPTY" : "CONFIG_BUNDLE_INVALID", {
          message: `${field}.${error.message}`,
          details: error.details.map((d) => ({ ...d, field: `${field}.${d.field ?? ""}` })),
          cause: error,
        });
      }
    }
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
      spConnections: report.spConnectionsImported,
    },
  );
  return report;
};
