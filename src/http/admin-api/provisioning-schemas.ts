import { type TSchema, Type } from "@sinclair/typebox";
import { AttributeMapping } from "../../domain/channel.ts";
import { provisioningEventTypes } from "../../domain/provisioning-ports.ts";
import { union } from "../../domain/typebox.ts";

/**
 * The shapes of `/provisioning/…` (channels, cycles, fields, events) for the route schemas.
 * Responses are serialized through these, so a field missing here never reaches the caller: the
 * values a provisioned user was last pushed (masked ones among them) stay out on purpose.
 */

const Text = Type.String();
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Counts = Type.Record(Type.String(), Type.Integer(), {
  description: "successful operations by event type (CREATE, UPDATE, DEACTIVATE, …)",
});
const Anything = Type.Record(Type.String(), Type.Unknown());

export const ConnectionParams = Type.Object(
  { connectionId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const ChannelParams = Type.Object(
  {
    connectionId: Type.String({ minLength: 1, maxLength: 128 }),
    channelName: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const CycleSummary = Type.Object({
  cycleId: Text,
  kind: union(["incremental", "full", "user"] as const),
  startedAt: Text,
  endedAt: Text,
  counts: Counts,
  failures: Type.Integer({ description: "operations Salesforce refused" }),
  apiCalls: Type.Integer(),
  message: nullable(Text),
});

const channelStates = "IDLE, RUNNING, HELD (waits for confirm), STOPPED (the source looked unsound), ERROR";

export const ChannelState = Type.Object({
  connectionId: Text,
  channel: Text,
  watermark: nullable(Text),
  lastFullPassAt: nullable(Text),
  status: Type.String({ description: channelStates }),
  statusReason: nullable(Text),
  lastCycle: nullable(CycleSummary),
  nextCycleAt: nullable(Text),
  confirmedAt: nullable(Text),
  updatedAt: Text,
});

export const ChannelStatusView = Type.Object({
  connectionId: Text,
  connectionName: Text,
  channelName: Text,
  active: Type.Boolean(),
  state: Type.String({ description: `${channelStates}, or NEVER_RUN` }),
  stateReason: nullable(Text),
  running: Type.Boolean({ description: "a cycle of this channel runs on this node now" }),
  progress: nullable(
    Type.Object(
      { startedAt: Text, updatedAt: Text, counts: Counts },
      { description: "how far the cycle running on this node got, updated after each page" },
    ),
  ),
  lastError: nullable(
    Type.Object(
      { at: Text, code: Text, message: Text },
      { description: "why the last run on this node failed before it could record a state" },
    ),
  ),
  watermark: nullable(Text),
  lastCycle: nullable(CycleSummary),
  lastFullPassAt: nullable(Text),
  nextCycleAt: nullable(Text),
  users: Type.Record(Type.String(), Type.Integer(), {
    description: "the channel's users by status: PENDING, ACTIVE, INACTIVE, FROZEN, FAILED",
  }),
});

export const RunBody = Type.Object(
  {
    wait: Type.Optional(Type.Boolean({ default: false, description: "answer when the cycle ends" })),
    full: Type.Optional(Type.Boolean({ description: "a full pass, which finds deletions and drift" })),
  },
  { additionalProperties: false },
);

export const RetryBody = Type.Object(
  { wait: Type.Optional(Type.Boolean({ default: false, description: "answer when the cycle ends" })) },
  { additionalProperties: false },
);

export const CycleResult = Type.Object({ summary: CycleSummary, state: ChannelState });
export const Accepted = Type.Object({ accepted: Type.Literal(true) });

export const PreviewBody = Type.Object(
  {
    full: Type.Optional(Type.Boolean()),
    user: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: "only what this user would become" }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10000, description: "operations listed (all are counted)" }),
    ),
  },
  { additionalProperties: false },
);

const UserStep = Type.Object({ step: Text, detail: Anything });

export const Preview = Type.Union([
  Type.Object({ kind: Type.Literal("user"), steps: Type.Array(UserStep) }),
  Type.Object({
    kind: union(["incremental", "full"] as const),
    counts: Counts,
    held: Type.Integer({ description: "deactivations the safety limit would hold" }),
    total: Type.Integer(),
    operations: Type.Array(Anything, { description: "field by field; masked fields masked" }),
    apiCalls: Type.Integer({ description: "read-only calls the preview made" }),
  }),
]);

export const ProvisionUserBody = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 256, description: "the source user's id (uid)" }) },
  { additionalProperties: false },
);

export const ProvisionUserResult = Type.Object({
  steps: Type.Array(UserStep),
  state: nullable(
    Type.Object({
      sourceId: Text,
      targetId: nullable(Text),
      contactId: nullable(Text),
      name: Text,
      status: Type.String({ description: "PENDING, ACTIVE, INACTIVE, FROZEN or FAILED" }),
      lastError: nullable(Type.Object({ code: Text, message: Text })),
      attempts: Type.Integer(),
      updatedAt: Text,
    }),
  ),
});

const FieldSpec = Type.Object({
  name: Text,
  label: Text,
  type: Text,
  length: Type.Integer(),
  required: Type.Boolean({ description: "createable, not nillable, not defaulted" }),
  createable: Type.Boolean(),
  updateable: Type.Boolean(),
  custom: Type.Boolean(),
  picklistValues: Type.Optional(Type.Array(Text)),
  defaultPicklistValue: Type.Optional(Text),
});
const perObject = <T extends TSchema>(schema: T) =>
  Type.Object({ User: schema, Contact: Type.Optional(schema) });

export const FieldReport = Type.Object({
  fetchedAt: Text,
  fields: perObject(Type.Array(FieldSpec)),
  required: perObject(Type.Array(Text)),
  custom: perObject(Type.Array(Text)),
  channels: Type.Array(
    Type.Object({
      name: Text,
      active: Type.Boolean(),
      problems: Type.Array(Type.Object({ field: Type.Optional(Text), message: Text }), {
        description: "required fields unmapped, mapped fields that vanished, bad picklist defaults",
      }),
    }),
  ),
});

export const DefaultMapping = Type.Object({
  dataSource: Text,
  attributeMapping: Type.Array(AttributeMapping),
});

export const EventQuery = Type.Object(
  {
    connectionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "the source user's id" })),
    type: Type.Optional(union(provisioningEventTypes)),
    success: Type.Optional(union(["true", "false"] as const)),
    since: Type.Optional(Type.String({ maxLength: 64, description: "a date or an ISO 8601 timestamp" })),
    limit: Type.Optional(
      Type.String({ pattern: "^[1-9][0-9]{0,3}$", description: "1 to 1000; default 100 (exports: all)" }),
    ),
    before: Type.Optional(
      Type.String({ pattern: "^[1-9][0-9]{0,15}$", description: "the `next` of a page" }),
    ),
    format: Type.Optional(
      union(["json", "csv", "jsonl"] as const, "or Accept: text/csv, application/x-ndjson; default json"),
    ),
  },
  { additionalProperties: false },
);

export const ProvisioningEvent = Type.Object({
  id: Type.Integer(),
  at: Text,
  connectionId: Text,
  channel: Text,
  cycleId: Text,
  type: Text,
  sourceId: nullable(Text),
  targetId: nullable(Text),
  success: Type.Boolean(),
  cause: nullable(Text),
  detail: nullable(Anything),
});

export const EventPage = Type.Object({
  items: Type.Array(ProvisioningEvent),
  next: Type.Optional(Type.Integer({ description: "pass as `before` for the next page" })),
});
