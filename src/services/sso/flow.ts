import type { AuthenticationSource, ConnectionRecord } from "../../domain/ports.ts";
import type { SpConnection } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { errorPost } from "./error-post.ts";
import { type IssuedResponse, issueResponse } from "./issue-response.ts";
import { signIn } from "./login.ts";
import { openPending, type PendingSso, sealPending } from "./resume.ts";
import {
  addParticipant,
  type LiveSession,
  resumeSession,
  sessionIndexFor,
  startSession,
} from "./sessions.ts";

/** What the runtime shows the browser next. */
export type SsoOutcome =
  | {
      kind: "post";
      action: string;
      fields: { SAMLResponse: string; RelayState?: string | undefined };
      session: LiveSession;
    }
  | {
      /** A SAML error Response to a trusted ACS; no session is set. */
      kind: "post-error";
      action: string;
      code: string;
      fields: { SAMLResponse: string; RelayState?: string | undefined };
    }
  | {
      kind: "login";
      resume: string;
      partnerName?: string | undefined;
      error?: string | undefined;
      username?: string;
    }
  | { kind: "signed-in"; session: LiveSession };

export type ActiveConnection = SpConnection & { id: string };

/** The connection for an SP entity ID, when it may do browser SSO with this profile. */
export const connectionForSso = async (
  context: ServiceContext,
  entityId: string,
  profile: "IDP_INITIATED_SSO" | "SP_INITIATED_SSO" | "IDP_INITIATED_SLO" | "SP_INITIATED_SLO",
): Promise<ActiveConnection> => {
  const record: ConnectionRecord | undefined = await context.store.connections.getByEntityId(entityId);
  if (!record)
    throw new AppError("SAML_SP_UNKNOWN", { message: `No SP connection has the entity ID ${entityId}.` });
  if (!record.active)
    throw new AppError("SAML_SP_INACTIVE", { message: `The connection "${record.name}" is not active.` });
  const sso = record.document.spBrowserSso;
  if (!sso?.enabledProfiles.includes(profile)) {
    throw new AppError("SAML_PROFILE_DISABLED", {
      message: `The connection "${record.name}" does not allow ${profile}.`,
    });
  }
  return { ...record.document, id: record.id };
};

export const defaultAcs = (connection: SpConnection): { url: string; index: number } => {
  const endpoints = (connection.spBrowserSso?.ssoServiceEndpoints ?? []).filter((e) => e.binding === "POST");
  const chosen = endpoints.find((e) => e.isDefault === true) ?? endpoints[0];
  if (!chosen)
    throw new AppError("SAML_ACS_UNKNOWN", {
      message: "The connection has no HTTP-POST Assertion Consumer Service.",
    });
  return { url: absoluteUrl(connection, chosen.url), index: chosen.index };
};

/** Endpoint URLs may be paths relative to the connection's baseUrl (PingFederate allows it). */
export const absoluteUrl = (connection: SpConnection, url: string): string =>
  url.startsWith("/") && connection.baseUrl ? `${connection.baseUrl.replace(/\/+$/, "")}${url}` : url;

/** A stored connection that is still active (the sign-in form may have taken a while). */
const activeConnection = async (context: ServiceContext, id: string): Promise<ActiveConnection> => {
  const record = await context.store.connections.get(id);
  if (!record?.active)
    throw new AppError("SAML_SP_INACTIVE", { message: "The connection is no longer active." });
  return { ...record.document, id: record.id };
};

