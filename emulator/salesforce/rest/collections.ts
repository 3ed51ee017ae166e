import { deleteRecord, insertRecord, missingRecord, updateRecord } from "../dml.ts";
import { jsonParserError, type RecordError, RecordFailure, recordError, SfError } from "../errors.ts";
import { normalizeId } from "../ids.ts";
import { apiRecord } from "../records.ts";
import type { SObjectType } from "../schema/schema.ts";
import { deserializeRecord, isPlainObject } from "../values.ts";
import { selectFields, sobjectType } from "./sobjects.ts";
import { json, type RestContext, type RestRequest, type RestResponse } from "./types.ts";

/**
 * sObject Collections (salesforce-api.md §2.7): up to 200 records in one call, one SaveResult per
 * record in request order with HTTP 200, `allOrNone` rolling back every record when one fails.
 */

export const maxCollectionSize = 200;

/** A SaveResult; an upsert's also says whether the record was created (UpsertResult). */
export type SaveResult = { id?: string; success: boolean; errors: RecordError[]; created?: boolean };

const locked: RecordError = {
  statusCode: "UNABLE_TO_LOCK_ROW",
  message: "unable to obtain exclusive access to this record or 1 records: 0055g00000EmuLockAAA",
  fields: [],
};

const rolledBack: RecordError = {
  statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
  message: "Record rolled back because not all records were valid and the request was using AllOrNone header",
  fields: [],
};

/** One record's DML; `type` is undefined for an id that names no object (it fails on its own). */
export type Item = { type: SObjectType | undefined; run: () => { id: string; created?: boolean } };

export function tooMany(): SfError {
  return new SfError(
    400,
    "EXCEEDED_ID_LIMIT",
    `record limit reached. cannot submit more than ${maxCollectionSize} records into this call`,
  );
}

/** Runs each record's DML; with allOrNone, any failure undoes all and the rest report ROLLED_BACK. */
export function apply(ctx: RestContext, items: Item[], allOrNone: boolean): SaveResult[] {
  const savepoint = ctx.org.store.savepoint();
  const first = items.find((i) => i.type !== undefined)?.type;
  const results = items.map((item): SaveResult => {
    try {
      // Setup objects (User, GroupMember…) cannot share a transaction with others (§2.7).
      if (item.type !== undefined && first !== undefined && item.type.def.setup !== first.def.setup) {
        throw recordError(
          "MIXED_DML_OPERATION",
          `DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): ${item.type.name}, original object: ${first.name}`,
        );
      }
      if (ctx.isRecordLocked?.() === true) throw new RecordFailure([locked]);
      const done = item.run();
      return done.created === undefined
        ? { id: done.id, success: true, errors: [] }
        : { id: done.id, success: true, errors: [], created: done.created };
    } catch (err) {
      if (err instanceof RecordFailure) return { success: false, errors: err.errors };
      savepoint.rollback();
      throw err;
    }
  });
  if (allOrNone && results.some((r) => !r.success)) {
    savepoint.rollback();
    return results.map((r) => (r.success ? { success: false, errors: [rolledBack] } : r));
  }
  savepoint.release();
  return results;
}

export function collectionBody(req: RestRequest): { records: unknown[]; allOrNone: boolean } {
  if (!isPlainObject(req.body) || !Array.isArray(req.body.records)) {
    throw jsonParserError(
      "Cannot deserialize instance of SObjectCollection: the request must carry a records array",
    );
  }
  if (req.body.records.length > maxCollectionSize) throw tooMany();
  return { records: req.body.records, allOrNone: req.body.allOrNone === true };
}

export function typeOf(ctx: RestContext, record: unknown): SObjectType {
  const attrs = isPlainObject(record) ? record.attributes : undefined;
  const name = isPlainObject(attrs) && typeof attrs.type === "string" ? attrs.type : undefined;
  if (name === undefined) {
    throw new SfError(
      400,
      "INVALID_TYPE",
      "No SObject Type defined in the sobject. Provide a type in the attributes section.",
    );
  }
  const type = ctx.org.schema.type(name);
  if (type === undefined) throw new SfError(400, "INVALID_TYPE", `sObject type '${name}' is not supported.`);
  return type;
}

function create(ctx: RestContext, req: RestRequest): RestResponse {
  const { records, allOrNone } = collectionBody(req);
  // Deserialize every record first: an unknown field fails the whole call, before any DML.
  const items = records.map((raw): Item => {
    const type = typeOf(ctx, raw);
    const { values, id } = deserializeRecord(type, raw);
    return {
      type,
      run: () => {
        if (id !== undefined)
          throw recordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"]);
        return { id: insertRecord(ctx.org, type, values, { userId: ctx.userId }).Id };
      },
    };
  });
  return json(200, apply(ctx, items, allOrNone || ctx.forceAllOrNone));
}

