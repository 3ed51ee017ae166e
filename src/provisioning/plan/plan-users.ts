import type { ProvisionedObject, PushedValue } from "../../domain/provisioning-ports.ts";
import type { DesiredUser } from "../model/mapping.ts";
import type { SourceUser } from "../source/source.ts";

/**
 * The plan: a pure function from (source records, stored state, mapping, options, what
 * Salesforce already holds) to operations. Preview shows exactly this; apply carries it out.
 * Rows of the spec's §5.4 table are named where they decide something.
 */

/** The Provisioning Options of the Target tab (spec §5.1), plus the Communities defaults. */
export type ProvisioningOptions = {
  readonly createUsers: boolean;
  readonly updateUsers: boolean;
  readonly disableUsers: boolean;
  readonly provisionDisabledUsers: boolean;
  readonly freezeUsers: boolean;
  readonly permissionSetManagement: "MERGE" | "OVERWRITE";
  readonly communities: boolean;
  readonly defaultAccountId: string | undefined;
  readonly defaultProfileId: string | undefined;
};

/** A Salesforce user found by Username (or Federation ID) for a source user the channel does not know. */
export type ExistingUser = {
  readonly id: string;
  readonly username: string;
  readonly isActive: boolean;
  readonly isFrozen: boolean;
  /** Current values of the mapped fields. */
  readonly fields: Readonly<Record<string, string | null>>;
  readonly contactId: string | null;
};

export type UserCase = {
  readonly sourceId: string;
  /** The source record; null when the user was deleted or left the channel's scope. */
  readonly source: SourceUser | null;
  readonly desired: DesiredUser | null;
  /** The connection's row for this user, whichever channel owns it. */
  readonly state: ProvisionedObject | undefined;
  /** Salesforce's record, looked up when the row has no Salesforce id (first sight, or a crash mid-create). */
  readonly existing: ExistingUser | undefined;
  /** Names of the user's permission sets in Salesforce, when the mapping manages them. */
  readonly currentPermissionSets?: readonly string[] | undefined;
  /** Communities: a Contact under the account with the user's email. */
  readonly existingContactId?: string | undefined;
};

export type FieldValues = Readonly<Record<string, string | null>>;

type Base = { readonly sourceId: string; readonly desired: DesiredUser | null };

export type UserOp =
  | (Base & {
      readonly type: "CREATE";
      readonly username: string;
      readonly fields: FieldValues;
      readonly active: boolean;
      readonly contact?: {
        readonly id: string | undefined;
        readonly fields: FieldValues;
        readonly accountId: string;
      };
      readonly permissionSets: readonly string[];
    })
  | (Base & {
      readonly type: "ADOPT";
      readonly targetId: string;
      readonly username: string;
      /** Fields that differ from the Salesforce record (empty when User Update is off). */
      readonly fields: FieldValues;
      readonly status: "ACTIVE" | "INACTIVE" | "FROZEN";
      readonly contactId: string | null;
    })
  | (Base & { readonly type: "UPDATE"; readonly targetId: string; readonly fields: FieldValues })
  | (Base & {
      readonly type: "DEACTIVATE" | "FREEZE" | "REACTIVATE" | "UNFREEZE";
      readonly targetId: string;
      readonly fields: FieldValues;
    })
  | (Base & {
      readonly type: "PERMISSION_SETS";
      readonly targetId: string;
      readonly add: readonly string[];
      readonly remove: readonly string[];
    })
  /** An option blocked a needed action (a warning), or there is nothing this channel may do. */
  | (Base & {
      readonly type: "SKIP";
      readonly targetId: string | null;
      readonly reason: string;
      readonly warn: boolean;
    })
  /** The mapping cannot make a Salesforce user of this source user. */
  | (Base & {
      readonly type: "FAIL";
      readonly targetId: string | null;
      readonly code: string;
      readonly message: string;
    })
  /** A row to drop: a create that never happened, for a user who is gone. */
  | (Base & { readonly type: "FORGET" });

/** Fields to push: the desired ones that differ from `before`; mapped fields now empty are cleared. */
export const changedFields = (
  desired: DesiredUser,
  before: Readonly<Record<string, PushedValue>>,
  options: { includeCreateOnly: boolean },
): Record<string, string | null> => {
  const out: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(desired.user)) {
    if (desired.createOnly.has(field) && !options.includeCreateOnly) continue;
    if (before[field] !== value) out[field] = value;
  }
  // A mapped field whose source value went away is cleared (PingFederate cannot; spec §5.2).
  for (const field of desired.mapped) {
    if (field in desired.user || desired.createOnly.has(field)) continue;
    const value = before[field];
    if (value !== null && value !== undefined && typeof value === "string") out[field] = null;
  }
  return out;
};

