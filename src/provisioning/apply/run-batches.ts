import { AppError, isAppError } from "../../lib/errors.ts";
import { salesforceFailureOf } from "../salesforce/errors.ts";
import { inChunks, type TargetRecordResult } from "./target-api.ts";

/**
 * Batches, threads and retries: at most 200 records a call, at most `maxThreads` calls at once,
 * and a retryable failure (Salesforce busy or down, a locked row) tried again with back-off.
 * What is still failing after the last try is returned as such; a call-level failure that
 * outlives its retries stops the cycle (`TargetUnavailable`), so nothing is recorded as done and
 * the watermark stays where it was.
 */

export type Pacing = {
  readonly maxThreads: number;
  /** Tries per call or record, the first included. */
  readonly attempts: number;
  readonly backoffMs: number;
  readonly sleep: (ms: number) => Promise<void>;
};

export const defaultPacing = (maxThreads: number): Pacing => ({
  maxThreads,
  attempts: 4,
  backoffMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** Salesforce's own error code behind an AppError, when the error came from Salesforce. */
export const salesforceCode = (error: unknown): string | undefined => salesforceFailureOf(error)?.errorCode;

/** The org's API limit is spent: waiting seconds will not help, the next cycle after a long wait might. */
export const isRateLimited = (error: unknown): boolean => salesforceCode(error) === "REQUEST_LIMIT_EXCEEDED";

const isRetryable = (error: unknown): boolean =>
  isAppError(error) && error.retryable && !isRateLimited(error);

/** Thrown when Salesforce stayed unavailable (or rate-limited) through every retry. */
export class TargetUnavailable extends Error {
  override readonly cause: AppError;
  readonly rateLimited: boolean;
  constructor(cause: AppError) {
    super(cause.message);
    this.name = "TargetUnavailable";
    this.cause = cause;
    this.rateLimited = isRateLimited(cause);
  }
}

/** Runs `work` over each item at most `limit` at a time, keeping the order of results. */
export const mapConcurrent = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
};

/**
 * Sends `records` through `call` in collections of 200, `maxThreads` at a time. Records whose
 * result is a retryable error are sent again (with back-off); the rest keep their result.
 */
export const runCollections = async <R>(
  records: readonly R[],
  pacing: Pacing,
  call: (batch: readonly R[]) => Promise<TargetRecordResult[]>,
): Promise<TargetRecordResult[]> => {
  const results: TargetRecordResult[] = new Array(records.length);
  let pending = records.map((record, index) => ({ record, index }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const batches = inChunks(pending, 200);
    const answered = await mapConcurrent(batches, pacing.maxThreads, async (batch) => {
      const batchRecords = batch.map((b) => b.record);
      for (let callAttempt = 1; ; callAttempt++) {
        try {
          return await call(batchRecords);
        } catch (error) {
          if (!isAppError(error)) throw error;
          if (!isRetryable(error) || callAttempt >= pacing.attempts) {
            if (error.retryable || isRateLimited(error)) throw new TargetUnavailable(error);
            // A refusal of the whole call (a malformed request): every record carries it.
            return batch.map((): TargetRecordResult => ({ success: false, id: undefined, error }));
          }
          await pacing.sleep(pacing.backoffMs * 2 ** (callAttempt - 1));
        }
      }
    });
    const again: typeof pending = [];
    batches.forEach((batch, b) => {
      batch.forEach((item, i) => {
        const result = answered[b]?.[i] ?? {
          success: false as const,
          id: undefined,
          error: new AppError("PROV_TARGET_UNAVAILABLE", {
            message: "Salesforce gave no result for this record.",
          }),
        };
        if (!result.success && isRetryable(result.error) && attempt < pacing.attempts) again.push(item);
        else results[item.index] = result;
      });
    });
    if (again.length > 0) await pacing.sleep(pacing.backoffMs * 2 ** (attempt - 1));
    pending = again;
  }
  return results;
};
