import type { AuthenticatedSubject, AuthenticationSource } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { clearFailures, lockedUntil, recordFailure, type ThrottlePolicy } from "../throttle.ts";

/** Guessing limits at the sign-in form: per account, and more loosely per address. */
const accountPolicy: ThrottlePolicy = { failures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };
const addressPolicy: ThrottlePolicy = { ...accountPolicy, failures: 30 };

const check = async (context: ServiceContext, key: string, now: Date) => {
  const until = await lockedUntil(context, key, now);
  if (until) {
    const minutes = Math.ceil((until.getTime() - now.getTime()) / 60_000);
    throw new AppError("LOGIN_THROTTLED", {
      message: `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`,
    });
  }
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
    await recordFailure(context, accountKey, accountPolicy, now);
    await recordFailure(context, addressKey, addressPolicy, now);
    throw new AppError("LOGIN_INVALID_CREDENTIALS");
  }
  await clearFailures(context, accountKey);
  return subject;
};
