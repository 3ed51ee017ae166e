import type { Kysely, Selectable } from "kysely";
import {
  type ChannelState,
  type ChannelStatus,
  type CycleSummary,
  type ProvisionedObject,
  type ProvisionedStatus,
  type ProvisioningEventType,
  type ProvisioningRepository,
  type PushedValue,
  provisioningEventTypes,
  type StoredProvisioningEvent,
} from "../domain/provisioning-ports.ts";
import type { Database } from "./schema.ts";

const channelStatuses: readonly ChannelStatus[] = ["IDLE", "RUNNING", "HELD", "STOPPED", "ERROR"];
const objectStatuses: readonly ProvisionedStatus[] = ["PENDING", "ACTIVE", "INACTIVE", "FROZEN", "FAILED"];

const oneOf = <T extends string>(values: readonly T[], value: string, fallback: T): T =>
  (values as readonly string[]).includes(value) ? (value as T) : fallback;

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

const toChannel = (row: Selectable<Database["prov_channels"]>): ChannelState => ({
  connectionId: row.connection_id,
  channel: row.channel,
  watermark: row.watermark,
  lastFullPassAt: row.last_full_pass_at,
  status: oneOf(channelStatuses, row.status, "IDLE"),
  statusReason: row.status_reason,
  lastCycle: parse<CycleSummary>(row.last_cycle),
  nextCycleAt: row.next_cycle_at,
  confirmedAt: row.confirmed_at,
  updatedAt: row.updated_at,
});

const toObject = (row: Selectable<Database["prov_objects"]>): ProvisionedObject => ({
  connectionId: row.connection_id,
  channel: row.channel,
  kind: row.kind === "group" ? "group" : "user",
  sourceId: row.source_id,
  targetId: row.target_id,
  contactId: row.contact_id,
  name: row.name,
  status: oneOf(objectStatuses, row.status, "FAILED"),
  pushed: parse<Record<string, PushedValue>>(row.pushed) ?? {},
  desiredHash: row.desired_hash,
  lastError: parse<{ code: string; message: string }>(row.last_error),
  attempts: Number(row.attempts),
  updatedAt: row.updated_at,
});

const objectRow = (o: ProvisionedObject) => ({
  connection_id: o.connectionId,
  kind: o.kind,
  source_id: o.sourceId,
  channel: o.channel,
  target_id: o.targetId,
  contact_id: o.contactId,
  name: o.name,
  status: o.status,
  pushed: JSON.stringify(o.pushed),
  desired_hash: o.desiredHash,
  last_error: o.lastError === null ? null : JSON.stringify(o.lastError),
  attempts: o.attempts,
  updated_at: o.updatedAt,
});

