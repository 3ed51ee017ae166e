import { methodNotAllowed, notFound, SfError } from "../errors.ts";
import { normalizeId } from "../ids.ts";
import type { RestContext, RestRequest, RestResponse } from "../rest/types.ts";
import { json, versionNumber } from "../rest/types.ts";
import { isPlainObject } from "../values.ts";
import { formatResults, formatRows } from "./csv.ts";
import {
  type IngestJob,
  invalidJob,
  invalidJobState,
  jobInfo,
  jobSummary,
  type Operation,
  terminal,
} from "./jobs.ts";
import { abortJob, processJob } from "./process.ts";

/**
 * `/jobs/ingest…` (Bulk API 2.0, v41.0 and later): create and list jobs, upload CSV, close or
 * abort, poll, read the three results files, delete. Each request is one API call like any other.
 */

function validator(ctx: RestContext) {
  return (object: string, operation: Operation, externalId: string | null): string => {
    const type = ctx.org.schema.type(object);
    if (type === undefined) throw invalidJob(`Unable to find object: ${object}`);
    if (operation !== "upsert") return type.name;
    if (externalId === null || externalId === "") {
      throw invalidJob(
        `External ID was blank for ${type.name}. An External ID must be specified for upsert.`,
      );
    }
    const f = type.field(externalId);
    if (f === undefined || !(f.externalId || f.idLookup)) {
      throw invalidJob(
        `Field name provided, ${externalId} does not match an External ID, Salesforce Id, or indexed field for ${type.name}`,
      );
    }
    return type.name;
  };
}

function view(job: IngestJob): Record<string, unknown> {
  return {
    ...jobSummary(job),
    jobType: "V2Ingest",
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

function csv(value: string): RestResponse {
  return { status: 200, text: { contentType: "text/csv", value } };
}

function upload(job: IngestJob, req: RestRequest): RestResponse {
  if (job.state !== "Open") throw invalidJobState(`Job ${job.id} is not in the Open state: ${job.state}`);
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "text/csv") {
    throw new SfError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `Content type '${type}' is not supported. Use text/csv.`,
    );
  }
  const text = typeof req.body === "string" ? req.body : "";
  if (text.trim() === "") throw new SfError(400, "INVALIDBATCH", "InvalidBatch : The CSV data is empty");
  job.uploads.push(text);
  return { status: 201 };
}

/** PATCH `{state}`: UploadComplete from Open; Aborted until the job has finished. */
function changeState(ctx: RestContext, job: IngestJob, body: unknown): RestResponse {
  const state = isPlainObject(body) ? body.state : undefined;
  if (state === "UploadComplete") {
    if (job.state !== "Open")
      throw invalidJobState(`Job ${job.id} can't be closed: its state is ${job.state}`);
    job.state = "UploadComplete";
  } else if (state === "Aborted") {
    if (terminal(job.state))
      throw invalidJobState(`Job ${job.id} can't be aborted: its state is ${job.state}`);
    abortJob(ctx.org, job);
  } else {
    throw new SfError(
      400,
      "INVALIDJOBSTATE",
      `Invalid state: ${String(state)}. Use UploadComplete or Aborted.`,
    );
  }
  return json(200, view(job));
}

/** A poll moves a closed job one step (see jobs.ts): UploadComplete → InProgress → finished. */
function poll(ctx: RestContext, job: IngestJob): RestResponse {
  if (job.state === "InProgress") processJob(ctx.org, job);
  else if (job.state === "UploadComplete") job.state = "InProgress";
  return json(200, jobInfo(job));
}

function results(job: IngestJob, file: string): RestResponse {
  if (!terminal(job.state) || job.results === null) {
    throw invalidJobState(
      `Results of job ${job.id} are available once it has finished: its state is ${job.state}`,
    );
  }
  const r = job.results;
  const format = (sf: string[], rows: string[][]) =>
    csv(formatResults(sf, job.header, rows, job.columnDelimiter, job.lineEnding));
  switch (file) {
    case "successfulresults":
      return format(
        ["sf__Id", "sf__Created"],
        r.successful.map((s) => [s.id, String(s.created), ...s.row]),
      );
    case "failedresults":
      return format(
        ["sf__Id", "sf__Error"],
        r.failed.map((f) => [f.id, f.error, ...f.row]),
      );
    default:
      return csv(formatRows(job.header, r.unprocessed, job.columnDelimiter, job.lineEnding));
  }
}

function jobResource(
  ctx: RestContext,
  req: RestRequest,
  job: IngestJob,
  sub: string | undefined,
): RestResponse {
  if (sub === undefined) {
    switch (req.method) {
      case "GET":
        return poll(ctx, job);
      case "PATCH":
        return changeState(ctx, job, req.body);
      case "DELETE":
        if (job.state === "Open" || job.state === "InProgress") {
          throw invalidJobState(`Job ${job.id} can't be deleted: its state is ${job.state}`);
        }
        ctx.jobs.delete(job.id);
        return { status: 204 };
      default:
        throw methodNotAllowed(req.method, ["HEAD", "GET", "PATCH", "DELETE"]);
    }
  }
  const file = sub.toLowerCase();
  if (file === "batches") {
    if (req.method !== "PUT") throw methodNotAllowed(req.method, ["PUT"]);
    return upload(job, req);
  }
  if (!["successfulresults", "failedresults", "unprocessedrecords"].includes(file)) throw notFound();
  if (req.method !== "GET") throw methodNotAllowed(req.method, ["HEAD", "GET"]);
  return results(job, file);
}

/** `segments` follow `/jobs`: `ingest[/{id}[/{file}]]`. */
export function jobsResource(ctx: RestContext, req: RestRequest, segments: string[]): RestResponse {
  const [kind, id, sub, ...extra] = segments;
  if (kind !== "ingest" || extra.length > 0 || ctx.inComposite || versionNumber(ctx) < 41) throw notFound();
  if (id === undefined) {
    if (req.method === "POST") {
      const job = ctx.jobs.create(ctx.org, ctx.userId, ctx.version, req.body, validator(ctx));
      return json(200, {
        ...view(job),
        contentUrl: `services/data/v${ctx.version}/jobs/ingest/${job.id}/batches`,
      });
    }
    if (req.method !== "GET") throw methodNotAllowed(req.method, ["HEAD", "GET", "POST"]);
    const wanted = req.query.jobType;
    const records = wanted === undefined || wanted === "V2Ingest" ? ctx.jobs.all().map(view) : [];
    return json(200, { done: true, records, nextRecordsUrl: null });
  }
  const job = ctx.jobs.get(normalizeId(id) ?? id);
  if (job === undefined) throw notFound();
  return jobResource(ctx, req, job, sub);
}
