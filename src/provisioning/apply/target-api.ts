import type { AppError } from "../../lib/errors.ts";

/**
 * What the engine needs of the target: the Salesforce REST client (provisioning/salesforce)
 * satisfies it. Call-level failures throw AppErrors (PROV_TARGET_UNAVAILABLE is retryable);
 * a collection answers per record.
 */
export type TargetRecordResult =
  | { readonly success: true; readonly id: string }
  | { readonly success: false; readonly id: string | undefined; readonly error: AppError };

export type TargetApi = {
  /** REST calls sent so far. */
  readonly apiCalls: number;
  query<T = Readonly<Record<string, unknown>>>(soql: string): Promise<T[]>;
  /** At most 200 records a call. */
  create(
    sobject: string,
    records: readonly Readonly<Record<string, unknown>>[],
  ): Promise<TargetRecordResult[]>;
  /** At most 200 records a call, each with its Id. */
  update(
    sobject: string,
    records: readonly Readonly<Record<string, unknown>>[],
  ): Promise<TargetRecordResult[]>;
  delete(ids: readonly string[]): Promise<TargetRecordResult[]>;
};

export { soqlString as soqlQuote } from "../salesforce/client.ts";

/** `Field IN ('a','b')` in pieces small enough for a query URL. */
export const inChunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
