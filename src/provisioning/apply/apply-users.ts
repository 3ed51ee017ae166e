import { AppError } from "../../lib/errors.ts";
import type { FieldValues, UserOp } from "../plan/plan-users.ts";
import { type NameResolver, permissionSetAssignments, userLogins } from "./lookups.ts";
import { type Pacing, runCollections, salesforceCode } from "./run-batches.ts";
import type { TargetApi, TargetRecordResult } from "./target-api.ts";

/**
 * Carries out a page of user operations against Salesforce, in the order a person would:
 * Contacts before community users, users before their permission sets, one update per user
 * however many operations touch it, logins frozen or unfrozen through UserLogin. Returns one
 * outcome per operation; records nothing itself (the engine does, after each page).
 */

export type UserOutcome = {
  readonly op: UserOp;
  readonly ok: boolean;
  /** The Salesforce user, when known after this operation. */
  readonly targetId: string | null;
  readonly contactId: string | null;
  readonly error: AppError | null;
};

export type ApplyUsersInput = {
  readonly api: TargetApi;
  readonly pacing: Pacing;
  readonly resolve: NameResolver;
  /** Salesforce field type by `Object.Field` (from Refresh Fields), to send booleans and numbers as such. */
  readonly fieldTypes: ReadonlyMap<string, string>;
};

type StatusOp = Extract<UserOp, { type: "DEACTIVATE" | "FREEZE" | "REACTIVATE" | "UNFREEZE" }>;

/** Salesforce's own length limits the mapping cannot know (salesforce-api.md §3.2): cut, not refused. */
const cutTo: Readonly<Record<string, number>> = { "User.Alias": 8, "User.CommunityNickname": 40 };

const numeric = new Set(["int", "double", "currency", "percent"]);

/** A mapped value as Salesforce wants it: booleans and numbers typed; ProfileId and UserRoleId by name or id. */
const toSalesforce = async (
  input: ApplyUsersInput,
  sobject: "User" | "Contact",
  fields: FieldValues,
): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === null) {
      out[field] = null;
      continue;
    }
    const type = input.fieldTypes.get(`${sobject}.${field}`);
    if (sobject === "User" && (field === "ProfileId" || field === "UserRoleId")) {
      const id = await input.resolve(field === "ProfileId" ? "Profile" : "UserRole", value);
      if (id === undefined) {
        throw new AppError("PROV_TARGET_REJECTED", {
          message: `${field}: Salesforce has no ${field === "ProfileId" ? "profile" : "role"} named "${value}".`,
        });
      }
      out[field] = id;
    } else if (type === "boolean") out[field] = value.toLowerCase() === "true";
    else if (type !== undefined && numeric.has(type) && value.trim() !== "" && !Number.isNaN(Number(value)))
      out[field] = Number(value);
    else out[field] = value.slice(0, cutTo[`${sobject}.${field}`] ?? value.length);
  }
  return out;
};

const failed = (error: AppError): TargetRecordResult => ({ success: false, id: undefined, error });

