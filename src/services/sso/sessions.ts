import { createHash, randomBytes } from "node:crypto";
import type { SessionParticipant, SsoSession } from "../../domain/ports.ts";
import type { ServiceContext } from "../context.ts";

/** The cookie holds a random token; the database only its hash, so a leaked table opens no session. */
const sessionId = (token: string) => createHash("sha256").update(token).digest("base64url");

export type LiveSession = SsoSession & { readonly token: string };

export const startSession = async (
  context: ServiceContext,
  uid: string,
  /** The credential validator that signed the user in; absent: the built-in directory. */
  source?: string,
): Promise<LiveSession> => {
  const now = context.clock.now();
  const token = randomBytes(32).toString("base64url");
  const session: SsoSession = {
    id: sessionId(token),
    uid,
    authnInstant: now.toISOString(),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + context.sso.sessionLifetimeMinutes * 60_000).toISOString(),
    participants: [],
    ...(source === undefined ? {} : { source }),
  };
  await context.store.ssoSessions.create(session);
  return { ...session, token };
};

/**
 * The session a cookie token names, when it has neither expired nor idled out. Using it moves
 * its idle clock.
 */
export const resumeSession = async (
  context: ServiceContext,
  token: string | undefined,
): Promise<LiveSession | undefined> => {
  if (token === undefined || token === "" || token.length > 256) return undefined;
  const session = await context.store.ssoSessions.get(sessionId(token));
  if (!session) return undefined;
  const now = context.clock.now();
  const idleLimit = new Date(session.lastSeenAt).getTime() + context.sso.sessionIdleMinutes * 60_000;
  if (new Date(session.expiresAt) <= now || idleLimit <= now.getTime()) {
    await context.store.ssoSessions.delete(session.id);
    return undefined;
  }
  // The idle clock moves in steps of a minute: one write a minute, not one per request.
  if (now.getTime() - new Date(session.lastSeenAt).getTime() < touchStepMs) return { ...session, token };
  const touched = { ...session, lastSeenAt: now.toISOString() };
  await context.store.ssoSessions.update(touched);
  return { ...touched, token };
};

const touchStepMs = 60_000;

/** Records that an SP received an assertion in this session, for single logout. */
export const addParticipant = async (
  context: ServiceContext,
  session: LiveSession,
  participant: SessionParticipant,
): Promise<LiveSession> => {
  const known = session.participants.find((p) => p.connectionId === participant.connectionId);
  if (
    known?.nameId === participant.nameId &&
    known.nameIdFormat === participant.nameIdFormat &&
    known.sessionIndex === participant.sessionIndex
  ) {
    return session;
  }
  const others = session.participants.filter((p) => p.connectionId !== participant.connectionId);
  const updated = { ...session, participants: [...others, participant] };
  await context.store.ssoSessions.update(updated);
  return updated;
};

export const endSession = async (context: ServiceContext, session: SsoSession): Promise<void> => {
  await context.store.ssoSessions.delete(session.id);
};

/** Finds the session a LogoutRequest from an SP refers to, by its SessionIndex. */
export const sessionIndexFor = (sessionIdValue: string, connectionId: string): string =>
  `_${createHash("sha256").update(`${sessionIdValue}\u0000${connectionId}`).digest("hex").slice(0, 40)}`;
