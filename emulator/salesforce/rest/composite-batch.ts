import { jsonParserError, notFound, SfError } from "../errors.ts";
import { isPlainObject } from "../values.ts";
import { json, type RestContext, type RestRequest, type RestResponse, versionNumber } from "./types.ts";

/**
 * `POST /composite/batch` (REST API guide, Composite Batch): up to 25 independent subrequests, run
 * in order, each committing on its own — a failure rolls nothing back. With `haltOnError` the
 * subrequests after a failure answer 412 BATCH_PROCESSING_HALTED. The call answers 200 with
 * `{hasErrors, results: [{statusCode, result}]}`. Unlike /composite, each subrequest counts
 * against the API limit.
 */

export const maxBatchSubrequests = 25;

type Dispatch = (ctx: RestContext, req: RestRequest) => RestResponse;

type Subrequest = {
  method: string;
  version: number;
  path: string;
  query: Record<string, string>;
  body: unknown;
};

type BatchResult = { statusCode: number; result: unknown };

/** Batchable resources: limits, sObject resources, query and queryAll (v34.0). */
const batchable = /^\/(?:limits|sobjects|query|queryAll)(?:\/|$)/;

const methods = new Set(["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]);

/** A subrequest url: `vNN.N/…`, `/vNN.N/…` or `/services/data/vNN.N/…`, no later than the batch's version. */
function readUrl(ctx: RestContext, url: string): Omit<Subrequest, "method" | "body"> {
  const parsed = new URL(url.startsWith("/") ? url : `/${url}`, "http://batch.invalid");
  const match = /^(?:\/services\/data)?\/v(\d+)\.\d(\/.*)?$/.exec(parsed.pathname);
  const version = Number(match?.[1]);
  if (match === null || version < 34 || version > versionNumber(ctx)) {
    throw new SfError(
      400,
      "INVALID_INPUT",
      `The url of a subrequest must name a version from 34.0 to ${ctx.version}: ${url}`,
    );
  }
  return { version, path: match[2] ?? "", query: Object.fromEntries(parsed.searchParams) };
}

/** The whole request is refused, with nothing run, when the batch or one subrequest is malformed. */
function readBatch(ctx: RestContext, body: unknown): { subrequests: Subrequest[]; haltOnError: boolean } {
  if (!isPlainObject(body) || !Array.isArray(body.batchRequests)) {
    throw jsonParserError("Cannot deserialize the request: batchRequests is required");
  }
  if (body.batchRequests.length > maxBatchSubrequests) {
    throw new SfError(
      400,
      "LIMIT_EXCEEDED",
      `Limit Exceeded: a batch request can have at most ${maxBatchSubrequests} subrequests`,
    );
  }
  const subrequests = body.batchRequests.map((raw): Subrequest => {
    if (!isPlainObject(raw) || typeof raw.method !== "string" || typeof raw.url !== "string") {
      throw jsonParserError("Cannot deserialize a subrequest: method and url are required");
    }
    const method = raw.method.toUpperCase();
    if (!methods.has(method)) throw new SfError(400, "INVALID_INPUT", `Invalid method: ${raw.method}`);
    return { method, ...readUrl(ctx, raw.url), body: raw.richInput };
  });
  return { subrequests, haltOnError: body.haltOnError === true };
}

const halted: BatchResult = {
  statusCode: 412,
  result: [{ errorCode: "BATCH_PROCESSING_HALTED", message: "Batch processing halted per request" }],
};

export function compositeBatch(ctx: RestContext, req: RestRequest, dispatch: Dispatch): RestResponse {
  if (req.method !== "POST") {
    throw new SfError(405, "METHOD_NOT_ALLOWED", `HTTP Method '${req.method}' not allowed. Allowed are POST`);
  }
  if (ctx.inComposite)
    throw new SfError(400, "INVALID_INPUT", "A batch request can't contain a composite request");
  const { subrequests, haltOnError } = readBatch(ctx, req.body);
  const results: BatchResult[] = [];
  let halt = false;
  for (const [i, sub] of subrequests.entries()) {
    if (halt) {
      results.push(halted);
      continue;
    }
    let response: RestResponse;
    try {
      // The batch's own call covers its first subrequest; each further one is a call of its own.
      if (i > 0) ctx.countCall();
      if (!batchable.test(sub.path)) throw notFound();
      response = dispatch(
        { ...ctx, version: `${sub.version}.0`, inComposite: true },
        { method: sub.method, path: sub.path, query: sub.query, body: sub.body, headers: {} },
      );
    } catch (err) {
      if (!(err instanceof SfError)) throw err;
      response = json(err.status, err.toBody());
    }
    results.push({ statusCode: response.status, result: response.body ?? null });
    if (response.status >= 400 && haltOnError) halt = true;
  }
  return json(200, { hasErrors: results.some((r) => r.statusCode >= 400), results });
}
