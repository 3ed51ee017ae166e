import { unsupportedErrors } from "../domain/pf-unsupported.ts";
import type { ConnectionRecord, Repositories } from "../domain/ports.ts";
import { stripLocations } from "../domain/references.ts";
import type { SpConnection } from "../domain/sp-connection.ts";
import { invariantErrors, parseCertificate, shapeErrors } from "../domain/validate-sp-connection.ts";
import { AppError, type ErrorDetail } from "../lib/errors.ts";
import { recordAudit } from "./audit.ts";
import { sealSecrets, withSecretsSealed } from "./connection-secrets.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { forgetChannels, fullPassAfterConfigChange, removedChannels } from "./provisioning/config-change.ts";
import { channelDocumentErrors, checkActiveChannels } from "./provisioning/fields.ts";
import { targetSettingsErrors } from "./provisioning/target-settings.ts";
import { jitContractErrors } from "./salesforce-jit.ts";
import { ldapSourceReferenceErrors } from "./sso/attribute-sources.ts";
import { expressionSourceErrors } from "./sso/expression-sources.ts";

/** The SSO Application Endpoint: the IdP-initiated URL the admin pastes into Salesforce. */
export const ssoApplicationEndpoint = (baseUrl: string, entityId: string): string =>
  `${baseUrl}/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(entityId)}`;

const failValidation = (details: ErrorDetail[]): never => {
  const first = details[0];
  throw new AppError("CONN_INVALID", {
    message: first
      ? `${first.field}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ""}`
      : undefined,
    details,
  });
};

/** Drops the read-only fields a client may echo back; the server computes them. */
const withoutReadOnly = (input: SpConnection): SpConnection => {
  const { creationDate: _c, modificationDate: _m, replicationStatus: _r, ...rest } = input;
  const copy: SpConnection = structuredClone(rest);
  if (copy.spBrowserSso) delete copy.spBrowserSso.ssoApplicationEndpoint;
  for (const cert of copy.credentials?.certs ?? []) delete cert.certView;
  stripLocations(copy);
  return copy;
};

/** The document as the API shows it: computed read-only fields added, secrets only sealed. */
export const presentConnection = (context: ServiceContext, record: ConnectionRecord): SpConnection => {
  const document = withSecretsSealed(context, record.document);
  document.creationDate = record.createdAt;
  document.modificationDate = record.updatedAt;
  if (document.spBrowserSso) {
    document.spBrowserSso.ssoApplicationEndpoint = ssoApplicationEndpoint(context.baseUrl, document.entityId);
  }
  for (const cert of document.credentials?.certs ?? []) {
    const parsed = parseCertificate(cert.x509File.fileData);
    if (!parsed) continue;
    cert.certView = {
      subjectDN: parsed.subject.replace(/\n/g, ", "),
      issuerDN: parsed.issuer.replace(/\n/g, ", "),
      serialNumber: parsed.serialNumber,
      sha1Fingerprint: parsed.fingerprint.replace(/:/g, ""),
      sha256Fingerprint: parsed.fingerprint256.replace(/:/g, ""),
      validFrom: new Date(parsed.validFrom).toISOString(),
      expires: new Date(parsed.validTo).toISOString(),
      status: new Date(parsed.validTo) < context.clock.now() ? "EXPIRED" : "VALID",
    };
  }
  return document;
};

/** Checks that need storage: the signing keys exist, and id and entity ID are free. */
const referenceErrors = async (repos: Repositories, connection: SpConnection) => {
  const errors: ErrorDetail[] = [];
  const settings = connection.credentials?.signingSettings;
  if (settings) {
    const key = await repos.signingKeys.get(settings.signingKeyPairRef.id);
    if (!key) {
      errors.push({
        field: "credentials.signingSettings.signingKeyPairRef.id",
        message: `no signing key pair "${settings.signingKeyPairRef.id}"`,
      });
    } else if (settings.algorithm !== undefined) {
      const wants = settings.algorithm.endsWith("ECDSA") ? "EC" : "RSA";
      if (wants !== key.keyAlgorithm) {
        errors.push({
          field: "credentials.signingSettings.algorithm",
          message: `${settings.algorithm} needs an ${wants} key; "${key.id}" is ${key.keyAlgorithm}`,
        });
      }
    }
    for (const [i, ref] of (settings.alternativeSigningKeyPairRefs ?? []).entries()) {
      if (!(await repos.signingKeys.get(ref.id))) {
        errors.push({
          field: `credentials.signingSettings.alternativeSigningKeyPairRefs[${i}].id`,
          message: `no signing key pair "${ref.id}"`,
        });
      }
    }
  }
  return errors;
};

const assertUnique = async (repos: Repositories, connection: SpConnection, selfId: string | undefined) => {
  const holder = await repos.connections.getByEntityId(connection.entityId);
  if (holder && holder.id !== selfId) {
    throw new AppError("CONN_ENTITY_ID_TAKEN", {
      message: `entityId: connection "${holder.name}" (${holder.id}) already uses ${connection.entityId}.`,
      details: [{ field: "entityId", message: "already used by another connection" }],
    });
  }
};

