import { randomBytes } from "node:crypto";
import { constantTimeEqual, hashToken } from "../../crypto/tokens.ts";
import type { ConsoleSession } from "../../domain/console-sessions.ts";
import { AppError } from "../../lib/errors.ts";
import { type Principal, verifyAdminPassword } from "../admin-auth.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";

/**
 * Admin console sessions. Signing in checks the password exactly as the admin API's HTTP Basic
 * does (same throttle, same audit of failures). The browser holds a random token; the database
 * holds its hash, the session's form token (CSRF) and its times. A session ends on sign-out, after
 * `idleMs` without a request, after `lifetimeMs` in all, and when its account's password changes
 * or the account is deleted. The role is read from the account on every request.
 */
export const consoleSessionPolicy = {
  /** PingFederate's console times out after 30 idle minutes by default. */
  idleMs: 30 * 60_000,
  lifetimeMs: 12 * 60 * 60_000,
  /** lastSeenAt is written at most this often, to spare a write on every page. */
  touchEveryMs: 60_000,
} as const;

export type ConsoleSignIn = { readonly token: string; readonly principal: Principal };

export type ResumedSession = {
  readonly session: ConsoleSession;
  readonly principal: Principal;
};

const newSecret = (): string => randomBytes(32).toString("base64url");

export const consoleSignIn = async (
  context: ServiceContext,
  input: { username: string; password: string; address: string },
): Promise<ConsoleSignIn> => {
  const principal = await verifyAdminPassword(context, input.username, input.password, input.address);
  const token = newSecret();
  const now = context.clock.now();
  await context.store.consoleSessions.create({
    id: hashToken(token),
    username: principal.name,
    csrfToken: newSecret(),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + consoleSessionPolicy.lifetimeMs).toISOString(),
  });
  await recordAudit(context.store.auditLog, context.clock, principal, "console.signIn", {
    type: "adminAccount",
    id: principal.name,
  });
  return { token, principal };
};

/**
 * The session a cookie names, when it is still alive; undefined otherwise (and it is deleted).
 * A request the page makes by itself (`activity: false`, a status poll) does not count as the
 * admin's activity, so a dashboard left open still ends its session after the idle time.
 */
export const resumeConsoleSession = async (
  context: ServiceContext,
  token: string | undefined,
  options: { readonly activity?: boolean } = {},
): Promise<ResumedSession | undefined> => {
  if (token === undefined || token.length < 20 || token.length > 100) return undefined;
  const id = hashToken(token);
  const session = await context.store.consoleSessions.get(id);
  if (!session) return undefined;
  const now = context.clock.now().getTime();
  const idle = now - new Date(session.lastSeenAt).getTime() > consoleSessionPolicy.idleMs;
  const account = await context.store.adminAccounts.get(session.username);
  if (idle || now >= new Date(session.expiresAt).getTime() || !account) {
    await context.store.consoleSessions.delete(id);
    return undefined;
  }
  if (
    options.activity !== false &&
    now - new Date(session.lastSeenAt).getTime() >= consoleSessionPolicy.touchEveryMs
  )
    await context.store.consoleSessions.touch(id, new Date(now).toISOString());
  return { session, principal: { name: account.username, kind: "admin", role: account.role } };
};

/** Refuses a state-changing form whose token is not the session's own. */
export const checkFormToken = (session: ConsoleSession, sent: string | undefined): void => {
  if (sent === undefined || !constantTimeEqual(sent, session.csrfToken))
    throw new AppError("CONSOLE_FORM_EXPIRED");
};

export const consoleSignOut = async (context: ServiceContext, resumed: ResumedSession): Promise<void> => {
  await context.store.consoleSessions.delete(resumed.session.id);
  await recordAudit(context.store.auditLog, context.clock, resumed.principal, "console.signOut", {
    type: "adminAccount",
    id: resumed.principal.name,
  });
};