/** Rows per statement: well below SQLite's and PostgreSQL's bound-parameter limits. */
const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export const createProvisioningRepository = (db: Kysely<Database>): ProvisioningRepository => ({
  getChannel: async (connectionId, channel) => {
    const row = await db
      .selectFrom("prov_channels")
      .selectAll()
      .where("connection_id", "=", connectionId)
      .where("channel", "=", channel)
      .executeTakeFirst();
    return row && toChannel(row);
  },

  listChannels: async () =>
    (
      await db.selectFrom("prov_channels").selectAll().orderBy("connection_id").orderBy("channel").execute()
    ).map(toChannel),

  putChannel: async (state) => {
    const values = {
      watermark: state.watermark,
      last_full_pass_at: state.lastFullPassAt,
      status: state.status,
      status_reason: state.statusReason,
      last_cycle: state.lastCycle === null ? null : JSON.stringify(state.lastCycle),
      next_cycle_at: state.nextCycleAt,
      confirmed_at: state.confirmedAt,
      updated_at: state.updatedAt,
    };
    await db
      .insertInto("prov_channels")
      .values({ connection_id: state.connectionId, channel: state.channel, ...values })
      .onConflict((oc) => oc.columns(["connection_id", "channel"]).doUpdateSet(values))
      .execute();
  },

  resetChannel: async (connectionId, channel) => {
    await db
      .deleteFrom("prov_objects")
      .where("connection_id", "=", connectionId)
      .where("channel", "=", channel)
      .execute();
    await db
      .deleteFrom("prov_channels")
      .where("connection_id", "=", connectionId)
      .where("channel", "=", channel)
      .execute();
  },

  getObjects: async (connectionId, kind, sourceIds) => {
    const out: ProvisionedObject[] = [];
    for (const ids of chunk(sourceIds, 500)) {
      if (ids.length === 0) continue;
      const rows = await db
        .selectFrom("prov_objects")
        .selectAll()
        .where("connection_id", "=", connectionId)
        .where("kind", "=", kind)
        .where("source_id", "in", ids)
        .execute();
      out.push(...rows.map(toObject));
    }
    return out;
  },

  listObjects: async ({ connectionId, channel, kind, afterSourceId, limit, status }) => {
    let query = db
      .selectFrom("prov_objects")
      .selectAll()
      .where("connection_id", "=", connectionId)
      .where("channel", "=", channel)
      .where("kind", "=", kind);
    if (afterSourceId !== undefined) query = query.where("source_id", ">", afterSourceId);
    if (status !== undefined) query = query.where("status", "=", status);
    return (await query.orderBy("source_id").limit(limit).execute()).map(toObject);
  },

  countObjects: async (connectionId, channel) => {
    const rows = await db
      .selectFrom("prov_objects")
      .select(["status", db.fn.countAll<number>().as("n")])
      .where("connection_id", "=", connectionId)
      .where("channel", "=", channel)
      .where("kind", "=", "user")
      .groupBy("status")
      .execute();
    const counts: Record<ProvisionedStatus, number> = {
      PENDING: 0,
      ACTIVE: 0,
      INACTIVE: 0,
      FROZEN: 0,
      FAILED: 0,
    };
    for (const row of rows) counts[oneOf(objectStatuses, row.status, "FAILED")] += Number(row.n);
    return counts;
  },

  putObjects: async (objects) => {
    for (const rows of chunk(objects.map(objectRow), 200)) {
      if (rows.length === 0) continue;
      await db
        .insertInto("prov_objects")
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["connection_id", "kind", "source_id"]).doUpdateSet((eb) => ({
            channel: eb.ref("excluded.channel"),
            target_id: eb.ref("excluded.target_id"),
            contact_id: eb.ref("excluded.contact_id"),
            name: eb.ref("excluded.name"),
            status: eb.ref("excluded.status"),
            pushed: eb.ref("excluded.pushed"),
            desired_hash: eb.ref("excluded.desired_hash"),
            last_error: eb.ref("excluded.last_error"),
            attempts: eb.ref("excluded.attempts"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
  },

  claimObjects: async (objects) => {
    const claimed = new Set<string>();
    for (const rows of chunk(objects.map(objectRow), 200)) {
      if (rows.length === 0) continue;
      const written = await db
        .insertInto("prov_objects")
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(["connection_id", "kind", "source_id"])
            .doUpdateSet((eb) => ({
              channel: eb.ref("excluded.channel"),
              target_id: eb.ref("excluded.target_id"),
              contact_id: eb.ref("excluded.contact_id"),
              name: eb.ref("excluded.name"),
              status: eb.ref("excluded.status"),
              pushed: eb.ref("excluded.pushed"),
              desired_hash: eb.ref("excluded.desired_hash"),
              last_error: eb.ref("excluded.last_error"),
              attempts: eb.ref("excluded.attempts"),
              updated_at: eb.ref("excluded.updated_at"),
            }))
            .where((eb) =>
              eb.or([
                eb("prov_objects.channel", "=", eb.ref("excluded.channel")),
                eb("prov_objects.status", "=", "INACTIVE"),
              ]),
            ),
        )
        .returning("source_id")
        .execute();
      for (const row of written) claimed.add(row.source_id);
    }
    return claimed;
  },

  deleteObject: async (connectionId, kind, sourceId) => {
    await db
      .deleteFrom("prov_objects")
      .where("connection_id", "=", connectionId)
      .where("kind", "=", kind)
      .where("source_id", "=", sourceId)
      .execute();
  },

  appendEvents: async (events) => {
    for (const batch of chunk(events, 200)) {
      if (batch.length === 0) continue;
      await db
        .insertInto("prov_events")
        .values(
          batch.map((e) => ({
            at: e.at,
            connection_id: e.connectionId,
            channel: e.channel,
            cycle_id: e.cycleId,
            type: e.type,
            source_id: e.sourceId,
            target_id: e.targetId,
            success: e.success ? 1 : 0,
            cause: e.cause,
            detail: e.detail === null ? null : JSON.stringify(e.detail),
          })),
        )
        .execute();
    }
  },

  listEvents: async ({ filter, limit, beforeId }) => {
    let query = db.selectFrom("prov_events").selectAll();
    if (filter.connectionId !== undefined) query = query.where("connection_id", "=", filter.connectionId);
    if (filter.channel !== undefined) query = query.where("channel", "=", filter.channel);
    if (filter.sourceId !== undefined) query = query.where("source_id", "=", filter.sourceId);
    if (filter.type !== undefined) query = query.where("type", "=", filter.type);
    if (filter.success !== undefined) query = query.where("success", "=", filter.success ? 1 : 0);
    if (filter.since !== undefined) query = query.where("at", ">=", filter.since);
    if (beforeId !== undefined) query = query.where("id", "<", beforeId);
    const rows = await query.orderBy("id", "desc").limit(limit).execute();
    return rows.map(
      (row): StoredProvisioningEvent => ({
        id: Number(row.id),
        at: row.at,
        connectionId: row.connection_id,
        channel: row.channel,
        cycleId: row.cycle_id,
        type: oneOf<ProvisioningEventType>(provisioningEventTypes, row.type, "SKIP"),
        sourceId: row.source_id,
        targetId: row.target_id,
        success: Number(row.success) === 1,
        cause: row.cause,
        detail: parse<Record<string, unknown>>(row.detail),
      }),
    );
  },

  countDeprovisions: async (connectionId, channel, since) => {
    const row = await db
      .selectFrom("prov_events")
      .select(db.fn.countAll<number>().as("n"))
      .where("connection_id", "=", connectionId)
      .where("channel", "=", channel)
      .where("type", "in", ["DEACTIVATE", "FREEZE"])
      .where("success", "=", 1)
      .where("at", ">=", since)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  getFieldSpecs: async (connectionId) => {
    const row = await db
      .selectFrom("prov_field_specs")
      .selectAll()
      .where("connection_id", "=", connectionId)
      .executeTakeFirst();
    return row && { fetchedAt: row.fetched_at, specs: JSON.parse(row.specs) as unknown };
  },

  putFieldSpecs: async (connectionId, fetchedAt, specs) => {
    const values = { fetched_at: fetchedAt, specs: JSON.stringify(specs) };
    await db
      .insertInto("prov_field_specs")
      .values({ connection_id: connectionId, ...values })
      .onConflict((oc) => oc.column("connection_id").doUpdateSet(values))
      .execute();
  },
});
