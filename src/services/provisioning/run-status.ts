import { errorCatalogue, isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/**
 * What this node knows of its channels' runs that the store does not: how far a running cycle
 * got (the engine reports after each page), and why the last run failed when it failed before
 * the engine could record a state (a mapping Salesforce no longer accepts, a refused token).
 * `GET /provisioning/channels` shows both; both are per node and forgotten on restart.
 */

export type RunProgress = {
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Successful operations so far, by event type (CREATE, UPDATE, …). */
  readonly counts: Readonly<Record<string, number>>;
};

export type RunFailure = { readonly at: string; readonly code: string; readonly message: string };

const progress = new WeakMap<ServiceContext, Map<string, RunProgress>>();
const failures = new WeakMap<ServiceContext, Map<string, RunFailure>>();

const mapOf = <T>(maps: WeakMap<ServiceContext, Map<string, T>>, context: ServiceContext) => {
  let map = maps.get(context);
  if (!map) {
    map = new Map();
    maps.set(context, map);
  }
  return map;
};

/** The failure as an admin may read it: internal errors keep their details to the log. */
const failureOf = (context: ServiceContext, error: unknown): RunFailure => {
  const at = context.clock.now().toISOString();
  if (!isAppError(error)) return { at, code: "INTERNAL", message: errorCatalogue.INTERNAL.message };
  return { at, code: error.code, message: error.expose ? error.message : errorCatalogue[error.code].message };
};

/** Runs `work` (one cycle) with its progress kept under `key` while it runs, and its failure after. */
export const tracked = async <T>(
  context: ServiceContext,
  key: string,
  work: (onProgress: (counts: Record<string, number>) => void) => Promise<T>,
): Promise<T> => {
  const running = mapOf(progress, context);
  const startedAt = context.clock.now().toISOString();
  running.set(key, { startedAt, updatedAt: startedAt, counts: {} });
  try {
    const result = await work((counts) =>
      running.set(key, { startedAt, updatedAt: context.clock.now().toISOString(), counts }),
    );
    mapOf(failures, context).delete(key);
    return result;
  } catch (error) {
    mapOf(failures, context).set(key, failureOf(context, error));
    throw error;
  } finally {
    running.delete(key);
  }
};

export const runProgress = (context: ServiceContext, key: string): RunProgress | null =>
  progress.get(context)?.get(key) ?? null;

export const lastRunFailure = (context: ServiceContext, key: string): RunFailure | null =>
  failures.get(context)?.get(key) ?? null;
