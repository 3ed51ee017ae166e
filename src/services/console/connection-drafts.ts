import { randomBytes } from "node:crypto";
import type { ConsoleDraftRecord } from "../../domain/console-sessions.ts";
import { type SpConnection, salesforceProvisionerType } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import { withSecretsSealed } from "../connection-secrets.ts";
import { createConnection } from "../connections.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { convertMetadata } from "../metadata-convert.ts";
import { addJitContract } from "../salesforce-jit.ts";
import { salesforceDefaultTargetSettings, type TemplateId } from "../salesforce-template.ts";
import { consoleSessionPolicy } from "./sessions.ts";

/**
 * A new connection being built in the console's wizard. Like PingFederate's console, nothing is
 * a connection until Save on Activation & Summary. Between steps the draft is kept in the
 * database (so the next step may land on any node of a cluster, and a restart keeps it), tied to
 * the console session that started it: it ends with the session (sign-out, the idle timeout),
 * after `consoleSessionPolicy.idleMs` untouched, or when it is saved. Its secrets are sealed as a
 * stored connection's are.
 */
export type ConnectionDraft = {
  readonly id: string;
  readonly sessionId: string;
  readonly createdAt: string;
  /** Whether the admin chose a template (else the metadata is imported with plain SAML defaults). */
  readonly usesTemplate: boolean;
  readonly templateId: TemplateId;
  readonly metadata: {
    readonly signatureStatus: "SIGNED" | "UNSIGNED";
    readonly certSubjectDn: string | null;
    readonly certExpiration: string | null;
    readonly warnings: readonly string[];
  };
  /** The working document; each tab edits its part. */
  connection: SpConnection;
  /** Connection Type: which roles the connection has. */
  browserSso: boolean;
  outboundProvisioning: boolean;
  /** The tabs the admin has completed (by their slugs); a tab opens once those before it are. */
  completed: Set<string>;
};

/** What the store keeps of a draft: everything but its keys, as JSON. */
type DraftState = Omit<ConnectionDraft, "id" | "sessionId" | "createdAt" | "completed"> & {
  readonly completed: readonly string[];
};

/** At most this many drafts per session: starting another drops the least recently used. */
const perSession = 5;

const recordOf = (context: ServiceContext, draft: ConnectionDraft) => {
  const { id, sessionId, createdAt, completed, connection, ...rest } = draft;
  const state: DraftState = {
    ...rest,
    // A secret typed into the draft is sealed before it is stored, under the same context a saved
    // connection's is, so that Save keeps it as an encryptedValue this server issued.
    connection: withSecretsSealed(context, connection),
    completed: [...completed],
  };
  return {
    id,
    sessionId,
    createdAt,
    state: JSON.stringify(state),
    touchedAt: context.clock.now().toISOString(),
  };
};

const draftOf = (record: ConsoleDraftRecord): ConnectionDraft => {
  const state = JSON.parse(record.state) as DraftState;
  return {
    ...state,
    id: record.id,
    sessionId: record.sessionId,
    createdAt: record.createdAt,
    completed: new Set(state.completed),
  };
};

/**
 * Connection Template: the uploaded SP metadata through the same conversion as
 * `POST /connectionMetadata/convert`. A file that is not usable metadata throws its SAML_METADATA_*
 * error, whose message says why.
 */
export const startDraft = async (
  context: ServiceContext,
  sessionId: string,
  input: { usesTemplate: boolean; templateId: TemplateId; metadata: Buffer },
): Promise<ConnectionDraft> => {
  const templateId = input.usesTemplate ? input.templateId : "standard-saml-sp";
  const converted = await convertMetadata(context, {
    connectionType: "SP",
    samlMetadata: input.metadata.toString("base64"),
    templateId,
  });
  const connection = structuredClone(converted.connection);
  if (connection.spBrowserSso) delete connection.spBrowserSso.ssoApplicationEndpoint;
  for (const cert of connection.credentials?.certs ?? []) delete cert.certView;
  const mine = await context.store.consoleDrafts.listForSession(sessionId);
  for (const old of mine.slice(0, Math.max(0, mine.length - perSession + 1)))
    await context.store.consoleDrafts.delete(old.id);
  const draft: ConnectionDraft = {
    id: randomBytes(12).toString("base64url"),
    sessionId,
    createdAt: context.clock.now().toISOString(),
    usesTemplate: input.usesTemplate,
    templateId,
    metadata: {
      signatureStatus: converted.signatureStatus,
      certSubjectDn: converted.certSubjectDn,
      certExpiration: converted.certExpiration,
      warnings: converted.warnings,
    },
    connection,
    browserSso: connection.spBrowserSso !== undefined,
    outboundProvisioning: connection.outboundProvision !== undefined,
    completed: new Set(["template"]),
  };
  await context.store.consoleDrafts.create(recordOf(context, draft));
  return draft;
};

