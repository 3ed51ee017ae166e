import { createHash } from "node:crypto";
import { verifyPasswordOrDecoy } from "../crypto/password.ts";
import { hashToken } from "../crypto/tokens.ts";
import { AppError } from "../lib/errors.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { recordSignInFailure } from "./sign-in-audit.ts";
import { minutesUntil, signInCounters, throttledCheck } from "./throttle.ts";

export type Principal = Actor & { readonly role: "ADMIN" | "AUDITOR" };

/**
 * A short-lived memo of verified Basic credentials, so a CLI run of many calls does not pay
 * scrypt on every request. Keyed by a hash of the credentials and of the stored password hash,
 * which is read on every request: a password changed on any node of a cluster changes the key,
 * so the old password stops working everywhere at once. Never holds the password.
 */
const verified = new Map<string, number>();
const memoMs = 60_000;

const memoKey = (username: string, password: string, storedHash: string) =>
  createHash("sha256").update(`${username}\u0000${password}\u0000${storedHash}`).digest("base64");

const throttled = (until: Date, now: Date) => {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError("AUTH_THROTTLED", {
    message: `Too many failed sign-in attempts; try again in ${minutesUntil(until, now)} minute(s).`,
    details: [{ field: "retryAfterSeconds", message: String(seconds) }],
  });
};

/**
 * Checks an admin account's password under the sign-in throttle: the one check behind HTTP Basic
 * and the console's sign-in form, so both count against the same limits.
 */
export const verifyAdminPassword = async (
  context: ServiceContext,
  username: string,
  password: string,
  address: string,
): Promise<Principal> => {
  const result = await throttledCheck(context, signInCounters("admin", username, address), async () => {
    const account = await context.store.adminAccounts.get(username);
    const now = context.clock.now().getTime();
    const memo = account && memoKey(username, password, account.passwordHash);
    if (memo !== undefined && (verified.get(memo) ?? 0) > now) return account;
    // The memo only spares scrypt; the attempt was counted above like any other.
    const ok = await verifyPasswordOrDecoy(password, account?.passwordHash);
    if (!ok || memo === undefined) return undefined;
    verified.set(memo, now + memoMs);
    return account;
  });
  if (result.ok) return { name: result.value.username, kind: "admin", role: result.value.role };
  await recordSignInFailure(context, { area: "admin", username, address, refusal: result.refusal });
  if (result.refusal) throw throttled(result.refusal.until, context.clock.now());
  throw new AppError("AUTH_INVALID_CREDENTIALS");
};

const basic = async (context: ServiceContext, encoded: string, address: string): Promise<Principal> => {
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new AppError("AUTH_INVALID_CREDENTIALS");
  return verifyAdminPassword(context, decoded.slice(0, colon), decoded.slice(colon + 1), address);
};

const bearer = async (context: ServiceContext, token: string): Promise<Principal> => {
  const record = await context.store.apiTokens.findByHash(hashToken(token));
  const now = context.clock.now();
  if (!record || (record.expiresAt !== null && new Date(record.expiresAt) <= now)) {
    throw new AppError("AUTH_INVALID_CREDENTIALS", { message: "The API token is not valid." });
  }
  await context.store.apiTokens.touch(record.id, now.toISOString());
  return { name: record.name, kind: "token", role: "ADMIN" };
};

/** Authenticates an admin-API request from its Authorization header. */
export const authenticate = async (
  context: ServiceContext,
  authorization: string | undefined,
  address: string,
): Promise<Principal> => {
  if (authorization === undefined || authorization === "") throw new AppError("AUTH_REQUIRED");
  const space = authorization.indexOf(" ");
  const scheme = authorization.slice(0, space).toLowerCase();
  const credentials = authorization.slice(space + 1).trim();
  if (space > 0 && scheme === "basic") return basic(context, credentials, address);
  if (space > 0 && scheme === "bearer") return bearer(context, credentials);
  throw new AppError("AUTH_REQUIRED", { message: "Use HTTP Basic or a Bearer API token." });
};

/** Forgets memoized credentials (after a password change on this node; the key covers the others). */
export const forgetVerifiedCredentials = (): void => verified.clear();
