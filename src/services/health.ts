import type { ServiceContext } from "./context.ts";

/**
 * Whether this node should be sent new requests: not while it drains (SIGTERM), and not while
 * its database does not answer. Liveness is only "the process answers", so a supervisor never
 * restarts a node for its database's sake.
 */
export type Readiness = {
  readonly ready: boolean;
  readonly draining: boolean;
  readonly database: "up" | "down";
};

/** A database that has not answered in this long is down, as far as a load balancer cares. */
const pingTimeoutMs = 2000;

const pingWithin = async (context: ServiceContext, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([context.store.ping().then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
};

export const checkReadiness = async (context: ServiceContext, draining: boolean): Promise<Readiness> => {
  const database = (await pingWithin(context, pingTimeoutMs)) ? "up" : "down";
  return { ready: !draining && database === "up", draining, database };
};
