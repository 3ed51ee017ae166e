import { describeGlobalEntry, describeObject } from "../describe.ts";
import { deleteRecord, insertRecord, updateRecord } from "../dml.ts";
import { methodNotAllowed, notFound, RecordFailure, SfError, toApiErrors } from "../errors.ts";
import { normalizeId } from "../ids.ts";
import type { Org } from "../org.ts";
import { apiRecord, recordUrl } from "../records.ts";
import type { SObjectType } from "../schema/schema.ts";
import type { FieldDef } from "../schema/types.ts";
import type { SRecord } from "../store.ts";
import { deserializeRecord } from "../values.ts";
import { json, type RestContext, type RestRequest, type RestResponse } from "./types.ts";

/** `/sobjects` resources (salesforce-api.md §2.4–2.5): describe, create, retrieve, update, delete. */

export function sobjectType(org: Org, name: string): SObjectType {
  const t = org.schema.type(name);
  if (t === undefined) throw notFound();
  return t;
}

/** `?fields=a,b` checked against describe, as Salesforce answers an unknown one. */
export function selectFields(type: SObjectType, list: string | undefined): FieldDef[] | undefined {
  if (list === undefined || list.trim() === "") return undefined;
  return list.split(",").map((raw) => {
    const name = raw.trim();
    const f = type.field(name);
    if (f === undefined) {
      throw new SfError(
        400,
        "INVALID_FIELD",
        `No such column '${name}' on entity '${type.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return f;
  });
}

/** A rule failure as a single call's 400; anything else is not ours to answer. */
export function failed(err: unknown): RestResponse {
  if (err instanceof RecordFailure) return json(400, toApiErrors(err));
  throw err;
}

function recordMethods(type: SObjectType): string[] {
  return [
    "HEAD",
    "GET",
    ...(type.def.updateable ? ["PATCH"] : []),
    ...(type.def.deletable ? ["DELETE"] : []),
  ];
}

export function globalDescribe(ctx: RestContext): RestResponse {
  return json(200, {
    encoding: "UTF-8",
    maxBatchSize: 200,
    sobjects: ctx.org.schema.types.map((t) => describeGlobalEntry(t, ctx.version)),
  });
}

export function describe(ctx: RestContext, typeName: string): RestResponse {
  const type = sobjectType(ctx.org, typeName);
  return json(200, describeObject(type, ctx.version, ctx.org.schema.types));
}

export function typeResource(ctx: RestContext, req: RestRequest, typeName: string): RestResponse {
  const type = sobjectType(ctx.org, typeName);
  if (req.method === "GET") {
    return json(200, { objectDescribe: describeGlobalEntry(type, ctx.version), recentItems: [] });
  }
  if (req.method !== "POST" || !type.def.createable) {
    throw methodNotAllowed(req.method, type.def.createable ? ["GET", "HEAD", "POST"] : ["GET", "HEAD"]);
  }
  const { values, id } = deserializeRecord(type, req.body);
  if (id !== undefined) {
    throw new SfError(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
  }
  try {
    const record = insertRecord(ctx.org, type, values, { userId: ctx.userId });
    return json(
      201,
      { id: record.Id, success: true, errors: [] },
      { Location: recordUrl(ctx.version, type.name, record.Id) },
    );
  } catch (err) {
    return failed(err);
  }
}

/** The record an id in a path names; a string that is not an id reads as an external id value. */
function findRecord(org: Org, type: SObjectType, raw: string): SRecord {
  const id = normalizeId(raw);
  if (id === undefined) {
    throw new SfError(
      404,
      "NOT_FOUND",
      `Provided external ID field does not exist or is not accessible: ${raw}`,
    );
  }
  const record = org.get(type.name, id);
  if (record === undefined) throw notFound();
  return record;
}

export function recordResource(
  ctx: RestContext,
  req: RestRequest,
  typeName: string,
  rawId: string,
): RestResponse {
  const type = sobjectType(ctx.org, typeName);
  const allowed = recordMethods(type);
  if (!allowed.includes(req.method)) throw methodNotAllowed(req.method, allowed);
  const record = findRecord(ctx.org, type, rawId);
  const dml = { userId: ctx.userId };
  switch (req.method) {
    case "GET":
      return json(200, apiRecord(ctx.org, type, record, ctx.version, selectFields(type, req.query.fields)));
    case "PATCH": {
      const { values, id } = deserializeRecord(type, req.body);
      if (id !== undefined && normalizeId(id) !== record.Id) {
        throw new SfError(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
      }
      try {
        updateRecord(ctx.org, type, record.Id, values, dml);
        return { status: 204 };
      } catch (err) {
        return failed(err);
      }
    }
    default:
      try {
        deleteRecord(ctx.org, type, record.Id, dml);
        return { status: 204 };
      } catch (err) {
        return failed(err);
      }
  }
}
