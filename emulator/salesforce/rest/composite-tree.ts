import { insertRecord } from "../dml.ts";
import { jsonParserError, type RecordError, RecordFailure, SfError } from "../errors.ts";
import type { SObjectType } from "../schema/schema.ts";
import type { FieldDef } from "../schema/types.ts";
import type { FieldValue } from "../store.ts";
import { deserializeRecord, isPlainObject } from "../values.ts";
import { typeOf } from "./collections.ts";
import { sobjectType } from "./sobjects.ts";
import { json, type RestContext, type RestRequest, type RestResponse } from "./types.ts";

/**
 * `POST /composite/tree/{Type}` (REST API guide, sObject Tree): root records of the URL's type with
 * their children nested under child relationship names (`"Contacts": {"records": […]}`), each with
 * a referenceId. Up to 200 records, five types and five levels. Records are created in the order
 * listed, parents before children, all or none: success is 201 with every referenceId and id;
 * a failure rolls everything back and answers 400 with only the failing record's errors.
 */

export const maxTreeRecords = 200;
const maxTreeDepth = 5;
const maxTreeTypes = 5;

type Node = {
  referenceId: string;
  type: SObjectType;
  values: Record<string, FieldValue>;
  /** The lookup that ties this record to its parent, filled once the parent exists. */
  parentField: FieldDef | undefined;
  children: Node[];
};

type TreeError = { referenceId: string; errors: RecordError[] };

/** A record-level failure found while reading the tree: reported like a DML failure. */
class TreeInputError extends Error {
  constructor(
    readonly referenceId: string,
    readonly errors: RecordError[],
  ) {
    super(errors[0]?.message ?? "invalid tree");
  }
}

const invalidInput = (referenceId: string, message: string): TreeInputError =>
  new TreeInputError(referenceId, [{ statusCode: "INVALID_INPUT", message, fields: [] }]);

type Reading = { count: number; types: Set<string>; referenceIds: Set<string> };

function readRecords(
  ctx: RestContext,
  raw: unknown,
  expected: SObjectType,
  parentField: FieldDef | undefined,
  depth: number,
  reading: Reading,
): Node[] {
  if (!isPlainObject(raw) || !Array.isArray(raw.records)) {
    throw jsonParserError("Cannot deserialize the request: each level needs a records array");
  }
  return raw.records.map((record): Node => {
    reading.count++;
    if (reading.count > maxTreeRecords) {
      throw new SfError(
        400,
        "LIMIT_EXCEEDED",
        `Limit Exceeded: an sObject tree request can have at most ${maxTreeRecords} records`,
      );
    }
    const attrs = isPlainObject(record) ? record.attributes : undefined;
    const referenceId =
      isPlainObject(attrs) && typeof attrs.referenceId === "string" ? attrs.referenceId : "";
    const type = typeOf(ctx, record);
    // A reference ID is unique in the request and starts with a letter (sObject Tree request body).
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(referenceId)) {
      throw invalidInput(referenceId, `Invalid referenceId: '${referenceId}'. It must start with a letter.`);
    }
    if (reading.referenceIds.has(referenceId.toLowerCase())) {
      throw invalidInput(referenceId, "Duplicate ReferenceId provided in the request.");
    }
    reading.referenceIds.add(referenceId.toLowerCase());
    if (type !== expected) {
      throw invalidInput(referenceId, `The record's type ${type.name} doesn't match ${expected.name}.`);
    }
    if (depth > maxTreeDepth)
      throw invalidInput(referenceId, `An sObject tree can be at most ${maxTreeDepth} levels deep.`);
    reading.types.add(type.name);
    if (reading.types.size > maxTreeTypes) {
      throw invalidInput(
        referenceId,
        `An sObject tree request can have records of at most ${maxTreeTypes} types.`,
      );
    }
    const fields: Record<string, unknown> = {};
    const children: Node[] = [];
    for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
      const relation = type.childRelationship(ctx.org.schema.types, key);
      if (relation === undefined) fields[key] = value;
      else children.push(...readRecords(ctx, value, relation.child, relation.field, depth + 1, reading));
    }
    const { values, id } = deserializeRecord(type, fields);
    if (id !== undefined)
      throw invalidInput(referenceId, "The Id field should not be specified in the sobject data.");
    return { referenceId, type, values, parentField, children };
  });
}

function create(
  ctx: RestContext,
  nodes: Node[],
  parentId: string | undefined,
  created: { referenceId: string; id: string }[],
): void {
  for (const node of nodes) {
    const values =
      node.parentField === undefined || parentId === undefined
        ? node.values
        : { ...node.values, [node.parentField.name]: parentId };
    try {
      const record = insertRecord(ctx.org, node.type, values, { userId: ctx.userId });
      created.push({ referenceId: node.referenceId, id: record.Id });
      create(ctx, node.children, record.Id, created);
    } catch (err) {
      if (err instanceof RecordFailure) throw new TreeInputError(node.referenceId, err.errors);
      throw err;
    }
  }
}

function failure(err: TreeInputError): RestResponse {
  const result: TreeError = { referenceId: err.referenceId, errors: err.errors };
  return json(400, { hasErrors: true, results: [result] });
}

export function compositeTree(
  ctx: RestContext,
  req: RestRequest,
  typeName: string | undefined,
): RestResponse {
  if (typeName === undefined) {
    throw new SfError(404, "NOT_FOUND", "The requested resource does not exist");
  }
  if (req.method !== "POST") {
    throw new SfError(405, "METHOD_NOT_ALLOWED", `HTTP Method '${req.method}' not allowed. Allowed are POST`);
  }
  const root = sobjectType(ctx.org, typeName);
  let nodes: Node[];
  try {
    nodes = readRecords(ctx, req.body, root, undefined, 1, {
      count: 0,
      types: new Set(),
      referenceIds: new Set(),
    });
  } catch (err) {
    if (err instanceof TreeInputError) return failure(err);
    throw err;
  }
  const savepoint = ctx.org.store.savepoint();
  const created: { referenceId: string; id: string }[] = [];
  try {
    create(ctx, nodes, undefined, created);
  } catch (err) {
    savepoint.rollback();
    if (err instanceof TreeInputError) return failure(err);
    throw err;
  }
  savepoint.release();
  return json(201, { hasErrors: false, results: created });
}
