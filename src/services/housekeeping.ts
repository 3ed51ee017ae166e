import type { ServiceContext } from "./context.ts";
import { sweepThrottle } from "./throttle.ts";

/**
 * Forgets what no longer holds anything back: sign-in counters whose window and lock are over
 * (an attacker's random usernames would otherwise pile up) and SSO sessions past their end.
 */
export const sweepExpired = async (context: ServiceContext): Promise<void> => {
  await sweepThrottle(context);
  await context.store.ssoSessions.deleteExpired(context.clock.now().toISOString());
};

/** Runs the sweep now and then, without keeping the process alive; returns a stop function. */
export const startHousekeeping = (context: ServiceContext, everyMs = 10 * 60_000): (() => void) => {
  const run = () => {
    sweepExpired(context).catch((error: unknown) => {
      context.log.warn({ err: error }, "housekeeping sweep failed");
    });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};
