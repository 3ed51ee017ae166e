import { jsonParserError, SfError } from "../errors.ts";
import { isPlainObject } from "../values.ts";
import { json, type RestContext, type RestRequest, type RestResponse } from "./types.ts";

/**
 * Composite (salesforce-api.md §2.8): up to 25 subrequests run in order in one call, later ones
 * reading earlier results through `@{referenceId.path}`; with allOrNone one failure rolls back all
 * and every other subrequest reports PROCESSING_HALTED.
 */

export const maxSubrequests = 25;

type Dispatch = (ctx: RestContext, req: RestRequest) => RestResponse;

type Subrequest = { method: string; url: string; referenceId: string; body: unknown };

type SubResponse = {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
};

const halted = (message: string): SubResponse["body"] => [{ errorCode: "PROCESSING_HALTED", message }];
const rolledBackMessage =
  "The transaction was rolled back since another operation in the same transaction failed.";

function readSubrequests(body: unknown): { subrequests: Subrequest[]; allOrNone: boolean } {
  if (!isPlainObject(body) || !Array.isArray(body.compositeRequest)) {
    throw jsonParserError("Cannot deserialize the request: compositeRequest is required");
  }
  if (body.compositeRequest.length > maxSubrequests) {
    throw new SfError(
      400,
      "LIMIT_EXCEEDED",
      `Limit Exceeded: the composite request can have at most ${maxSubrequests} subrequests`,
    );
  }
  const seen = new Set<string>();
  const subrequests = body.compositeRequest.map((raw): Subrequest => {
    if (!isPlainObject(raw) || typeof raw.method !== "string" || typeof raw.url !== "string") {
      throw jsonParserError("Cannot deserialize a subrequest: method and url are required");
    }
    const referenceId = raw.referenceId;
    if (typeof referenceId !== "string" || !/^[A-Za-z0-9_]+$/.test(referenceId)) {
      throw new SfError(400, "INVALID_INPUT", `Invalid referenceId: ${String(referenceId)}`);
    }
    if (seen.has(referenceId)) {
      throw new SfError(
        400,
        "INVALID_INPUT",
        `Duplicate referenceId provided in the request: ${referenceId}`,
      );
    }
    seen.add(referenceId);
    return { method: raw.method.toUpperCase(), url: raw.url, referenceId, body: raw.body };
  });
  return { subrequests, allOrNone: body.allOrNone === true };
}

class UnresolvedReference extends Error {}

/** Reads `records[0].Id`-style paths from an earlier subrequest's body. */
function lookup(results: Map<string, unknown>, expression: string): unknown {
  const match = /^([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)$/.exec(expression);
  const refId = match?.[1] ?? "";
  if (match === null || !results.has(refId)) throw new UnresolvedReference(expression);
  let current: unknown = results.get(refId);
  for (const part of (match[2] ?? "").match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    const key = part.startsWith("[") ? Number(part.slice(1, -1)) : part.slice(1);
    if (Array.isArray(current) && typeof key === "number") current = current[key];
    else if (isPlainObject(current) && typeof key === "string") current = current[key];
    else current = undefined;
    if (current === undefined) throw new UnresolvedReference(expression);
  }
  return current;
}

const reference = /@\{([^}]+)\}/g;

function substitute(value: unknown, results: Map<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = /^@\{([^}]+)\}$/.exec(value);
    if (whole !== null) return lookup(results, whole[1] ?? "");
    return value.replace(reference, (_m, expr: string) => String(lookup(results, expr)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  }
  return value;
}

function toRestRequest(ctx: RestContext, sub: Subrequest, results: Map<string, unknown>): RestRequest {
  const url = String(substitute(sub.url, results));
  const parsed = new URL(url, "http://composite.invalid");
  const prefix = `/services/data/v${ctx.version}`;
  if (!parsed.pathname.startsWith(`${prefix}/`)) {
    throw new SfError(400, "INVALID_INPUT", `The URL must start with ${prefix}: ${url}`);
  }
  return {
    method: sub.method,
    path: parsed.pathname.slice(prefix.length),
    query: Object.fromEntries(parsed.searchParams),
    body: substitute(sub.body, results),
    headers: {},
  };
}

export function composite(ctx: RestContext, req: RestRequest, dispatch: Dispatch): RestResponse {
  if (req.method !== "POST") {
    throw new SfError(405, "METHOD_NOT_ALLOWED", `HTTP Method '${req.method}' not allowed. Allowed are POST`);
  }
  if (ctx.inComposite)
    throw new SfError(400, "INVALID_INPUT", "A composite request can't contain another composite request");
  const { subrequests, allOrNone } = readSubrequests(req.body);
  const inner: RestContext = { ...ctx, inComposite: true, forceAllOrNone: allOrNone };
  const results = new Map<string, unknown>();
  const responses: SubResponse[] = [];
  const savepoint = ctx.org.store.savepoint();
  let failedAt = -1;
  for (const [i, sub] of subrequests.entries()) {
    let response: RestResponse;
    try {
      response = dispatch(inner, toRestRequest(ctx, sub, results));
    } catch (err) {
      if (err instanceof UnresolvedReference) {
        const refId = err.message.split(/[.[]/)[0] ?? err.message;
        response = json(
          400,
          halted(
            `Invalid reference specified. No value for ${err.message} found in ${refId}. Provided referenceId ('${refId}') must be the referenceId of a previous successful request.`,
          ),
        );
      } else if (err instanceof SfError) {
        response = json(err.status, err.toBody());
      } else {
        savepoint.rollback();
        throw err;
      }
    }
    responses.push({
      body: response.body ?? null,
      httpHeaders: response.headers ?? {},
      httpStatusCode: response.status,
      referenceId: sub.referenceId,
    });
    if (response.status < 400) results.set(sub.referenceId, response.body);
    else if (allOrNone) {
      failedAt = i;
      break;
    }
  }
  if (failedAt >= 0) {
    savepoint.rollback();
    const out = subrequests.map((sub, i): SubResponse => {
      const own = responses[i];
      if (i === failedAt && own !== undefined) return own;
      return {
        body: halted(rolledBackMessage),
        httpHeaders: {},
        httpStatusCode: 400,
        referenceId: sub.referenceId,
      };
    });
    return json(200, { compositeResponse: out });
  }
  savepoint.release();
  return json(200, { compositeResponse: responses });
}