export const applyUserOps = async (
  input: ApplyUsersInput,
  ops: readonly UserOp[],
): Promise<UserOutcome[]> => {
  const outcomes = new Map<UserOp, UserOutcome>();
  // A later step's failure (a permission set) keeps what an earlier one did (the user's id).
  const done = (op: UserOp, result: TargetRecordResult, contactId: string | null = null) => {
    const before = outcomes.get(op);
    outcomes.set(op, {
      op,
      ok: result.success,
      targetId: result.success ? result.id : (before?.targetId ?? ("targetId" in op ? op.targetId : null)),
      contactId: contactId ?? before?.contactId ?? null,
      error: result.success ? null : result.error,
    });
  };

  // Creates (the engine has written their PENDING rows): Contacts (communities), then the users.
  const creates = ops.filter((op): op is Extract<UserOp, { type: "CREATE" }> => op.type === "CREATE");
  const contactIds = new Map<UserOp, string>();
  const newContacts = creates.filter((op) => op.contact && op.contact.id === undefined);
  const contactRecords = await Promise.all(
    newContacts.map(async (op) => {
      try {
        return await toSalesforce(input, "Contact", {
          ...op.contact?.fields,
          AccountId: op.contact?.accountId ?? null,
          Email: op.contact?.fields.Email ?? op.fields.Email ?? null,
          LastName: op.contact?.fields.LastName ?? op.fields.LastName ?? null,
          FirstName: op.contact?.fields.FirstName ?? op.fields.FirstName ?? null,
        });
      } catch (error) {
        return error instanceof AppError ? error : new AppError("PROV_TARGET_REJECTED", { cause: error });
      }
    }),
  );
  const contactResults = await runCollections(
    contactRecords.filter((r): r is Record<string, unknown> => !(r instanceof AppError)),
    input.pacing,
    (batch) => input.api.create("Contact", batch),
  );
  let c = 0;
  newContacts.forEach((op, i) => {
    const record = contactRecords[i];
    const result = record instanceof AppError ? failed(record) : contactResults[c++];
    if (result?.success) contactIds.set(op, result.id);
    else if (result) done(op, result);
  });
  for (const op of creates) if (op.contact?.id !== undefined) contactIds.set(op, op.contact.id);

  const toCreate = creates.filter((op) => !outcomes.has(op));
  const userRecords = await Promise.all(
    toCreate.map(async (op) => {
      try {
        const record = await toSalesforce(input, "User", op.fields);
        record.IsActive = op.active;
        const contactId = contactIds.get(op);
        if (contactId !== undefined) record.ContactId = contactId;
        return record;
      } catch (error) {
        return error instanceof AppError ? error : new AppError("PROV_TARGET_REJECTED", { cause: error });
      }
    }),
  );
  const sendable = userRecords.filter((r): r is Record<string, unknown> => !(r instanceof AppError));
  const created = await runCollections(sendable, input.pacing, (batch) => input.api.create("User", batch));
  let u = 0;
  toCreate.forEach((op, i) => {
    const record = userRecords[i];
    const result = record instanceof AppError ? failed(record) : created[u++];
    if (result) done(op, result, contactIds.get(op) ?? null);
  });

  // One update per user: fields from updates, adoptions and reactivations, and IsActive.
  const updates = new Map<
    string,
    { ops: UserOp[]; fields: Record<string, string | null>; isActive?: boolean }
  >();
  for (const op of ops) {
    if (op.type !== "UPDATE" && op.type !== "ADOPT" && op.type !== "REACTIVATE" && op.type !== "DEACTIVATE")
      continue;
    const entry = updates.get(op.targetId) ?? { ops: [], fields: {} };
    entry.ops.push(op);
    Object.assign(entry.fields, op.fields);
    if (op.type === "REACTIVATE") entry.isActive = true;
    if (op.type === "DEACTIVATE") entry.isActive = false;
    updates.set(op.targetId, entry);
  }
  for (const op of ops) {
    if ((op.type === "FREEZE" || op.type === "UNFREEZE") && Object.keys(op.fields).length > 0) {
      const entry = updates.get(op.targetId) ?? { ops: [], fields: {} };
      Object.assign(entry.fields, op.fields);
      updates.set(op.targetId, entry);
    }
  }
  const updateEntries = [...updates.entries()].filter(
    ([, e]) => Object.keys(e.fields).length > 0 || e.isActive !== undefined,
  );
  const updateRecords = await Promise.all(
    updateEntries.map(async ([id, entry]) => {
      try {
        const record = await toSalesforce(input, "User", entry.fields);
        return { Id: id, ...record, ...(entry.isActive === undefined ? {} : { IsActive: entry.isActive }) };
      } catch (error) {
        return error instanceof AppError ? error : new AppError("PROV_TARGET_REJECTED", { cause: error });
      }
    }),
  );
  const updated = await runCollections(
    updateRecords.filter((r): r is { Id: string } => !(r instanceof AppError)),
    input.pacing,
    (batch) => input.api.update("User", batch),
  );
  let w = 0;
  const updateResult = new Map<string, TargetRecordResult>();
  updateEntries.forEach(([id], i) => {
    const record = updateRecords[i];
    const result = record instanceof AppError ? failed(record) : updated[w++];
    if (result) updateResult.set(id, result.success ? { success: true, id } : result);
  });
  for (const [id, entry] of updates) {
    const result = updateResult.get(id) ?? { success: true as const, id };
    for (const op of entry.ops) if (!outcomes.has(op)) done(op, result);
  }

  // Freezing is a property of the login, not of the user (salesforce-api.md §3).
  const freezes = ops.filter((op): op is StatusOp => op.type === "FREEZE" || op.type === "UNFREEZE");
  if (freezes.length > 0) {
    const logins = await userLogins(
      input.api,
      freezes.map((op) => op.targetId),
    );
    const withLogin = freezes.filter((op) => logins.has(op.targetId));
    const frozen = await runCollections(
      withLogin.map((op) => ({ Id: logins.get(op.targetId), IsFrozen: op.type === "FREEZE" })),
      input.pacing,
      (batch) => input.api.update("UserLogin", batch),
    );
    withLogin.forEach((op, i) => {
      const result = frozen[i];
      if (result) done(op, result.success ? { success: true, id: op.targetId } : result);
    });
    for (const op of freezes) {
      if (!outcomes.has(op))
        done(
          op,
          failed(
            new AppError("PROV_TARGET_REJECTED", { message: "Salesforce has no UserLogin for this user." }),
          ),
        );
    }
  }

  await applyPermissionSets(input, ops, outcomes, done);

  for (const op of ops) {
    if (!outcomes.has(op))
      outcomes.set(op, {
        op,
        ok: true,
        targetId: "targetId" in op ? op.targetId : null,
        contactId: null,
        error: null,
      });
  }
  return ops.map((op) => outcomes.get(op) as UserOutcome);
};

