import type {
  ProvisioningEventFilter,
  ProvisioningEventType,
  StoredProvisioningEvent,
} from "../../domain/provisioning-ports.ts";
import { csvRow } from "../../lib/csv.ts";
import { invalid } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/**
 * The provisioning events log (PingFederate's provisioner-audit.log): one event per operation,
 * newest first, filtered; read a page at a time, or exported whole as CSV or JSON Lines, streamed
 * page by page so an export of millions of events holds one page in memory.
 */

export type EventQuery = {
  readonly connectionId?: string | undefined;
  readonly channel?: string | undefined;
  /** The source's id of a user: the built-in directory's uid. */
  readonly user?: string | undefined;
  readonly type?: ProvisioningEventType | undefined;
  readonly success?: boolean | undefined;
  /** A date or an ISO 8601 timestamp: events at or after it. */
  readonly since?: string | undefined;
};

export const eventExportFormats = ["csv", "jsonl"] as const;
export type EventExportFormat = (typeof eventExportFormats)[number];

export const eventCsvColumns = [
  "at",
  "cycleId",
  "connectionId",
  "channel",
  "type",
  "sourceId",
  "targetId",
  "success",
  "cause",
] as const;

const isoDate = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

const filterOf = (query: EventQuery): ProvisioningEventFilter => {
  let since: string | undefined;
  if (query.since !== undefined) {
    const at = isoDate.test(query.since) ? new Date(query.since) : undefined;
    // Date() rolls 2026-02-30 over to March; a day that does not exist is a typo, not a date.
    const day = query.since.slice(0, 10);
    const real = !Number.isNaN(Date.parse(day)) && new Date(day).toISOString().startsWith(day);
    if (at === undefined || Number.isNaN(at.getTime()) || !real)
      throw invalid(
        "REQ_VALIDATION",
        "since",
        "must be a date (2026-11-28) or an ISO 8601 timestamp with a zone",
      );
    // Events are stored with ISO timestamps in UTC, compared as text.
    since = at.toISOString();
  }
  return {
    connectionId: query.connectionId,
    channel: query.channel,
    // The built-in directory keys its users by the uid in lower case (uids ignore case).
    sourceId: query.user?.toLowerCase(),
    type: query.type,
    success: query.success,
    since,
  };
};

/** One page, newest first; `next` is the `before` of the page after it, when there is one. */
export const listEvents = async (
  context: ServiceContext,
  query: EventQuery,
  page: { readonly limit: number; readonly before?: number | undefined },
): Promise<{ items: StoredProvisioningEvent[]; next?: number }> => {
  const rows = await context.store.provisioning.listEvents({
    filter: filterOf(query),
    limit: page.limit + 1,
    beforeId: page.before,
  });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return rows.length > page.limit && last ? { items, next: last.id } : { items };
};

const exportPageSize = 500;

const csvOf = (e: StoredProvisioningEvent) =>
  csvRow([
    e.at,
    e.cycleId,
    e.connectionId,
    e.channel,
    e.type,
    e.sourceId ?? "",
    e.targetId ?? "",
    String(e.success),
    e.cause ?? "",
  ]);

/**
 * Every matching event (from `before`, at most `limit` when given), as text chunks of one page
 * each: CSV with a header row, or JSON Lines. The filter is checked before the first chunk.
 */
export const exportEvents = (
  context: ServiceContext,
  query: EventQuery,
  format: EventExportFormat,
  page: { readonly limit?: number | undefined; readonly before?: number | undefined } = {},
): AsyncGenerator<string> => {
  const filter = filterOf(query);
  return (async function* () {
    if (format === "csv") yield csvRow(eventCsvColumns);
    let before = page.before;
    let left = page.limit ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const rows = await context.store.provisioning.listEvents({
        filter,
        limit: Math.min(exportPageSize, left),
        beforeId: before,
      });
      if (rows.length > 0)
        yield rows.map((e) => (format === "csv" ? csvOf(e) : `${JSON.stringify(e)}\n`)).join("");
      left -= rows.length;
      const last = rows.at(-1);
      if (!last || rows.length < exportPageSize) break;
      before = last.id;
    }
  })();
};