const deprovision = (options: ProvisioningOptions): "DEACTIVATE" | "FREEZE" =>
  options.freezeUsers ? "FREEZE" : "DEACTIVATE";

const permissionSetOp = (c: UserCase, targetId: string, options: ProvisioningOptions): UserOp | undefined => {
  if (!c.desired || c.currentPermissionSets === undefined) return undefined;
  const current = new Set(c.currentPermissionSets.map((n) => n.toLowerCase()));
  const wanted = new Set(c.desired.permissionSets.map((n) => n.toLowerCase()));
  const add = c.desired.permissionSets.filter((n) => !current.has(n.toLowerCase()));
  const remove =
    options.permissionSetManagement === "OVERWRITE"
      ? c.currentPermissionSets.filter((n) => !wanted.has(n.toLowerCase()))
      : [];
  if (add.length === 0 && remove.length === 0) return undefined;
  return { type: "PERMISSION_SETS", sourceId: c.sourceId, desired: c.desired, targetId, add, remove };
};

const skip = (c: UserCase, targetId: string | null, reason: string, warn = true): UserOp => ({
  type: "SKIP",
  sourceId: c.sourceId,
  desired: c.desired,
  targetId,
  reason,
  warn,
});

/** A source user without a Salesforce id yet: adopt what Salesforce has, or create. */
const planNew = (c: UserCase, options: ProvisioningOptions): UserOp[] => {
  const { source, desired, existing } = c;
  if (!source || !desired) {
    // Gone before it was created, or before a write to it was recorded: if Salesforce still has
    // it active (a create or a reactivation did happen before a crash), take it back.
    if (existing?.isActive && !(options.freezeUsers && existing.isFrozen) && options.disableUsers)
      return [
        {
          type: deprovision(options),
          sourceId: c.sourceId,
          desired: null,
          targetId: existing.id,
          fields: {},
        },
      ];
    return [{ type: "FORGET", sourceId: c.sourceId, desired: null }];
  }
  const username = desired.user.Username;
  if (username === undefined) {
    return [
      {
        type: "FAIL",
        sourceId: c.sourceId,
        desired,
        targetId: null,
        code: "PROV_MAPPING_INCOMPLETE",
        message: "The mapping gives this user no Username.",
      },
    ];
  }
  if (existing) {
    // §5.4 "First activation": an existing Salesforce user with this Username is linked, not duplicated.
    const status = existing.isFrozen ? "FROZEN" : existing.isActive ? "ACTIVE" : "INACTIVE";
    const ops: UserOp[] = [
      {
        type: "ADOPT",
        sourceId: c.sourceId,
        desired,
        targetId: existing.id,
        username: existing.username,
        fields: options.updateUsers
          ? changedFields(desired, existing.fields, { includeCreateOnly: false })
          : {},
        status,
        contactId: existing.contactId,
      },
    ];
    if (source.enabled && status !== "ACTIVE") {
      const type = status === "FROZEN" ? "UNFREEZE" : "REACTIVATE";
      ops.push(
        options.updateUsers
          ? { type, sourceId: c.sourceId, desired, targetId: existing.id, fields: {} }
          : skip(c, existing.id, `User Update is off, so the inactive Salesforce user is not reactivated`),
      );
    }
    if (!source.enabled && status === "ACTIVE") {
      ops.push(
        options.disableUsers
          ? { type: deprovision(options), sourceId: c.sourceId, desired, targetId: existing.id, fields: {} }
          : skip(c, existing.id, "User Disable is off, so the disabled user stays active in Salesforce"),
      );
    }
    const sets = permissionSetOp(c, existing.id, options);
    if (sets && options.updateUsers) ops.push(sets);
    return ops;
  }
  if (!options.createUsers) return [skip(c, null, "User Create is off, so the user is not created")];
  // §5.4 "Disabled user enters scope": created inactive only with Provision Disabled Users.
  if (!source.enabled && !options.provisionDisabledUsers)
    return [skip(c, null, "the user is disabled and Provision Disabled Users is off", false)];
  const fields: Record<string, string | null> = { ...desired.user };
  if (fields.ProfileId === undefined && options.defaultProfileId !== undefined)
    fields.ProfileId = options.defaultProfileId;
  let contact: Extract<UserOp, { type: "CREATE" }>["contact"];
  if (options.communities) {
    const accountId = desired.accountId ?? options.defaultAccountId;
    if (accountId === undefined) {
      return [
        {
          type: "FAIL",
          sourceId: c.sourceId,
          desired,
          targetId: null,
          code: "PROV_MAPPING_INCOMPLETE",
          message: "A community user needs an Account: map AccountId or set the ACCOUNT_ID target setting.",
        },
      ];
    }
    contact = { id: c.existingContactId, fields: desired.contact, accountId };
  }
  return [
    {
      type: "CREATE",
      sourceId: c.sourceId,
      desired,
      username,
      fields,
      active: source.enabled,
      ...(contact ? { contact } : {}),
      permissionSets: desired.permissionSets,
    },
  ];
};

