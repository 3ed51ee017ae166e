import { isAppError } from "../lib/errors.ts";
import { consoleSessionPolicy } from "./console/sessions.ts";
import type { ServiceContext } from "./context.ts";
import { sweepThrottle } from "./throttle.ts";

/**
 * Forgets what no longer holds anything back: sign-in counters whose window and lock are over
 * (an attacker's random usernames would otherwise pile up), SSO and console sessions past their
 * end, and Create Connection drafts left idle (those of an ended session go with it).
 */
export const sweepExpired = async (context: ServiceContext): Promise<void> => {
  await sweepThrottle(context);
  const now = context.clock.now();
  await context.store.ssoSessions.deleteExpired(now.toISOString());
  const idleSince = new Date(now.getTime() - consoleSessionPolicy.idleMs).toISOString();
  await context.store.consoleSessions.deleteExpired(now.toISOString(), idleSince);
  await context.store.consoleDrafts.deleteExpired(idleSince);
};

/** Runs the sweep now and then, without keeping the process alive; returns a stop function. */
export const startHousekeeping = (context: ServiceContext, everyMs = 10 * 60_000): (() => void) => {
  const run = () => {
    sweepExpired(context).catch((error: unknown) => {
      // An outage is logged once by the store; the next sweep catches up.
      if (isAppError(error) && error.code === "STORE_UNAVAILABLE") return;
      context.log.warn(
        { err: error, code: isAppError(error) ? error.code : undefined },
        "housekeeping sweep failed",
      );
    });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};
