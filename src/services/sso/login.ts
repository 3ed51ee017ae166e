import type { AuthenticatedSubject, AuthenticationSource } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/** Guessing limits at the sign-in form: per account and per address, in a window. */
export const loginThrottle = {
  accountFailures: 5,
  addressFailures: 30,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
} as const;

const check = async (context: ServiceContext, key: string, now: Date) => {
  const record = await context.store.throttle.get(key);
  if (record?.lockedUntil && new Date(record.lockedUntil) > now) {
    const minutes = Math.ceil((new Date(record.lockedUntil).getTime() - now.getTime()) / 60_000);
    throw new AppError("LOGIN_THROTTLED", {
      message: `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`,
    });
  }
};

const fail = async (context: ServiceContext, key: string, limit: number, now: Date) => {
  const record = await context.store.throttle.get(key);
  const fresh = !record || now.getTime() - new Date(record.windowStart).getTime() > loginThrottle.windowMs;
  const failures = fresh ? 1 : record.failures + 1;
  await context.store.throttle.put({
    key,
    failures,
    windowStart: fresh ? now.toISOString() : record.windowStart,
    lockedUntil: failures >= limit ? new Date(now.getTime() + loginThrottle.lockoutMs).toISOString() : null,
  });
};

/**
 * Checks a username and password against the authentication source, with throttling. A wrong
 * password, an unknown user and a disabled one all get the same answer.
 */
export const signIn = async (
  context: ServiceContext,
  source: AuthenticationSource,
  username: string,
  password: string,
  address: string,
): Promise<AuthenticatedSubject> => {
  const now = context.clock.now();
  const accountKey = `login-account:${username.toLowerCase()}`;
  const addressKey = `login-address:${address}`;
  await check(context, accountKey, now);
  await check(context, addressKey, now);
  const subject =
    username === "" || password === "" ? undefined : await source.authenticate(username, password);
  if (!subject) {
    await fail(context, accountKey, loginThrottle.accountFailures, now);
    await fail(context, addressKey, loginThrottle.addressFailures, now);
    throw new AppError("LOGIN_INVALID_CREDENTIALS");
  }
  await context.store.throttle.clear(accountKey);
  return subject;
};
