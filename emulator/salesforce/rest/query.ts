import { SfError } from "../errors.ts";
import { IdGenerator, keyPrefixes } from "../ids.ts";
import { runSoql } from "../soql/evaluate.ts";
import { json, type RestContext, type RestRequest, type RestResponse } from "./types.ts";

/**
 * `query`, `queryAll` and query locators (salesforce-api.md §2.6): at most `batchSize` records per
 * page (Sforce-Query-Options, 200–2000, default 2000), `nextRecordsUrl` = `…/query/<locator>-<offset>`.
 */

type Cursor = { records: Record<string, unknown>[]; totalSize: number };

/** Open query cursors; the oldest are dropped past a cap, as Salesforce limits open locators. */
export class QueryLocators {
  readonly #open = new Map<string, Cursor>();
  readonly #ids = new IdGenerator("0A");

  constructor(readonly cap = 50) {}

  open(cursor: Cursor): string {
    const id = this.#ids.next(keyPrefixes.QueryLocator);
    this.#open.set(id, cursor);
    while (this.#open.size > this.cap) {
      const oldest = this.#open.keys().next().value;
      if (oldest === undefined) break;
      this.#open.delete(oldest);
    }
    return id;
  }

  get(id: string): Cursor | undefined {
    return this.#open.get(id);
  }

  close(id: string): void {
    this.#open.delete(id);
  }

  clear(): void {
    this.#open.clear();
  }
}

function batchSize(req: RestRequest): number {
  const header = req.headers["sforce-query-options"] ?? "";
  const match = /batchSize\s*=\s*(\d+)/i.exec(header);
  if (match === null) return 2000;
  return Math.min(2000, Math.max(200, Number(match[1])));
}

function page(
  ctx: RestContext,
  cursor: Cursor,
  locator: string | undefined,
  offset: number,
  size: number,
): RestResponse {
  const records = cursor.records.slice(offset, offset + size);
  const next = offset + records.length;
  const body: Record<string, unknown> = { totalSize: cursor.totalSize, done: next >= cursor.records.length };
  if (next < cursor.records.length) {
    const id = locator ?? ctx.locators.open(cursor);
    body.nextRecordsUrl = `/services/data/v${ctx.version}/query/${id}-${next}`;
  } else if (locator !== undefined) {
    ctx.locators.close(locator);
  }
  body.records = records;
  return json(200, body);
}

export function query(ctx: RestContext, req: RestRequest): RestResponse {
  if (req.method !== "GET")
    throw new SfError(
      405,
      "METHOD_NOT_ALLOWED",
      `HTTP Method '${req.method}' not allowed. Allowed are HEAD,GET`,
    );
  const q = req.query.q;
  if (q === undefined) {
    throw new SfError(400, "MALFORMED_QUERY", "SOQL statements cannot be empty or null");
  }
  const result = runSoql(ctx.org, q, ctx.version);
  return page(ctx, { records: result.records, totalSize: result.totalSize }, undefined, 0, batchSize(req));
}

export function queryMore(ctx: RestContext, req: RestRequest, locatorAndOffset: string): RestResponse {
  const match = /^([0-9A-Za-z]{15,18})-(\d+)$/.exec(locatorAndOffset);
  const cursor = match === null ? undefined : ctx.locators.get(match[1] ?? "");
  if (match === null || cursor === undefined) {
    throw new SfError(404, "INVALID_QUERY_LOCATOR", "invalid query locator");
  }
  return page(ctx, cursor, match[1], Number(match[2]), batchSize(req));
}
