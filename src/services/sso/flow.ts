import type { AuthenticationSource, ConnectionRecord } from "../../domain/ports.ts";
import { type SpConnection, type SsoProfile, ssoProfileInWords } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { errorPost } from "./error-post.ts";
import { type IssuedResponse, issueResponse } from "./issue-response.ts";
import { signIn } from "./login.ts";
import {
  loginFormCounter,
  newLoginToken,
  openLoginForm,
  type PendingSso,
  sealLoginForm,
  spendLoginForm,
} from "./resume.ts";
import {
  addParticipant,
  type LiveSession,
  resumeSession,
  sessionIndexFor,
  startSession,
} from "./sessions.ts";

import type { ActiveConnection, BrowserCookies, SsoOutcome } from "./types.ts";

export type { ActiveConnection, BrowserCookies, SsoOutcome } from "./types.ts";

/** The sign-in form for a pending request (or none), bound to this browser. */
const signInForm = (
  context: ServiceContext,
  pending: PendingSso | undefined,
  browser: BrowserCookies,
  partnerName?: string,
): SsoOutcome => {
  const loginToken = browser.login ?? newLoginToken();
  return {
    kind: "login",
    connectionId: pending?.connectionId,
    resume: sealLoginForm(context, pending, loginToken),
    loginToken,
    partnerName,
  };
};

/** `GET /idp/login`: the sign-in form without an SSO request behind it. */
export const showSignIn = (context: ServiceContext, browser: BrowserCookies): SsoOutcome =>
  signInForm(context, undefined, browser);

/** The connection for an SP entity ID, when it may do browser SSO with this profile. */
export const connectionForSso = async (
  context: ServiceContext,
  entityId: string,
  profile: SsoProfile,
): Promise<ActiveConnection> => {
  const record: ConnectionRecord | undefined = await context.store.connections.getByEntityId(entityId);
  if (!record)
    throw new AppError("SAML_SP_UNKNOWN", { message: `No SP connection has the entity ID ${entityId}.` });
  if (!record.active)
    throw new AppError("SAML_SP_INACTIVE", { message: `The connection "${record.name}" is not active.` });
  const sso = record.document.spBrowserSso;
  if (!sso?.enabledProfiles.includes(profile)) {
    throw new AppError("SAML_PROFILE_DISABLED", {
      message: `The application "${record.name}" does not allow ${ssoProfileInWords[profile]}.`,
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
  pending: PendingSso,
  session: LiveSession,
  browser: BrowserCookies,
  /** The connection when the caller has just loaded and checked it; read again otherwise. */
  loaded?: ActiveConnection,
): Promise<SsoOutcome> => {
  const connection = loaded ?? (await activeConnection(context, pending.connectionId));
  const subject = await source.lookup(session.uid, session.source);
  if (!subject) {
    // The account was disabled or removed since the session began: sign in again.
    await context.store.ssoSessions.delete(session.id);
    return signInForm(context, pending, browser, connection.name);
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
    connectionId: connection.id,
    action: pending.acsUrl,
    fields: { SAMLResponse: Buffer.from(issued.xml).toString("base64"), RelayState: pending.relayState },
    session: updated,
  };
};

/** Continues to the SP when a session exists (and no fresh sign-in is demanded), else asks to sign in. */
export const continueOrSignIn = async (
  context: ServiceContext,
  source: AuthenticationSource,
  pending: PendingSso,
  browser: BrowserCookies,
  connection: ActiveConnection,
): Promise<SsoOutcome> => {
  const session = await resumeSession(context, browser.session);
  if (session && pending.forceAuthn !== true)
    return completeSso(context, source, pending, session, browser, connection);
  return signInForm(context, pending, browser, connection.name);
};

/** `GET /idp/startSSO.ping?PartnerSpId=…[&TargetResource=…]`: IdP-initiated SSO. */
export const startIdpInitiated = async (
  context: ServiceContext,
  source: AuthenticationSource,
  input: {
    partnerSpId: string | undefined;
    targetResource: string | undefined;
    browser: BrowserCookies;
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
    input.browser,
    connection,
  );
};

/**
 * The sign-in form's POST: opens the form (bound to this browser, not expired, not spent),
 * checks the password under the form's, the account's and the address's counters, spends the
 * form, starts a session, and resumes the SSO request behind it.
 */
export const submitSignIn = async (
  context: ServiceContext,
  source: AuthenticationSource,
  input: {
    resume: string | undefined;
    username: string;
    password: string;
    address: string;
    browser: BrowserCookies;
  },
): Promise<SsoOutcome> => {
  const form = openLoginForm(context, input.resume, input.browser.login);
  let subject: Awaited<ReturnType<typeof signIn>>;
  try {
    subject = await signIn(context, source, {
      username: input.username,
      password: input.password,
      address: input.address,
      form: loginFormCounter(form),
    });
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === "LOGIN_INVALID_CREDENTIALS" ||
        error.code === "LOGIN_THROTTLED" ||
        error.code === "LOGIN_ACCOUNT_UNUSABLE")
    ) {
      const partner = form.sso ? await context.store.connections.get(form.sso.connectionId) : undefined;
      return {
        kind: "login",
        connectionId: form.sso?.connectionId,
        resume: form.sealed,
        loginToken: form.loginToken,
        partnerName: partner?.name,
        error: error.message,
        username: input.username,
      };
    }
    throw error;
  }
  await spendLoginForm(context, form);
  const session = await startSession(context, subject.uid, subject.source);
  if (!form.sso) return { kind: "signed-in", session };
  return completeSso(context, source, form.sso, session, input.browser);
};
