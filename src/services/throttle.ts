import type { ServiceContext } from "./context.ts";

/** After `failures` failed attempts within `windowMs`, a key is locked for `lockoutMs`. */
export type ThrottlePolicy = {
  readonly failures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
};

/** The guessing limits, the same at the admin API and the sign-in form (README "Production"). */
export const throttlePolicies = {
  /** An account: five wrong passwords in 15 minutes lock it for 15 minutes. */
  account: { failures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 },
  /**
   * An address: much looser, because many people can share one (an office's NAT, a proxy that
   * is not in PORTICO_TRUSTED_PROXIES). Only an address that is itself guessing gets limited.
   */
  address: { failures: 100, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 },
} as const satisfies Record<string, ThrottlePolicy>;

/** One counter an attempt moves, and what a right password does to it. */
export type Counter = {
  readonly kind: "account" | "address" | "form";
  readonly key: string;
  readonly policy: ThrottlePolicy;
  /** `clear` forgets earlier failures (an account); `release` takes back only this attempt. */
  readonly onSuccess: "clear" | "release";
};

export type Refusal = {
  readonly counter: Counter;
  readonly until: Date;
  /** This attempt started the lock (so it is reported once, not on every refused attempt). */
  readonly started: boolean;
};

export type AttemptResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal?: Refusal | undefined };

/**
 * Runs one password check under the counters. Each counter is moved *before* the check, in one
 * atomic statement, so that a hundred parallel guesses cannot all pass a check made before any
 * of them failed: past the limit, not even the right password is tried. A right password takes
 * its attempt back; a check that throws (the source is down) counts as no attempt at all.
 */
export const throttledCheck = async <T>(
  context: ServiceContext,
  counters: readonly Counter[],
  check: () => Promise<T | undefined>,
): Promise<AttemptResult<T>> => {
  const now = context.clock.now();
  const counted: Counter[] = [];
  for (const counter of counters) {
    const record = await context.store.throttle.countAttempt(counter.key, {
      now: now.toISOString(),
      windowStartedBy: new Date(now.getTime() - counter.policy.windowMs).toISOString(),
      limit: counter.policy.failures,
      lockUntil: new Date(now.getTime() + counter.policy.lockoutMs).toISOString(),
    });
    if (record.lockedUntil !== null && new Date(record.lockedUntil) > now) {
      // Nothing was checked, so the counters moved before this one take their attempt back.
      await Promise.all(counted.map((c) => context.store.throttle.release(c.key)));
      return {
        ok: false,
        refusal: {
          counter,
          until: new Date(record.lockedUntil),
          started: record.failures === counter.policy.failures + 1,
        },
      };
    }
    counted.push(counter);
  }
  let value: T | undefined;
  try {
    value = await check();
  } catch (error) {
    await Promise.all(counted.map((c) => context.store.throttle.release(c.key)));
    throw error;
  }
  if (value === undefined) return { ok: false };
  await Promise.all(
    counted.map((c) =>
      c.onSuccess === "clear" ? context.store.throttle.clear(c.key) : context.store.throttle.release(c.key),
    ),
  );
  return { ok: true, value };
};

/** The key of an account's counter: what `portico admin reset-password` clears to unlock it. */
export const accountCounterKey = (area: "admin" | "login", username: string): string =>
  `${area === "admin" ? "account" : "login-account"}:${username.toLowerCase()}`;

/** The two counters of a password sign-in: the account named, and the address it came from. */
export const signInCounters = (area: "admin" | "login", username: string, address: string): Counter[] => [
  {
    kind: "account",
    key: accountCounterKey(area, username),
    policy: throttlePolicies.account,
    onSuccess: "clear",
  },
  {
    kind: "address",
    key: `${area === "admin" ? "address" : "login-address"}:${address}`,
    policy: throttlePolicies.address,
    onSuccess: "release",
  },
];

export const minutesUntil = (until: Date, now: Date): number =>
  Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

/** Forgets counters that no longer hold anything back; run now and then. */
export const sweepThrottle = (context: ServiceContext): Promise<number> => {
  const now = context.clock.now();
  const longest = Math.max(...Object.values(throttlePolicies).map((p) => p.windowMs));
  return context.store.throttle.deleteStale(
    new Date(now.getTime() - longest).toISOString(),
    now.toISOString(),
  );
};
