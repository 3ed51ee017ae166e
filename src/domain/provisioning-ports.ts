/**
 * What the provisioning engine keeps between cycles, per connection and channel: where the
 * channel stands (its watermark, status, the last cycle), one row per source object it
 * provisioned (source id ↔ Salesforce id, the values last pushed, the last error), and one event
 * per operation. `store/` implements these for SQLite and PostgreSQL.
 */

export type ProvisionedKind = "user" | "group";

/**
 * - `PENDING`: a write was sent or is about to be and its outcome is not recorded yet (a create,
 *   or an update, status change or permission-set change of a linked user); after a crash or a
 *   timeout the next cycle reads the user from Salesforce (by id when linked, else by name) and
 *   adopts what it finds, so nothing is created twice and no change is taken for done or undone.
 * - `ACTIVE`, `INACTIVE`, `FROZEN`: as in Salesforce (`IsActive`, `UserLogin.IsFrozen`).
 * - `FAILED`: Salesforce refused it; retried when its source changes, or on request.
 */
export type ProvisionedStatus = "PENDING" | "ACTIVE" | "INACTIVE" | "FROZEN" | "FAILED";

/** A value pushed to one Salesforce field (multi-valued fields: permission sets, group members). */
export type PushedValue = string | boolean | readonly string[] | null;

export type ProvisionedObject = {
  readonly connectionId: string;
  /** The channel that owns it: one channel handles one user at a time. */
  readonly channel: string;
  readonly kind: ProvisionedKind;
  readonly sourceId: string;
  readonly targetId: string | null;
  /** The Contact behind a community user. */
  readonly contactId: string | null;
  /** Username of a user, Name of a group: how it is found again in Salesforce. */
  readonly name: string;
  readonly status: ProvisionedStatus;
  /** Field → value last pushed; what the next update compares against. */
  readonly pushed: Readonly<Record<string, PushedValue>>;
  /** Hash of the desired record the last attempt was for (a failed one is retried when it changes). */
  readonly desiredHash: string | null;
  readonly lastError: { readonly code: string; readonly message: string } | null;
  readonly attempts: number;
  readonly updatedAt: string;
};

export type ChannelStatus = "IDLE" | "RUNNING" | "HELD" | "STOPPED" | "ERROR";

export type CycleSummary = {
  readonly cycleId: string;
  readonly kind: "incremental" | "full" | "user";
  readonly startedAt: string;
  readonly endedAt: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly failures: number;
  readonly apiCalls: number;
  readonly message: string | null;
};

export type ChannelState = {
  readonly connectionId: string;
  readonly channel: string;
  /** The source's position after the last change read and applied. */
  readonly watermark: string | null;
  readonly lastFullPassAt: string | null;
  readonly status: ChannelStatus;
  /** Why the channel is held, stopped or failing, in words. */
  readonly statusReason: string | null;
  readonly lastCycle: CycleSummary | null;
  readonly nextCycleAt: string | null;
  /** Set by `confirm`: held deactivations may go ahead once. */
  readonly confirmedAt: string | null;
  readonly updatedAt: string;
};

export const provisioningEventTypes = [
  "CREATE",
  "ADOPT",
  "UPDATE",
  "DEACTIVATE",
  "FREEZE",
  "REACTIVATE",
  "UNFREEZE",
  "PERMISSION_SETS",
  "CONTACT",
  "GROUP_CREATE",
  "GROUP_DELETE",
  "GROUP_MEMBERS",
  "SKIP",
  "HOLD",
  "CYCLE",
] as const;
export type ProvisioningEventType = (typeof provisioningEventTypes)[number];

/** One operation, as PingFederate's provisioner-audit.log records it; never a masked value. */
export type ProvisioningEvent = {
  readonly at: string;
  readonly connectionId: string;
  readonly channel: string;
  readonly cycleId: string;
  readonly type: ProvisioningEventType;
  readonly sourceId: string | null;
  readonly targetId: string | null;
  readonly success: boolean;
  readonly cause: string | null;
  readonly detail: Readonly<Record<string, unknown>> | null;
};

export type StoredProvisioningEvent = ProvisioningEvent & { readonly id: number };

export type ProvisioningEventFilter = {
  readonly connectionId?: string | undefined;
  readonly channel?: string | undefined;
  readonly sourceId?: string | undefined;
  readonly type?: ProvisioningEventType | undefined;
  readonly success?: boolean | undefined;
  readonly since?: string | undefined;
};

export type ProvisioningRepository = {
  getChannel(connectionId: string, channel: string): Promise<ChannelState | undefined>;
  listChannels(): Promise<ChannelState[]>;
  putChannel(state: ChannelState): Promise<void>;
  /** Forgets a channel's state and objects (provmgr's reset); its events stay. */
  resetChannel(connectionId: string, channel: string): Promise<void>;

  getObjects(
    connectionId: string,
    kind: ProvisionedKind,
    sourceIds: readonly string[],
  ): Promise<ProvisionedObject[]>;
  /** A channel's objects in source-id order after `afterSourceId`, for a full pass. */
  listObjects(options: {
    connectionId: string;
    channel: string;
    kind: ProvisionedKind;
    afterSourceId?: string | undefined;
    limit: number;
    status?: ProvisionedStatus | undefined;
  }): Promise<ProvisionedObject[]>;
  countObjects(connectionId: string, channel: string): Promise<Record<ProvisionedStatus, number>>;
  putObjects(objects: readonly ProvisionedObject[]): Promise<void>;
  /**
   * Writes these rows (about to be created in Salesforce) only where no other channel of the
   * connection holds the object: absent, this channel's, or let go (INACTIVE). Returns the
   * source ids written. Atomic per row, so two channels never both create one user.
   */
  claimObjects(objects: readonly ProvisionedObject[]): Promise<Set<string>>;
  deleteObject(connectionId: string, kind: ProvisionedKind, sourceId: string): Promise<void>;

  appendEvents(events: readonly ProvisioningEvent[]): Promise<void>;
  /** Newest first. */
  listEvents(options: {
    filter: ProvisioningEventFilter;
    limit: number;
    beforeId?: number | undefined;
  }): Promise<StoredProvisioningEvent[]>;
  /** Successful deactivations and freezes of a channel since `since` (the safety net's window). */
  countDeprovisions(connectionId: string, channel: string, since: string): Promise<number>;

  /** The Salesforce field lists Refresh Fields fetched (`User`, `Contact`), as JSON. */
  getFieldSpecs(connectionId: string): Promise<{ fetchedAt: string; specs: unknown } | undefined>;
  putFieldSpecs(connectionId: string, fetchedAt: string, specs: unknown): Promise<void>;
};
