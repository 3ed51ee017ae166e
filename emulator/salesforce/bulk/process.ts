import { deleteRecord, insertRecord, missingRecord, updateRecord } from "../dml.ts";
import { type RecordError, RecordFailure, recordError, SfError } from "../errors.ts";
import { normalizeId } from "../ids.ts";
import type { DmlContext, Org } from "../org.ts";
import type { SObjectType } from "../schema/schema.ts";
import type { FieldDef } from "../schema/types.ts";
import type { FieldValue } from "../store.ts";
import { upsertRecord } from "../upsert.ts";
import { deserializeRecord, formatDateTime } from "../values.ts";
import { CsvLineEndingError, parseCsv } from "./csv.ts";
import type { IngestJob, JobResults } from "./jobs.ts";

/**
 * Runs a closed job's rows through the same DML and rules as the REST API, each row on its own (a
 * failed row fails alone). A CSV the job cannot read fails the whole job with Salesforce's message,
 * every row unprocessed. In the data, an empty cell leaves a field alone and `#N/A` clears it.
 */

type Columns = { header: string[]; fields: FieldDef[] };

/** `STATUS_CODE:message:Field1,Field2 --`, the sf__Error form. */
function errorText(errors: RecordError[]): string {
  return errors
    .map((e) => `${e.statusCode}:${e.message}:${e.fields.length > 0 ? `${e.fields.join(",")} ` : ""}--`)
    .join(" ");
}

/** One cell as the field's value: `#N/A` is null; text the field cannot hold fails the row. */
function cellValue(type: SObjectType, f: FieldDef, cell: string): FieldValue {
  if (cell === "#N/A") return null;
  let raw: unknown = cell;
  if (f.type === "boolean") {
    const lower = cell.toLowerCase();
    raw = lower === "true" || lower === "1" ? true : lower === "false" || lower === "0" ? false : cell;
  }
  try {
    return deserializeRecord(type, { [f.name]: raw }).values[f.name] ?? null;
  } catch (err) {
    if (!(err instanceof SfError)) throw err;
    throw recordError("INVALID_TYPE_ON_FIELD_IN_RECORD", `${f.label}: value not of required type: ${cell}`, [
      f.name,
    ]);
  }
}

function rowRecord(
  type: SObjectType,
  columns: Columns,
  row: string[],
): { values: Record<string, FieldValue>; id: string | null } {
  if (row.length > columns.header.length) {
    throw recordError(
      "INVALID_INPUT",
      `The row has ${row.length} values, more than the ${columns.header.length} columns of the header`,
    );
  }
  const values: Record<string, FieldValue> = {};
  let id: string | null = null;
  for (const [i, f] of columns.fields.entries()) {
    const cell = row[i] ?? "";
    if (cell === "") continue;
    if (f.type === "id") id = cell;
    else values[f.name] = cellValue(type, f, cell);
  }
  return { values, id };
}

function recordId(org: Org, type: SObjectType, raw: string | null, operation: string): string {
  if (raw === null) throw recordError("MISSING_ARGUMENT", `Id not specified in an ${operation} call`);
  const id = normalizeId(raw);
  if (id === undefined || org.schema.typeOfId(id) !== type)
    throw recordError("MALFORMED_ID", `malformed id ${raw}`, ["Id"]);
  if (org.get(type.name, id) === undefined) throw missingRecord(org, id);
  return id;
}

