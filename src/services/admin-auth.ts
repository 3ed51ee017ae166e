import { createHash, randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "../crypto/password.ts";
import { hashToken } from "../crypto/tokens.ts";
import { AppError } from "../lib/errors.ts";
import type { Actor, ServiceContext } from "./context.ts";

/** Sign-in throttling: after this many failures in the window, the key is locked for the lockout. */
export const throttlePolicy = {
  accountFailures: 5,
  addressFailures: 20,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
} as const;

export type Principal = Actor & { readonly role: "ADMIN" | "AUDITOR" };

/**
 * A short-lived memo of verified Basic credentials, so a CLI run of many calls does not pay
 * scrypt on every request. Keyed by a hash of the credentials; never holds the password.
 */
const verified = new Map<string, number>();
const memoMs = 60_000;

const memoKey = (username: string, password: string) =>
  createHash("sha256").update(`${username}\u0000${password}`).digest("base64");

const isLocked = async (context: ServiceContext, key: string, now: Date): Promise<Date | undefined> => {
  const record = await context.store.throttle.get(key);
  if (record?.lockedUntil && new Date(record.lockedUntil) > now) return new Date(record.lockedUntil);
  return undefined;
};

const recordFailure = async (context: ServiceContext, key: string, limit: number, now: Date) => {
  const record = await context.store.throttle.get(key);
  const fresh = !record || now.getTime() - new Date(record.windowStart).getTime() > throttlePolicy.windowMs;
  const failures = fresh ? 1 : record.failures + 1;
  await context.store.throttle.put({
    key,
    failures,
    windowStart: fresh ? now.toISOString() : record.windowStart,
    lockedUntil: failures >= limit ? new Date(now.getTime() + throttlePolicy.lockoutMs).toISOString() : null,
  });
};

const throttled = (until: Date, now: Date) =>
  new AppError("AUTH_THROTTLED", {
    message: `Too many failed sign-in attempts; try again in ${Math.ceil((until.getTime() - now.getTime()) / 60_000)} minute(s).`,
    details: [
      { field: "retryAfterSeconds", message: String(Math.ceil((until.getTime() - now.getTime()) / 1000)) },
    ],
  });

const basic = async (context: ServiceContext, encoded: string, address: string): Promise<Principal> => {
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new AppError("AUTH_INVALID_CREDENTIALS");
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const now = context.clock.now();
  const accountKey = `account:${username.toLowerCase()}`;
  const addressKey = `address:${address}`;
  for (const key of [accountKey, addressKey]) {
    const until = await isLocked(context, key, now);
    if (until) throw throttled(until, now);
  }
  const account = await context.store.adminAccounts.get(username);
  const memo = memoKey(username, password);
  const memoUntil = verified.get(memo);
  let ok = account !== undefined && memoUntil !== undefined && memoUntil > now.getTime();
  if (!ok) {
    // Verify against a dummy hash when the account does not exist, so timing does not tell.
    ok = (await verifyPassword(password, account?.passwordHash ?? (await dummy()))) && account !== undefined;
    if (ok) verified.set(memo, now.getTime() + memoMs);
  }
  if (!ok || !account) {
    await recordFailure(context, accountKey, throttlePolicy.accountFailures, now);
    await recordFailure(context, addressKey, throttlePolicy.addressFailures, now);
    throw new AppError("AUTH_INVALID_CREDENTIALS");
  }
  await context.store.throttle.clear(accountKey);
  return { name: account.username, kind: "admin", role: account.role };
};

// The hash of a random password: checked when the account does not exist, never matched.
let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
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

/** Forgets memoized credentials (after a password change). */
export const forgetVerifiedCredentials = (): void => verified.clear();
