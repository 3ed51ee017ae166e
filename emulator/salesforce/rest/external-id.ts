import { deleteRecord } from "../dml.ts";
import { methodNotAllowed, notFound, SfError } from "../errors.ts";
import { apiRecord, recordUrl } from "../records.ts";
import type { SObjectType } from "../schema/schema.ts";
import type { FieldDef } from "../schema/types.ts";
import type { SRecord } from "../store.ts";
import { lookupField, matchByField, upsertRecord } from "../upsert.ts";
import { deserializeRecord } from "../values.ts";
import { failed, recordResource, selectFields, sobjectType } from "./sobjects.ts";
import { json, type RestContext, type RestRequest, type RestResponse, versionNumber } from "./types.ts";

/**
 * `/sobjects/{Type}/{field}/{value}` (sObject Rows by External ID): GET, PATCH (upsert) and DELETE
 * by an External ID or idLookup field. Several matches answer 300 with their URLs and change
 * nothing; Id as the field is the record resource itself.
 */

function multipleChoices(ctx: RestContext, type: SObjectType, matches: SRecord[]): RestResponse {
  return json(
    300,
    matches.map((r) => recordUrl(ctx.version, type.name, r.Id)),
  );
}

/** The created flag appears from v46.0; before, an update answered 204 (REST API guide, upsert). */
function upsert(
  ctx: RestContext,
  req: RestRequest,
  type: SObjectType,
  f: FieldDef,
  raw: string,
): RestResponse {
  const { values, id } = deserializeRecord(type, req.body ?? {});
  if (id !== undefined) {
    throw new SfError(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
  }
  // "Do not specify Id or an external ID field in the request body": the URL carries its value.
  if (f.name in values) {
    throw new SfError(
      400,
      "INVALID_FIELD",
      `The ${f.name} field should not be specified in the sobject data.`,
      [f.name],
    );
  }
  const value = deserializeRecord(type, { [f.name]: raw }).values[f.name] ?? null;
  const matches = matchByField(ctx.org, type, f, value);
  if (matches.length > 1) return multipleChoices(ctx, type, matches);
  // updateOnly=true (v61.0) turns a miss into NOT_FOUND instead of an insert.
  if (matches.length === 0 && req.query.updateOnly === "true" && versionNumber(ctx) >= 61) throw notFound();
  let outcome: { id: string; created: boolean };
  try {
    outcome = upsertRecord(ctx.org, type, f, value, values, { userId: ctx.userId });
  } catch (err) {
    return failed(err);
  }
  const withFlag = versionNumber(ctx) >= 46;
  const body = {
    id: outcome.id,
    success: true,
    errors: [],
    ...(withFlag ? { created: outcome.created } : {}),
  };
  if (outcome.created) return json(201, body, { Location: recordUrl(ctx.version, type.name, outcome.id) });
  return withFlag ? json(200, body) : { status: 204 };
}

export function externalIdResource(
  ctx: RestContext,
  req: RestRequest,
  typeName: string,
  fieldName: string,
  value: string,
): RestResponse {
  const type = sobjectType(ctx.org, typeName);
  const f = lookupField(type, fieldName);
  if (f.type === "id") return recordResource(ctx, req, typeName, value);
  const allowed = [
    "HEAD",
    "GET",
    ...(type.def.updateable || type.def.createable ? ["PATCH"] : []),
    ...(type.def.deletable ? ["DELETE"] : []),
  ];
  if (!allowed.includes(req.method)) throw methodNotAllowed(req.method, allowed);
  if (req.method === "PATCH") return upsert(ctx, req, type, f, value);
  const matches = matchByField(ctx.org, type, f, value);
  const [first] = matches;
  if (first === undefined) throw notFound();
  if (matches.length > 1) return multipleChoices(ctx, type, matches);
  if (req.method === "DELETE") {
    try {
      deleteRecord(ctx.org, type, first.Id, { userId: ctx.userId });
      return { status: 204 };
    } catch (err) {
      return failed(err);
    }
  }
  return json(200, apiRecord(ctx.org, type, first, ctx.version, selectFields(type, req.query.fields)));
}