function runRow(
  org: Org,
  job: IngestJob,
  type: SObjectType,
  columns: Columns,
  row: string[],
  ctx: DmlContext,
) {
  const { values, id } = rowRecord(type, columns, row);
  switch (job.operation) {
    case "insert":
      if (id !== null) throw recordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"]);
      return { id: insertRecord(org, type, values, ctx).Id, created: true };
    case "update":
      return {
        id: updateRecord(org, type, recordId(org, type, id, "update"), values, ctx).Id,
        created: false,
      };
    case "upsert": {
      const f = type.field(job.externalIdFieldName ?? "Id");
      if (f === undefined)
        throw recordError("MISSING_ARGUMENT", `${String(job.externalIdFieldName)} not specified`);
      const { [f.name]: value = null, ...others } = values;
      return upsertRecord(org, type, f, f.type === "id" ? id : value, others, ctx);
    }
    default: {
      const target = recordId(org, type, id, "delete");
      deleteRecord(org, type, target, ctx);
      // A hard delete skips the recycle bin: the id is gone, not deleted.
      if (job.operation === "hardDelete") org.deletedIds.delete(target);
      return { id: target, created: false };
    }
  }
}

/** Every uploaded row, the header rows taken out; the first upload's header names the columns. */
function uploadedRows(job: IngestJob): { header: string[]; rows: string[][] } {
  let header: string[] = [];
  const rows: string[][] = [];
  for (const text of job.uploads) {
    const [first = [], ...rest] = parseCsv(text, job.columnDelimiter, job.lineEnding);
    if (header.length === 0) header = first;
    rows.push(...rest.filter((r) => !(r.length === 1 && r[0] === "")));
  }
  return { header, rows };
}

type Readable = { type: SObjectType; fields: FieldDef[]; header: string[]; rows: string[][] };

/** The job's data as rows of known fields, or the message that fails the whole job. */
function readJob(org: Org, job: IngestJob): Readable | { failure: string; rows: string[][] } {
  if (job.uploads.length === 0)
    return { failure: "InvalidBatch : No data was uploaded for this job", rows: [] };
  let parsed: { header: string[]; rows: string[][] };
  try {
    parsed = uploadedRows(job);
  } catch (err) {
    if (!(err instanceof CsvLineEndingError)) throw err;
    const failure = `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${job.lineEnding}`;
    return { failure, rows: [] };
  }
  job.header = parsed.header;
  const type = org.schema.type(job.object);
  if (type === undefined)
    return { failure: `InvalidJob : Unable to find object: ${job.object}`, rows: parsed.rows };
  const fields: FieldDef[] = [];
  for (const name of parsed.header) {
    const f = type.field(name.trim());
    if (f === undefined)
      return { failure: `InvalidBatch : Field name not found : ${name}`, rows: parsed.rows };
    fields.push(f);
  }
  return { type, fields, ...parsed };
}

export function processJob(org: Org, job: IngestJob): void {
  job.systemModstamp = formatDateTime(org.clock());
  const read = readJob(org, job);
  if ("failure" in read) {
    job.state = "Failed";
    job.errorMessage = read.failure;
    job.results = { successful: [], failed: [], unprocessed: read.rows };
    return;
  }
  const { type, fields, header, rows } = read;
  const results: JobResults = { successful: [], failed: [], unprocessed: [] };
  const ctx = { userId: job.createdById };
  const idColumn = fields.findIndex((f) => f.type === "id");
  for (const row of rows) {
    try {
      const outcome = runRow(org, job, type, { header, fields }, row, ctx);
      results.successful.push({ id: outcome.id, created: outcome.created, row });
    } catch (err) {
      if (!(err instanceof RecordFailure)) throw err;
      results.failed.push({
        id: idColumn < 0 ? "" : (row[idColumn] ?? ""),
        error: errorText(err.errors),
        row,
      });
    }
  }
  job.results = results;
  job.numberRecordsProcessed = rows.length;
  job.numberRecordsFailed = results.failed.length;
  job.state = "JobComplete";
}

/** An aborted job processes nothing: every uploaded row is unprocessed. */
export function abortJob(org: Org, job: IngestJob): void {
  job.state = "Aborted";
  job.systemModstamp = formatDateTime(org.clock());
  try {
    const { header, rows } = uploadedRows(job);
    job.header = header;
    job.results = { successful: [], failed: [], unprocessed: rows };
  } catch {
    job.results = { successful: [], failed: [], unprocessed: [] };
  }
}
