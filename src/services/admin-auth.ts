import { createHash } from "node:crypto";
import { verifyPasswordOrDecoy } from "../crypto/password.ts";
import { hashToken } from "../crypto/tokens.ts";
import { AppError } from "../lib/errors.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { clearFailures, lockedUntil, recordFailure, type ThrottlePolicy } from "./throttle.ts";

/** Admin sign-in limits: per account, and more loosely per address. */
const accountPolicy: ThrottlePolicy = { failures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };
const addressPolicy: ThrottlePolicy = { ...accountPolicy, failures: 20 };

export type Principal = Actor & { readonly role: "ADMIN" | "AUDITOR" };

/**
 * A short-lived memo of verified Basic credentials, so a CLI run of many calls does not pay
 * scrypt on every request. Keyed by a hash of the credentials; never holds the password.
 */
const verified = new Map<string, number>();
const memoMs = 60_000;

const memoKey = (username: string, password: string) =>
  createHash("sha256").update(`${username}\u0000${password}`).digest("base64");

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
    const until = await lockedUntil(context, key, now);
    if (until) throw throttled(until, now);
  }
  const account = await context.store.adminAccounts.get(username);
  const memo = memoKey(username, password);
  const memoUntil = verified.get(memo);
  let ok = account !== undefined && memoUntil !== undefined && memoUntil > now.getTime();
  if (!ok) {
    ok = await verifyPasswordOrDecoy(password, account?.passwordHash);
    if (ok) verified.set(memo, now.getTime() + memoMs);
  }
  if (!ok || !account) {
    await recordFailure(context, accountKey, accountPolicy, now);
    await recordFailure(context, addressKey, addressPolicy, now);
    throw new AppError("AUTH_INVALID_CREDENTIALS");
  }
  await clearFailures(context, accountKey);
  return { name: account.username, kind: "admin", role: account.role };
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
