import { recordError } from "../errors.ts";
import type { Org } from "../org.ts";
import type { SRecord } from "../store.ts";
import type { TypeRules } from "./types.ts";

/** Account and Contact (salesforce-api.md §4): owners default to the caller; portal users pin contacts. */

function portalUserOf(org: Org, contact: SRecord): SRecord | undefined {
  for (const id of org.store.table("User").lookup("ContactId", contact.Id.toLowerCase()))
    return org.get("User", id);
  return undefined;
}

function refuseIfPortalUser(org: Org, contact: SRecord): void {
  const user = portalUserOf(org, contact);
  if (user !== undefined) {
    throw recordError(
      "DELETE_FAILED",
      `Your attempt to delete ${String(contact.Name)} could not be completed because it is associated with the following portal users.: ${String(user.Name)}`,
    );
  }
}

export const contactRules: TypeRules = {
  defaults(_org, draft, ctx) {
    draft.OwnerId ??= ctx.userId;
  },
  derive(_org, draft) {
    draft.Name = [draft.FirstName, draft.LastName].filter((p) => typeof p === "string").join(" ");
  },
  beforeDelete(org, contact) {
    refuseIfPortalUser(org, contact);
  },
};

export const accountRules: TypeRules = {
  defaults(_org, draft, ctx) {
    draft.OwnerId ??= ctx.userId;
  },
  // Deleting an account deletes its contacts, unless one of them is a portal user.
  beforeDelete(org, account) {
    const contacts = [...org.store.table("Contact").lookup("AccountId", account.Id.toLowerCase())];
    for (const id of contacts) {
      const contact = org.get("Contact", id);
      if (contact !== undefined) refuseIfPortalUser(org, contact);
    }
    for (const id of contacts) {
      org.store.delete("Contact", id);
      org.deletedIds.add(id);
    }
  },
};