/** Plans one user. The result is empty when Salesforce already matches the source. */
export const planUser = (
  c: UserCase,
  options: ProvisioningOptions,
  channel: string,
  retryFailed = false,
): UserOp[] => {
  const { state, source, desired } = c;
  if (state && state.channel !== channel && state.status !== "INACTIVE") {
    return source ? [skip(c, state.targetId, `handled by the channel "${state.channel}"`, false)] : [];
  }
  // An expression failed for this user: nothing is pushed until the source or the mapping changes.
  // A disabled user is still deactivated below: that needs no mapped value.
  if (source && desired?.failure && (source.enabled || !state?.targetId)) {
    if (state?.status === "FAILED" && state.desiredHash === desired.hash && !retryFailed) return [];
    return [
      {
        type: "FAIL",
        sourceId: c.sourceId,
        desired,
        targetId: state?.targetId ?? null,
        code: desired.failure.code,
        message: desired.failure.message,
      },
    ];
  }
  if (!state || state.targetId === null || state.status === "PENDING") return planNew(c, options);
  const targetId = state.targetId;
  if (state.status === "FAILED" && desired && state.desiredHash === desired.hash && !retryFailed) return [];

  // §5.4: deleted, left the scope, or disabled in the source → deactivate or freeze.
  if (!source || !desired || !source.enabled) {
    const ops: UserOp[] = [];
    if (source && desired && options.updateUsers) {
      const fields = changedFields(desired, state.pushed, { includeCreateOnly: false });
      if (Object.keys(fields).length > 0)
        ops.push({ type: "UPDATE", sourceId: c.sourceId, desired, targetId, fields });
    }
    if (state.status === "ACTIVE" || state.status === "FAILED") {
      ops.push(
        options.disableUsers
          ? { type: deprovision(options), sourceId: c.sourceId, desired, targetId, fields: {} }
          : skip(
              c,
              targetId,
              `User Disable is off, so the user who ${source ? "was disabled" : "left the scope"} stays active in Salesforce`,
            ),
      );
    }
    return ops;
  }

  const fields = changedFields(desired, state.pushed, { includeCreateOnly: false });
  const ops: UserOp[] = [];
  if (state.status === "INACTIVE" || state.status === "FROZEN") {
    // §5.4 "returns to scope / is re-enabled": reactivate or unfreeze, which needs User Update.
    const type = state.status === "FROZEN" ? "UNFREEZE" : "REACTIVATE";
    ops.push(
      options.updateUsers
        ? { type, sourceId: c.sourceId, desired, targetId, fields }
        : skip(c, targetId, "User Update is off, so the returning user is not reactivated"),
    );
  } else if (Object.keys(fields).length > 0) {
    ops.push(
      options.updateUsers
        ? { type: "UPDATE", sourceId: c.sourceId, desired, targetId, fields }
        : skip(c, targetId, `User Update is off, so ${Object.keys(fields).join(", ")} not updated`),
    );
  } else if (state.status === "FAILED") {
    ops.push({ type: "UPDATE", sourceId: c.sourceId, desired, targetId, fields: {} });
  }
  const sets = permissionSetOp(c, targetId, options);
  if (sets)
    ops.push(
      options.updateUsers
        ? sets
        : skip(c, targetId, "User Update is off, so permission sets are not changed"),
    );
  return ops;
};
