import { jobsResource } from "../bulk/routes.ts";
import { methodNotAllowed, notFound, SfError } from "../errors.ts";
import { identityUrl } from "../oauth/identity.ts";
import type { Org } from "../org.ts";
import { collections } from "./collections.ts";
import { collectionsUpsert } from "./collections-upsert.ts";
import { composite } from "./composite.ts";
import { compositeBatch } from "./composite-batch.ts";
import { compositeTree } from "./composite-tree.ts";
import { externalIdResource } from "./external-id.ts";
import { query, queryMore } from "./query.ts";
import { describe, globalDescribe, recordResource, typeResource } from "./sobjects.ts";
import { json, type RestContext, type RestRequest, type RestResponse } from "./types.ts";

/** Routes a REST call below `/services/data/vNN.0` to its resource (salesforce-api.md §2). */

/** Release names run Spring, Summer, Winter; v66.0 is Spring '26, and each release adds 1.0 (§2.1). */
function releaseLabel(version: number): string {
  const back = 66 - version;
  const year = 26 - Math.floor(back / 3) - (back % 3 === 2 ? 1 : 0);
  const season = ["Spring", "Winter", "Summer"][((back % 3) + 3) % 3] ?? "Spring";
  return `${season} '${String(year).padStart(2, "0")}`;
}

export function versionList(org: Org): { label: string; url: string; version: string }[] {
  const out = [];
  for (let v = org.settings.minApiVersion; v <= org.settings.maxApiVersion; v++) {
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

/** Splits `/vNN.0/rest…`; a version outside the org's range is not found, as on Salesforce. */
export function splitVersion(org: Org, path: string): { version: string; rest: string } {
  const match = /^\/v(\d+)\.0(\/.*)?$/.exec(path);
  const n = match === null ? Number.NaN : Number(match[1]);
  if (match === null || n > org.settings.maxApiVersion) throw notFound();
  if (n < org.settings.minApiVersion) {
    throw new SfError(
      410,
      "API_VERSION_RETIRED",
      `API version ${n}.0 has been retired and is no longer supported.`,
    );
  }
  return { version: `${n}.0`, rest: match[2] ?? "" };
}

function segments(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

function limits(ctx: RestContext): RestResponse {
  const s = ctx.org.settings;
  const pair = (max: number, remaining: number) => ({ Max: max, Remaining: remaining });
  return json(200, {
    ConcurrentAsyncGetReportInstances: pair(200, 200),
    DailyApiRequests: pair(s.dailyApiRequests, Math.max(0, s.dailyApiRequests - s.apiRequestsUsed)),
    DailyAsyncApexExecutions: pair(250000, 250000),
    DailyBulkApiBatches: pair(15000, 15000),
    DailyBulkV2QueryJobs: pair(10000, 10000),
    DataStorageMB: pair(5, 5),
    FileStorageMB: pair(20, 20),
    HourlyTimeBasedWorkflow: pair(1000, 1000),
    SingleEmail: pair(15, 15),
  });
}

/** The resources this version serves, and `identity`: the identity URL of the token's user (§1.7). */
function resources(ctx: RestContext): Record<string, string> {
  const base = `/services/data/v${ctx.version}`;
  return {
    sobjects: `${base}/sobjects`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    composite: `${base}/composite`,
    limits: `${base}/limits`,
    identity: identityUrl(ctx.org, ctx.userId),
  };
}

export function dispatch(ctx: RestContext, req: RestRequest): RestResponse {
  const s = segments(req.path);
  const [first, second, third, fourth, ...extra] = s;
  const only = (...methods: string[]): void => {
    if (!methods.includes(req.method)) throw methodNotAllowed(req.method, ["HEAD", ...methods]);
  };
  if (first === "jobs") return jobsResource(ctx, req, s.slice(1));
  if (extra.length > 0) throw notFound();
  switch (first) {
    case undefined:
      only("GET");
      return json(200, resources(ctx));
    case "sobjects":
      if (second === undefined) {
        only("GET");
        return globalDescribe(ctx);
      }
      if (third === undefined) return typeResource(ctx, req, second);
      if (fourth === undefined) {
        if (third.toLowerCase() === "describe") {
          only("GET");
          return describe(ctx, second);
        }
        // POST to `/sobjects/{Type}/Id` creates a record: Id as the external ID, with no value (v37.0).
        if (third.toLowerCase() === "id" && req.method === "POST" && Number(ctx.version) >= 37) {
          return typeResource(ctx, req, second);
        }
        return recordResource(ctx, req, second, third);
      }
      return externalIdResource(ctx, req, second, third, fourth);
    case "query":
    case "queryAll":
      if (third !== undefined) throw notFound();
      return second === undefined ? query(ctx, req) : queryMore(ctx, req, second);
    case "composite":
      if (second === undefined) {
        if (fourth !== undefined || third !== undefined) throw notFound();
        return composite(ctx, req, dispatch);
      }
      if (second === "sobjects") {
        if (third !== undefined && fourth !== undefined) return collectionsUpsert(ctx, req, third, fourth);
        return collections(ctx, req, third);
      }
      if (fourth !== undefined) throw notFound();
      if (second === "batch" && third === undefined) return compositeBatch(ctx, req, dispatch);
      if (second === "tree") return compositeTree(ctx, req, third);
      throw notFound();
    case "limits":
      if (second !== undefined) throw notFound();
      only("GET");
      return limits(ctx);
    default:
      throw notFound();
  }
}
