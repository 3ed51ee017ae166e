import { SfError } from "../errors.ts";
import { IdGenerator } from "../ids.ts";
import type { Org } from "../org.ts";
import { formatDateTime, isPlainObject } from "../values.ts";
import { type ColumnDelimiter, columnDelimiters, type LineEnding } from "./csv.ts";

/**
 * Bulk API 2.0 ingest jobs (REST API guide "Bulk API 2.0", salesforce-api.md §2): a job is created
 * Open, takes CSV uploads, is closed (UploadComplete) or Aborted by its creator, and is then
 * processed by the org: InProgress, then JobComplete or Failed.
 *
 * When processing happens is the emulator's choice, made to be deterministic without timers: each
 * GET of a job's info moves a closed job one step — UploadComplete → InProgress on the first poll,
 * InProgress → JobComplete (every row processed at that moment) on the next — so a client polls at
 * least twice, as it must against Salesforce, and sees the same states in the same order.
 */

export const operations = ["insert", "update", "upsert", "delete", "hardDelete"] as const;
export type Operation = (typeof operations)[number];

export type JobState = "Open" | "UploadComplete" | "InProgress" | "JobComplete" | "Failed" | "Aborted";

/** What processing leaves: rows (as uploaded) with their outcome, per results file. */
export type JobResults = {
  successful: { id: string; created: boolean; row: string[] }[];
  failed: { id: string; error: string; row: string[] }[];
  unprocessed: string[][];
};

export type IngestJob = {
  id: string;
  operation: Operation;
  object: string;
  externalIdFieldName: string | null;
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  apiVersion: number;
  createdById: string;
  createdDate: string;
  systemModstamp: string;
  state: JobState;
  /** The uploaded CSV texts, in order; parsed when the job is processed. */
  uploads: string[];
  /** The header of the first upload, as it came: results files repeat it. */
  header: string[];
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  errorMessage: string | null;
  results: JobResults | null;
};

export const jobKeyPrefix = "750";

export const invalidJob = (message: string): SfError =>
  new SfError(400, "INVALIDJOB", `InvalidJob : ${message}`);

export const invalidJobState = (message: string): SfError => new SfError(409, "INVALIDJOBSTATE", message);

export const terminal = (state: JobState): boolean =>
  state === "JobComplete" || state === "Failed" || state === "Aborted";

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, what: string): T {
  if (value === undefined || value === null) return fallback;
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw invalidJob(`Invalid ${what}: ${String(value)}`);
  return found;
}

export class BulkJobs {
  readonly #jobs = new Map<string, IngestJob>();
  readonly #ids = new IdGenerator("0B");

  create(
    org: Org,
    userId: string,
    version: string,
    body: unknown,
    validate: (object: string, operation: Operation, externalId: string | null) => string,
  ): IngestJob {
    if (!isPlainObject(body)) throw invalidJob("The request body must be a JSON object describing the job");
    if (typeof body.object !== "string" || body.object === "") throw invalidJob("object is required");
    if (typeof body.operation !== "string") throw invalidJob("operation is required");
    const operation = oneOf(body.operation, operations, "insert", "operation");
    oneOf(body.contentType, ["CSV"] as const, "CSV", "contentType");
    const externalId = typeof body.externalIdFieldName === "string" ? body.externalIdFieldName : null;
    const object = validate(body.object, operation, externalId);
    const now = formatDateTime(org.clock());
    const job: IngestJob = {
      id: this.#ids.next(jobKeyPrefix),
      operation,
      object,
      externalIdFieldName: operation === "upsert" ? externalId : null,
      lineEnding: oneOf(body.lineEnding, ["LF", "CRLF"] as const, "LF", "lineEnding"),
      columnDelimiter: oneOf(
        body.columnDelimiter,
        Object.keys(columnDelimiters) as ColumnDelimiter[],
        "COMMA",
        "columnDelimiter",
      ),
      apiVersion: Number(version),
      createdById: userId,
      createdDate: now,
      systemModstamp: now,
      state: "Open",
      uploads: [],
      header: [],
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
      errorMessage: null,
      results: null,
    };
    this.#jobs.set(job.id, job);
    return job;
  }

  get(id: string): IngestJob | undefined {
    return this.#jobs.get(id);
  }

  all(): IngestJob[] {
    return [...this.#jobs.values()];
  }

  delete(id: string): void {
    this.#jobs.delete(id);
  }

  clear(): void {
    this.#jobs.clear();
  }

  /** Jobs by state, for the control API's stats. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const job of this.#jobs.values()) out[job.state] = (out[job.state] ?? 0) + 1;
    return out;
  }
}

/** The fields every view of a job shows (create, close and list answer these). */
export function jobSummary(job: IngestJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    ...(job.externalIdFieldName === null ? {} : { externalIdFieldName: job.externalIdFieldName }),
    concurrencyMode: "Parallel",
    contentType: "CSV",
    apiVersion: job.apiVersion,
  };
}

/** `GET /jobs/ingest/{id}`: the summary plus the counts and timings (Get Job Info). */
export function jobInfo(job: IngestJob): Record<string, unknown> {
  return {
    ...jobSummary(job),
    jobType: "V2Ingest",
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
    numberRecordsProcessed: job.numberRecordsProcessed,
    numberRecordsFailed: job.numberRecordsFailed,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    ...(job.errorMessage === null ? {} : { errorMessage: job.errorMessage }),
  };
}
