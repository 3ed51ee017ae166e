import { notFound, recordError, SfError } from "../errors.ts";
import { lookupField, upsertRecord } from "../upsert.ts";
import { deserializeRecord } from "../values.ts";
import { apply, collectionBody, type Item, typeOf } from "./collections.ts";
import { sobjectType } from "./sobjects.ts";
import { json, type RestContext, type RestRequest, type RestResponse, versionNumber } from "./types.ts";

/**
 * `PATCH /composite/sobjects/{Type}/{field}` (v46.0 and later): up to 200 records of the URL's type,
 * each matched on the field's value in its own body — inserted, updated, or refused when several
 * records match — with an UpsertResult (`created`) per record and `allOrNone` as for the others.
 */

export function collectionsUpsert(
  ctx: RestContext,
  req: RestRequest,
  typeName: string,
  fieldName: string,
): RestResponse {
  if (versionNumber(ctx) < 46) throw notFound();
  if (req.method !== "PATCH") {
    throw new SfError(
      405,
      "METHOD_NOT_ALLOWED",
      `HTTP Method '${req.method}' not allowed. Allowed are PATCH`,
    );
  }
  const type = sobjectType(ctx.org, typeName);
  const f = lookupField(type, fieldName);
  const { records, allOrNone } = collectionBody(req);
  // The whole call is refused before any DML when a record is of another type or does not parse.
  const items = records.map((raw): Item => {
    const recordType = typeOf(ctx, raw);
    if (recordType !== type) {
      throw new SfError(
        400,
        "INVALID_TYPE",
        `The sObject type ${recordType.name} doesn't match the type in the request URI: ${type.name}`,
      );
    }
    const { values, id } = deserializeRecord(type, raw);
    const { [f.name]: value = null, ...others } = values;
    return {
      type,
      run: () => {
        // "Only external ids are supported. Don't use record ids."
        if (id !== undefined && f.type !== "id") {
          throw recordError("INVALID_FIELD", "cannot specify Id in an upsert call", ["Id"]);
        }
        return upsertRecord(ctx.org, type, f, f.type === "id" ? (id ?? null) : value, others, {
          userId: ctx.userId,
        });
      },
    };
  });
  return json(200, apply(ctx, items, allOrNone || ctx.forceAllOrNone));
}
