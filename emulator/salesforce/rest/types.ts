import type { BulkJobs } from "../bulk/jobs.ts";
import type { Org } from "../org.ts";
import type { QueryLocators } from "./query.ts";

/** One REST call inside the emulator: what the HTTP route and a composite subrequest both produce. */
export type RestRequest = {
  method: string;
  /** The path after `/services/data/vNN.0`, without the query string. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or the raw text for a resource that takes CSV (a Bulk API 2.0 upload). */
  body: unknown;
  headers: Record<string, string | undefined>;
};

/** A JSON body (`body`), or a text one (`text`, e.g. CSV results) sent with its own content type. */
export type RestResponse = {
  status: number;
  body?: unknown;
  text?: { contentType: string; value: string };
  headers?: Record<string, string>;
};

export type RestContext = {
  org: Org;
  locators: QueryLocators;
  /** Bulk API 2.0 ingest jobs of the org. */
  jobs: BulkJobs;
  /** The authenticated user: the running user of every DML. */
  userId: string;
  /** "66.0" */
  version: string;
  /** Inside a composite request: nested composites are refused, and allOrNone may be forced. */
  inComposite: boolean;
  forceAllOrNone: boolean;
  /** True when an injected fault locks the next record a collection writes (UNABLE_TO_LOCK_ROW). */
  isRecordLocked?: () => boolean;
  /**
   * Counts one more call against DailyApiRequests, for resources whose parts each count (composite
   * batch subrequests); throws REQUEST_LIMIT_EXCEEDED when the quota is gone.
   */
  countCall(): void;
};

export function json(status: number, body: unknown, headers?: Record<string, string>): RestResponse {
  return headers === undefined ? { status, body } : { status, body, headers };
}

/** The numeric part of "66.0", to gate resources by the API version that introduced them. */
export function versionNumber(ctx: RestContext): number {
  return Number(ctx.version);
}