/** Issues the assertion for a signed-in session and records the SP for single logout. */
export const completeSso = async (
  context: ServiceContext,
  source: AuthenticationSource,
  pending: Omit<PendingSso, "expires">,
  session: LiveSession,
  /** The connection when the caller has just loaded and checked it; read again otherwise. */
  loaded?: ActiveConnection,
): Promise<SsoOutcome> => {
  const connection = loaded ?? (await activeConnection(context, pending.connectionId));
  const subject = await source.lookup(session.uid);
  if (!subject) {
    // The account was disabled or removed since the session began: sign in again.
    await context.store.ssoSessions.delete(session.id);
    return { kind: "login", resume: sealPending(context, pending), partnerName: connection.name };
  }
  let issued: IssuedResponse;
  try {
    issued = await issueResponse(context, {
      connection,
      subject,
      acsUrl: pending.acsUrl,
      inResponseTo: pending.requestId,
      authnInstant: new Date(session.authnInstant),
      sessionIndex: sessionIndexFor(session.id, connection.id),
      requestedNameIdFormat: pending.requestedNameIdFormat,
    });
  } catch (error) {
    // saml-core §3.4.1.1: a NameIDPolicy this user cannot be given (emailAddress without an email
    // address) is answered at the ACS with InvalidNameIDPolicy, as one the connection never issues.
    if (error instanceof AppError && error.code === "SAML_NAMEID_POLICY_UNSUPPORTED") {
      return errorPost(context, connection, pending.acsUrl, pending.requestId, pending.relayState, error);
    }
    throw error;
  }
  const updated = await addParticipant(context, session, issued.participant);
  return {
    kind: "post",
    action: pending.acsUrl,
    fields: { SAMLResponse: Buffer.from(issued.xml).toString("base64"), RelayState: pending.relayState },
    session: updated,
  };
};

/** Continues to the SP when a session exists (and no fresh sign-in is demanded), else asks to sign in. */
export const continueOrSignIn = async (
  context: ServiceContext,
  source: AuthenticationSource,
  pending: Omit<PendingSso, "expires">,
  sessionToken: string | undefined,
  connection: ActiveConnection,
): Promise<SsoOutcome> => {
  const session = await resumeSession(context, sessionToken);
  if (session && pending.forceAuthn !== true)
    return completeSso(context, source, pending, session, connection);
  return { kind: "login", resume: sealPending(context, pending), partnerName: connection.name };
};

/** `GET /idp/startSSO.ping?PartnerSpId=…[&TargetResource=…]`: IdP-initiated SSO. */
export const startIdpInitiated = async (
  context: ServiceContext,
  source: AuthenticationSource,
  input: {
    partnerSpId: string | undefined;
    targetResource: string | undefined;
    sessionToken: string | undefined;
  },
): Promise<SsoOutcome> => {
  if (input.partnerSpId === undefined || input.partnerSpId === "") {
    throw new AppError("SAML_MESSAGE_INVALID", {
      message: "PartnerSpId is missing: which application should you go to?",
    });
  }
  if (input.targetResource !== undefined && input.targetResource.length > 2048) {
    throw new AppError("SAML_MESSAGE_INVALID", { message: "TargetResource is longer than 2048 characters." });
  }
  const connection = await connectionForSso(context, input.partnerSpId, "IDP_INITIATED_SSO");
  const acs = defaultAcs(connection);
  return continueOrSignIn(
    context,
    source,
    { connectionId: connection.id, acsUrl: acs.url, relayState: input.targetResource },
    input.sessionToken,
    connection,
  );
};

/** The sign-in form's POST: checks the password, starts a session, and resumes the SSO request. */
export const submitSignIn = async (
  context: ServiceContext,
  source: AuthenticationSource,
  input: { resume: string | undefined; username: string; password: string; address: string },
): Promise<SsoOutcome> => {
  const pending = openPending(context, input.resume);
  if (input.resume !== undefined && input.resume !== "" && !pending) throw new AppError("LOGIN_EXPIRED");
  let subject: Awaited<ReturnType<typeof signIn>>;
  try {
    subject = await signIn(context, source, input.username, input.password, input.address);
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === "LOGIN_INVALID_CREDENTIALS" || error.code === "LOGIN_THROTTLED")
    ) {
      const partner = pending ? await context.store.connections.get(pending.connectionId) : undefined;
      return {
        kind: "login",
        resume: input.resume ?? "",
        partnerName: partner?.name,
        error: error.message,
        username: input.username,
      };
    }
    throw error;
  }
  const session = await startSession(context, subject.uid);
  if (!pending) return { kind: "signed-in", session };
  return completeSso(context, source, pending, session);
};
