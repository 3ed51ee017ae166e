import type { ProvisionedObject, ProvisioningRepository } from "../../domain/provisioning-ports.ts";
import { findContacts, findExistingUsers, permissionSetAssignments } from "../apply/lookups.ts";
import type { TargetApi } from "../apply/target-api.ts";
import { type CompiledMapping, mapUser, permissionSetsField } from "../model/mapping.ts";
import type { ProvisioningOptions, UserCase } from "../plan/plan-users.ts";
import type { SourceUser } from "../source/source.ts";

/**
 * Turns a page of source users (or of users that are gone) into the plan's cases: the stored
 * rows, the desired records, and what Salesforce already holds where the plan needs to know.
 */
export const prepareCases = async (input: {
  readonly connectionId: string;
  readonly repo: ProvisioningRepository;
  readonly api: TargetApi;
  readonly mapping: CompiledMapping;
  readonly options: ProvisioningOptions;
  /** Source id → its record, or null when the user is gone or out of scope. */
  readonly users: ReadonlyMap<string, SourceUser | null>;
}): Promise<{ cases: UserCase[]; states: Map<string, ProvisionedObject> }> => {
  const ids = [...input.users.keys()];
  const states = new Map(
    (await input.repo.getObjects(input.connectionId, "user", ids)).map((row) => [row.sourceId, row]),
  );
  const desired = new Map(
    [...input.users].flatMap(([id, user]) => (user ? [[id, mapUser(input.mapping, user)] as const] : [])),
  );

  // Salesforce's record for users without a Salesforce id (first sight, or a create interrupted),
  // and for users a write was sent to but not recorded (a crash): Salesforce says where they stand.
  const unknown = ids.filter((id) => {
    const state = states.get(id);
    return !state || state.targetId === null || state.status === "PENDING";
  });
  const mappedFields = input.mapping.rules
    .map((r) => r.field)
    .filter((f) => !f.includes(".") && f !== permissionSetsField);
  const wanted = unknown.flatMap((id) => {
    const username = desired.get(id)?.user.Username ?? states.get(id)?.name;
    const state = states.get(id);
    const linked = state?.status === "PENDING" ? (state.targetId ?? undefined) : undefined;
    return username
      ? [{ key: id, username, federationId: desired.get(id)?.user.FederationIdentifier, id: linked }]
      : [];
  });
  const existing = wanted.length > 0 ? await findExistingUsers(input.api, wanted, mappedFields) : new Map();

  // Current permission sets, when the mapping manages them.
  const managesSets = input.mapping.rules.some((r) => r.field === permissionSetsField);
  const targets = ids.flatMap((id) => {
    const target = states.get(id)?.targetId ?? existing.get(id)?.id;
    return target && input.users.get(id) ? [[id, target] as const] : [];
  });
  const assignments = managesSets
    ? await permissionSetAssignments(
        input.api,
        targets.map(([, t]) => t),
      )
    : undefined;

  // Communities: Contacts with the new users' emails under their Account.
  const contacts = new Map<string, string>();
  if (input.options.communities) {
    const byAccount = new Map<string, { id: string; email: string }[]>();
    for (const id of unknown) {
      const d = desired.get(id);
      const email = d?.contact.Email ?? d?.user.Email;
      const account = d?.accountId ?? input.options.defaultAccountId;
      if (!d || !email || !account || existing.has(id)) continue;
      byAccount.set(account, [...(byAccount.get(account) ?? []), { id, email }]);
    }
    for (const [account, list] of byAccount) {
      const found = await findContacts(
        input.api,
        account,
        list.map((l) => l.email),
      );
      for (const { id, email } of list) {
        const contact = found.get(email.toLowerCase());
        if (contact) contacts.set(id, contact);
      }
    }
  }

  const cases = ids.map((id): UserCase => {
    const target = states.get(id)?.targetId ?? existing.get(id)?.id;
    return {
      sourceId: id,
      source: input.users.get(id) ?? null,
      desired: desired.get(id) ?? null,
      state: states.get(id),
      existing: existing.get(id),
      currentPermissionSets:
        assignments && target ? (assignments.get(target) ?? []).map((a) => a.name) : undefined,
      existingContactId: contacts.get(id),
    };
  });
  return { cases, states };
};