/** Validates and normalizes an incoming document; throws AppError naming the fields. */
export const prepareConnection = async (
  context: ServiceContext,
  repos: Repositories,
  input: unknown,
): Promise<SpConnection> => {
  const shape = shapeErrors(input);
  if (shape.length > 0) failValidation(shape);
  const connection = withoutReadOnly(input as SpConnection);
  connection.type = "SP";
  connection.active ??= false;
  const endpoints = connection.spBrowserSso?.ssoServiceEndpoints;
  // A single endpoint is the default whether or not it says so (PingFederate behaves the same way).
  if (endpoints?.length === 1 && endpoints[0] && endpoints[0].isDefault !== true)
    endpoints[0].isDefault = true;
  const errors = [
    ...invariantErrors(connection),
    ...unsupportedErrors(connection),
    ...(await referenceErrors(repos, connection)),
    ...(await ldapSourceReferenceErrors(repos, connection)),
    ...(await targetSettingsErrors(repos, connection)),
    ...channelDocumentErrors(connection),
    ...expressionSourceErrors(connection),
  ];
  const jit = jitContractErrors(connection);
  if (errors.length > 0) failValidation([...errors, ...jit]);
  if (jit[0] !== undefined) {
    throw new AppError("CONN_JIT_CONTRACT_INCOMPLETE", {
      message: `${jit[0].field}: ${jit[0].message}`,
      details: jit,
    });
  }
  sealSecrets(context, connection);
  return connection;
};

export const listConnections = async (
  context: ServiceContext,
  filter: { entityId?: string | undefined; filter?: string | undefined } = {},
): Promise<SpConnection[]> => {
  const needle = filter.filter?.toLowerCase();
  return (await context.store.connections.list())
    .filter((r) => filter.entityId === undefined || r.entityId === filter.entityId)
    .filter(
      (r) =>
        needle === undefined ||
        r.name.toLowerCase().includes(needle) ||
        r.entityId.toLowerCase().includes(needle),
    )
    .map((r) => presentConnection(context, r));
};

export const getConnection = async (context: ServiceContext, id: string): Promise<SpConnection> => {
  const record = await context.store.connections.get(id);
  if (!record) throw new AppError("CONN_NOT_FOUND", { message: `No SP connection with id "${id}".` });
  return presentConnection(context, record);
};

/** Writes a prepared connection inside `repos` (a transaction or the store). */
export const insertConnection = async (
  context: ServiceContext,
  repos: Repositories,
  connection: SpConnection,
): Promise<ConnectionRecord> => {
  const id = connection.id ?? context.ids.next("sp-");
  if (await repos.connections.get(id)) {
    throw new AppError("CONN_ID_TAKEN", {
      message: `id: a connection with id "${id}" already exists.`,
      details: [{ field: "id", message: "already exists" }],
    });
  }
  await assertUnique(repos, connection, undefined);
  const now = context.clock.now().toISOString();
  const record: ConnectionRecord = {
    id,
    entityId: connection.entityId,
    name: connection.name,
    active: connection.active === true,
    document: { ...connection, id },
    createdAt: now,
    updatedAt: now,
  };
  await repos.connections.create(record);
  return record;
};

export const createConnection = async (
  context: ServiceContext,
  actor: Actor,
  input: unknown,
): Promise<SpConnection> => {
  const record = await context.store.transaction(async (repos) => {
    const connection = await prepareConnection(context, repos, input);
    return insertConnection(context, repos, connection);
  });
  await checkActiveChannels(context, record, async () => {
    await context.store.connections.delete(record.id);
  });
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "spConnection.create",
    {
      type: "spConnection",
      id: record.id,
    },
    { entityId: record.entityId, name: record.name },
  );
  return presentConnection(context, record);
};

/** PUT semantics: the document replaces the stored one; echoed encryptedValues keep their secrets. */
export const updateConnection = async (
  context: ServiceContext,
  actor: Actor,
  id: string,
  input: unknown,
): Promise<SpConnection> => {
  let previous: ConnectionRecord | undefined;
  const record = await context.store.transaction(async (repos) => {
    const existing = await repos.connections.get(id);
    previous = existing;
    if (!existing) throw new AppError("CONN_NOT_FOUND", { message: `No SP connection with id "${id}".` });
    const inputId = (input as { id?: unknown } | null)?.id;
    if (inputId !== undefined && inputId !== id) {
      throw new AppError("CONN_INVALID", {
        message: `id: the body's id "${String(inputId)}" differs from the path's "${id}".`,
        details: [{ field: "id", message: "differs from the path" }],
      });
    }
    const connection = await prepareConnection(context, repos, input);
    await assertUnique(repos, connection, id);
    const updated: ConnectionRecord = {
      ...existing,
      entityId: connection.entityId,
      name: connection.name,
      active: connection.active === true,
      document: { ...connection, id },
      updatedAt: context.clock.now().toISOString(),
    };
    await repos.connections.update(updated);
    return updated;
  });
  await checkActiveChannels(context, record, async () => {
    if (previous) await context.store.connections.update(previous);
  });
  await fullPassAfterConfigChange(context, id, previous?.document, record.document);
  await forgetChannels(context, id, removedChannels(previous?.document, record.document));
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "spConnection.update",
    {
      type: "spConnection",
      id,
    },
    { entityId: record.entityId, name: record.name, active: record.active },
  );
  return presentConnection(context, record);
};

export const deleteConnection = async (context: ServiceContext, actor: Actor, id: string): Promise<void> => {
  const record = await context.store.connections.get(id);
  if (!record) throw new AppError("CONN_NOT_FOUND", { message: `No SP connection with id "${id}".` });
  if (record.active) {
    throw new AppError("CONN_ACTIVE", {
      message: `Connection "${record.name}" is active; deactivate it before deleting it.`,
    });
  }
  await context.store.connections.delete(id);
  const states = (await context.store.provisioning.listChannels()).filter((c) => c.connectionId === id);
  await forgetChannels(context, id, [
    ...new Set([
      ...(record.document.outboundProvision?.channels ?? []).map((c) => c.name),
      ...states.map((c) => c.channel),
    ]),
  ]);
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "spConnection.delete",
    { type: "spConnection", id },
    {
      entityId: record.entityId,
    },
  );
};
