import type { ServiceContext } from "./context.ts";

/** After `failures` failed attempts within `windowMs`, a key is locked for `lockoutMs`. */
export type ThrottlePolicy = {
  readonly failures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
};

/**
 * Guessing limits kept in the database, so every node of a cluster counts the same attempts.
 * Keys name what is counted (an account, an address) and where (admin API, sign-in form).
 */
export const lockedUntil = async (
  context: ServiceContext,
  key: string,
  now: Date,
): Promise<Date | undefined> => {
  const record = await context.store.throttle.get(key);
  return record?.lockedUntil && new Date(record.lockedUntil) > now ? new Date(record.lockedUntil) : undefined;
};

export const recordFailure = async (
  context: ServiceContext,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
): Promise<void> => {
  const record = await context.store.throttle.get(key);
  const fresh = !record || now.getTime() - new Date(record.windowStart).getTime() > policy.windowMs;
  const failures = fresh ? 1 : record.failures + 1;
  await context.store.throttle.put({
    key,
    failures,
    windowStart: fresh ? now.toISOString() : record.windowStart,
    lockedUntil:
      failures >= policy.failures ? new Date(now.getTime() + policy.lockoutMs).toISOString() : null,
  });
};

export const clearFailures = (context: ServiceContext, key: string): Promise<void> =>
  context.store.throttle.clear(key);