/** Assignments added (names resolved to ids) and, for Overwrite, removed by their own ids. */
const applyPermissionSets = async (
  input: ApplyUsersInput,
  ops: readonly UserOp[],
  outcomes: Map<UserOp, UserOutcome>,
  done: (op: UserOp, result: TargetRecordResult) => void,
): Promise<void> => {
  const setOps = ops.filter(
    (op): op is Extract<UserOp, { type: "PERMISSION_SETS" }> => op.type === "PERMISSION_SETS",
  );
  // New users get the mapped sets right after they are created.
  const fromCreates = ops.flatMap((op) => {
    const outcome = outcomes.get(op);
    return op.type === "CREATE" && outcome?.ok && outcome.targetId && op.permissionSets.length > 0
      ? [{ op, targetId: outcome.targetId, add: op.permissionSets, remove: [] as readonly string[] }]
      : [];
  });
  const work = [
    ...setOps.map((op) => ({ op: op as UserOp, targetId: op.targetId, add: op.add, remove: op.remove })),
    ...fromCreates,
  ];
  if (work.length === 0) return;
  const adds: { op: UserOp; record: { AssigneeId: string; PermissionSetId: string } }[] = [];
  for (const item of work) {
    for (const name of item.add) {
      const id = await input.resolve("PermissionSet", name);
      if (id === undefined) {
        done(
          item.op,
          failed(
            new AppError("PROV_TARGET_REJECTED", {
              message: `Salesforce has no permission set named "${name}".`,
            }),
          ),
        );
        continue;
      }
      adds.push({ op: item.op, record: { AssigneeId: item.targetId, PermissionSetId: id } });
    }
  }
  const added = await runCollections(
    adds.map((a) => a.record),
    input.pacing,
    (batch) => input.api.create("PermissionSetAssignment", batch),
  );
  adds.forEach((a, i) => {
    const result = added[i];
    // Already assigned is what Merge wanted.
    if (
      result &&
      !result.success &&
      !/DUPLICATE/.test(salesforceCode(result.error) ?? "") &&
      !outcomes.get(a.op)?.error
    )
      done(a.op, result);
  });
  const removing = work.filter((item) => item.remove.length > 0);
  if (removing.length > 0) {
    const current = await permissionSetAssignments(
      input.api,
      removing.map((r) => r.targetId),
    );
    const ids: { op: UserOp; id: string }[] = [];
    for (const item of removing) {
      const names = new Set(item.remove.map((n) => n.toLowerCase()));
      for (const assignment of current.get(item.targetId) ?? [])
        if (names.has(assignment.name.toLowerCase())) ids.push({ op: item.op, id: assignment.id });
    }
    const removed = await runCollections(
      ids.map((r) => r.id),
      input.pacing,
      (batch) => input.api.delete(batch),
    );
    ids.forEach((r, i) => {
      const result = removed[i];
      if (result && !result.success && !outcomes.get(r.op)?.error) done(r.op, result);
    });
  }
};
