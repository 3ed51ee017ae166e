import { randomBytes } from "node:crypto";
import { type SpConnection, salesforceProvisionerType } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import { createConnection } from "../connections.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { convertMetadata } from "../metadata-convert.ts";
import { addJitContract } from "../salesforce-jit.ts";
import { salesforceDefaultTargetSettings, type TemplateId } from "../salesforce-template.ts";
import { consoleSessionPolicy } from "./sessions.ts";

/**
 * A new connection being built in the console's wizard. Like PingFederate's console, nothing is
 * stored until Save on Activation & Summary: the draft lives in this process, tied to the console
 * session that started it, and ends with it (sign-out, the idle timeout) or when it is saved.
 * A restart loses drafts, as PingFederate's loses its wizard; nothing half-done reaches the store.
 */
export type ConnectionDraft = {
  readonly id: string;
  readonly sessionId: string;
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
  touchedAt: number;
};

/** At most this many drafts per session: starting another drops the oldest. */
const perSession = 5;

const stores = new WeakMap<object, Map<string, ConnectionDraft>>();

const draftsOf = (context: ServiceContext): Map<string, ConnectionDraft> => {
  let drafts = stores.get(context.store);
  if (!drafts) {
    drafts = new Map();
    stores.set(context.store, drafts);
  }
  const now = context.clock.now().getTime();
  for (const [id, draft] of drafts) {
    if (now - draft.touchedAt > consoleSessionPolicy.idleMs) drafts.delete(id);
  }
  return drafts;
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
  const drafts = draftsOf(context);
  const mine = [...drafts.values()].filter((d) => d.sessionId === sessionId);
  for (const old of mine
    .sort((a, b) => a.touchedAt - b.touchedAt)
    .slice(0, Math.max(0, mine.length - perSession + 1)))
    drafts.delete(old.id);
  const draft: ConnectionDraft = {
    id: randomBytes(12).toString("base64url"),
    sessionId,
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
    touchedAt: context.clock.now().getTime(),
  };
  drafts.set(draft.id, draft);
  return draft;
};

/** The session's draft; another session's, an expired or a saved one is not found. */
export const getDraft = (context: ServiceContext, sessionId: string, id: string): ConnectionDraft => {
  const draft = draftsOf(context).get(id);
  if (!draft || draft.sessionId !== sessionId) throw new AppError("CONSOLE_DRAFT_NOT_FOUND");
  draft.touchedAt = context.clock.now().getTime();
  return draft;
};

export const discardDraft = (context: ServiceContext, sessionId: string, id: string): void => {
  const drafts = draftsOf(context);
  if (drafts.get(id)?.sessionId === sessionId) drafts.delete(id);
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
  draftsOf(context).delete(draft.id);
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