function resolveRecordId(
  ctx: RestContext,
  raw: string | undefined,
  type?: SObjectType,
): { id: string; type: SObjectType } {
  if (raw === undefined) throw recordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"]);
  const id = normalizeId(raw);
  const idType = id === undefined ? undefined : ctx.org.schema.typeOfId(id);
  if (id === undefined || idType === undefined || (type !== undefined && idType !== type)) {
    throw recordError("MALFORMED_ID", `malformed id ${raw}`, ["Id"]);
  }
  return { id, type: idType };
}

function update(ctx: RestContext, req: RestRequest): RestResponse {
  const { records, allOrNone } = collectionBody(req);
  const items = records.map((raw): Item => {
    const type = typeOf(ctx, raw);
    const { values, id } = deserializeRecord(type, raw);
    return {
      type,
      run: () => {
        const target = resolveRecordId(ctx, id, type);
        return { id: updateRecord(ctx.org, type, target.id, values, { userId: ctx.userId }).Id };
      },
    };
  });
  return json(200, apply(ctx, items, allOrNone || ctx.forceAllOrNone));
}

function idList(req: RestRequest): string[] {
  const raw = req.query.ids;
  if (raw === undefined || raw.trim() === "") {
    throw new SfError(400, "MISSING_ARGUMENT", "The ids parameter is required");
  }
  const ids = raw.split(",").map((s) => s.trim());
  if (ids.length > maxCollectionSize) throw tooMany();
  return ids;
}

function remove(ctx: RestContext, req: RestRequest): RestResponse {
  const ids = idList(req);
  const allOrNone = req.query.allOrNone === "true" || ctx.forceAllOrNone;
  const items = ids.map((raw): Item => {
    const id = normalizeId(raw);
    const type = id === undefined ? undefined : ctx.org.schema.typeOfId(id);
    return {
      type,
      run: () => {
        if (id === undefined || type === undefined) throw recordError("MALFORMED_ID", `malformed id ${raw}`);
        if (ctx.org.get(type.name, id) === undefined) throw missingRecord(ctx.org, id);
        deleteRecord(ctx.org, type, id, { userId: ctx.userId });
        return { id };
      },
    };
  });
  return json(200, apply(ctx, items, allOrNone));
}

/** GET `?ids=&fields=` or POST `{ids, fields}`: the records, with null for ids that match nothing. */
function retrieve(ctx: RestContext, req: RestRequest, typeName: string): RestResponse {
  const type = sobjectType(ctx.org, typeName);
  let ids: string[];
  let fieldList: string | undefined;
  if (req.method === "POST") {
    const body = req.body;
    if (!isPlainObject(body) || !Array.isArray(body.ids) || !Array.isArray(body.fields)) {
      throw jsonParserError("Cannot deserialize the request: ids and fields arrays are required");
    }
    ids = body.ids.map(String);
    fieldList = body.fields.map(String).join(",");
    if (ids.length > maxCollectionSize) throw tooMany();
  } else {
    ids = idList(req);
    fieldList = req.query.fields;
  }
  const fields = selectFields(type, fieldList);
  if (fields === undefined) throw new SfError(400, "MISSING_ARGUMENT", "The fields parameter is required");
  return json(
    200,
    ids.map((raw) => {
      const id = normalizeId(raw);
      const record = id === undefined ? undefined : ctx.org.get(type.name, id);
      return record === undefined ? null : apiRecord(ctx.org, type, record, ctx.version, fields);
    }),
  );
}

export function collections(ctx: RestContext, req: RestRequest, typeName: string | undefined): RestResponse {
  if (typeName !== undefined) {
    if (req.method === "GET" || req.method === "POST") return retrieve(ctx, req, typeName);
    throw new SfError(
      405,
      "METHOD_NOT_ALLOWED",
      `HTTP Method '${req.method}' not allowed. Allowed are GET,HEAD,POST`,
    );
  }
  switch (req.method) {
    case "POST":
      return create(ctx, req);
    case "PATCH":
      return update(ctx, req);
    case "DELETE":
      return remove(ctx, req);
    default:
      throw new SfError(
        405,
        "METHOD_NOT_ALLOWED",
        `HTTP Method '${req.method}' not allowed. Allowed are DELETE,PATCH,POST`,
      );
  }
}