/** The session's draft; another session's, an expired or a saved one is not found. */
export const getDraft = async (
  context: ServiceContext,
  sessionId: string,
  id: string,
): Promise<ConnectionDraft> => {
  const record = await context.store.consoleDrafts.get(id);
  if (!record || record.sessionId !== sessionId) throw new AppError("CONSOLE_DRAFT_NOT_FOUND");
  const now = context.clock.now().getTime();
  const idle = now - new Date(record.touchedAt).getTime();
  if (idle > consoleSessionPolicy.idleMs) {
    await context.store.consoleDrafts.delete(id);
    throw new AppError("CONSOLE_DRAFT_NOT_FOUND");
  }
  if (idle >= consoleSessionPolicy.touchEveryMs)
    await context.store.consoleDrafts.touch(id, new Date(now).toISOString());
  return draftOf(record);
};

/** Stores what a step changed in the draft; a draft that ended meanwhile is not found. */
export const keepDraft = async (context: ServiceContext, draft: ConnectionDraft): Promise<void> => {
  if (!(await context.store.consoleDrafts.update(recordOf(context, draft))))
    throw new AppError("CONSOLE_DRAFT_NOT_FOUND");
};

/** The document the draft would save: only the roles chosen on Connection Type. */
export const draftDocument = (draft: ConnectionDraft, active: boolean): SpConnection => {
  const document = structuredClone(draft.connection);
  document.active = active;
  if (!draft.browserSso) delete document.spBrowserSso;
  if (!draft.outboundProvisioning) delete document.outboundProvision;
  else if (!document.outboundProvision) {
    document.outboundProvision = {
      type: salesforceProvisionerType,
      targetSettings: salesforceDefaultTargetSettings.map((s) => ({ ...s })),
      channels: [],
    };
  }
  if (draft.outboundProvisioning) document.connectionTargetType = "SALESFORCE";
  return document;
};

/**
 * Save on Activation & Summary: the whole document through the admin API's create, with every
 * check it makes; the draft ends only when the connection is stored.
 */
export const saveDraft = async (
  context: ServiceContext,
  actor: Actor,
  draft: ConnectionDraft,
  active: boolean,
): Promise<SpConnection> => {
  const created = await createConnection(context, actor, draftDocument(draft, active));
  await context.store.consoleDrafts.delete(draft.id);
  return created;
};

const isJitName = (name: string) => /^(User|Contact|Account)\./.test(name);

/** Connection Options: the profile Salesforce's Just-in-Time provisioning gives new users, if on. */
export const draftJitProfile = (draft: ConnectionDraft): string | undefined => {
  const mapping = draft.connection.spBrowserSso?.adapterMappings[0];
  return mapping?.attributeContractFulfillment["User.ProfileId"]?.value;
};

/**
 * Turns Salesforce JIT on (the template's contract, as `convert` adds with `jit`) or off (its
 * `User.*`, `Contact.*` and `Account.*` attributes removed). Returns why it could not be added.
 */
export const setDraftJit = (draft: ConnectionDraft, profile: string | undefined): string | undefined => {
  const sso = draft.connection.spBrowserSso;
  if (!sso) return undefined;
  const mappings = sso.adapterMappings;
  if (profile === undefined) {
    sso.attributeContract.extendedAttributes = (sso.attributeContract.extendedAttributes ?? []).filter(
      (a) => !isJitName(a.name),
    );
    for (const m of mappings) {
      for (const name of Object.keys(m.attributeContractFulfillment))
        if (isJitName(name)) delete m.attributeContractFulfillment[name];
    }
    return undefined;
  }
  const current = mappings[0]?.attributeContractFulfillment["User.ProfileId"];
  if (current) {
    current.value = profile;
    return undefined;
  }
  return addJitContract(draft.connection, { profile });
};
