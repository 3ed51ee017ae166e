import { recordError } from "../errors.ts";
import type { Org } from "../org.ts";
import { changed, type Draft, developerNameFrom, isDeveloperName, type TypeRules, text } from "./types.ts";

/** Rules of the setup objects around User: salesforce-api.md §3.4–3.6 and §3.2 (UserLogin). */

function checkDeveloperName(org: Org, type: string, index: string, key: string, draft: Draft): void {
  const name = text(draft.DeveloperName) ?? text(draft.Name) ?? "";
  if (!isDeveloperName(name)) {
    throw recordError(
      "FIELD_INTEGRITY_EXCEPTION",
      "The API name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.",
      [type === "PermissionSet" ? "Name" : "DeveloperName"],
    );
  }
  for (const id of org.store.table(type).lookup(index, key)) {
    if (id !== draft.Id) {
      throw recordError(
        "DUPLICATE_DEVELOPER_NAME",
        "This name already exists or has been previously used. Please choose a different name.",
        [type === "PermissionSet" ? "Name" : "DeveloperName"],
      );
    }
  }
}

function profileOwned(org: Org, permissionSetId: unknown): boolean {
  return (
    typeof permissionSetId === "string" &&
    org.get("PermissionSet", permissionSetId)?.IsOwnedByProfile === true
  );
}

const profileSetMessage =
  "You can't assign or unassign this permission set because it's associated with a profile.";

export const userRoleRules: TypeRules = {
  defaults(_org, draft) {
    draft.DeveloperName ??= developerNameFrom(String(draft.Name ?? ""));
    draft.PortalType = "None";
  },
  validate(org, draft, previous) {
    if (changed(draft, previous, "DeveloperName")) {
      checkDeveloperName(org, "UserRole", "DeveloperName", String(draft.DeveloperName).toLowerCase(), draft);
    }
    if (draft.ParentRoleId !== null && draft.ParentRoleId === draft.Id) {
      throw recordError("FIELD_INTEGRITY_EXCEPTION", "Parent Role ID: a role can't be its own parent", [
        "ParentRoleId",
      ]);
    }
  },
  beforeDelete(org, role) {
    const key = role.Id.toLowerCase();
    if (org.store.table("User").lookup("UserRoleId", key).size > 0) {
      throw recordError(
        "DELETE_FAILED",
        "Your attempt to delete this role could not be completed because users are assigned to it.",
      );
    }
    if (org.store.table("UserRole").lookup("ParentRoleId", key).size > 0) {
      throw recordError(
        "DELETE_FAILED",
        "Your attempt to delete this role could not be completed because it has subordinate roles.",
      );
    }
  },
};

export const permissionSetRules: TypeRules = {
  defaults(_org, draft) {
    draft.Type = "Regular";
    draft.IsCustom = true;
    draft.IsOwnedByProfile = false;
  },
  validate(org, draft, previous) {
    if (changed(draft, previous, "Name")) {
      checkDeveloperName(org, "PermissionSet", "Name", String(draft.Name).toLowerCase(), draft);
    }
  },
  beforeDelete(org, set) {
    if (set.IsOwnedByProfile === true) {
      throw recordError(
        "INVALID_TYPE_FOR_OPERATION",
        "entity type cannot be deleted: a profile's permission set",
      );
    }
    for (const id of [
      ...org.store.table("PermissionSetAssignment").lookup("PermissionSetId", set.Id.toLowerCase()),
    ]) {
      org.store.delete("PermissionSetAssignment", id);
    }
  },
};

export const permissionSetAssignmentRules: TypeRules = {
  validate(org, draft, previous) {
    if (previous !== undefined) return;
    if (profileOwned(org, draft.PermissionSetId)) {
      throw recordError("FIELD_INTEGRITY_EXCEPTION", profileSetMessage, ["PermissionSetId"]);
    }
    const pair = `${String(draft.AssigneeId)}|${String(draft.PermissionSetId)}`.toLowerCase();
    if (org.store.table("PermissionSetAssignment").lookup("pair", pair).size > 0) {
      throw recordError(
        "DUPLICATE_VALUE",
        `Duplicate PermissionSetAssignment. Assignee: ${String(draft.AssigneeId)}; Permission Set: ${String(draft.PermissionSetId)}`,
      );
    }
    // A permission set tied to a licence can only go to users of that licence (§3.5).
    const set = org.get("PermissionSet", String(draft.PermissionSetId));
    const assignee = org.get("User", String(draft.AssigneeId));
    if (
      typeof set?.LicenseId === "string" &&
      org.licenseOfProfile(assignee?.ProfileId)?.Id !== set.LicenseId
    ) {
      throw recordError(
        "FIELD_INTEGRITY_EXCEPTION",
        "The user license doesn't match the user license that the permission set is associated with.",
        ["PermissionSetId"],
      );
    }
  },
  beforeDelete(org, assignment) {
    if (profileOwned(org, assignment.PermissionSetId)) {
      throw recordError("FIELD_INTEGRITY_EXCEPTION", profileSetMessage);
    }
  },
};

export const groupRules: TypeRules = {
  defaults(_org, draft, ctx) {
    draft.DeveloperName ??= developerNameFrom(String(draft.Name ?? ""));
    draft.Type ??= "Regular";
    draft.OwnerId = ctx.userId;
  },
  validate(org, draft, previous) {
    if (previous === undefined && draft.Type !== "Regular" && draft.Type !== "Queue") {
      throw recordError(
        "FIELD_INTEGRITY_EXCEPTION",
        `Type: groups of type ${String(draft.Type)} are managed by Salesforce`,
        ["Type"],
      );
    }
    if (changed(draft, previous, "DeveloperName")) {
      const key = `${String(draft.Type)}|${String(draft.DeveloperName)}`.toLowerCase();
      checkDeveloperName(org, "Group", "typeName", key, draft);
    }
  },
  beforeDelete(org, group) {
    if (group.Type !== "Regular" && group.Type !== "Queue") {
      throw recordError(
        "INVALID_TYPE_FOR_OPERATION",
        "entity type cannot be deleted: a group managed by Salesforce",
      );
    }
    const members = org.store.table("GroupMember");
    for (const id of [...members.lookup("GroupId", group.Id.toLowerCase())])
      org.store.delete("GroupMember", id);
    for (const id of [...members.lookup("UserOrGroupId", group.Id.toLowerCase())])
      org.store.delete("GroupMember", id);
  },
};

export const groupMemberRules: TypeRules = {
  // Adding a member twice returns the existing membership instead of an error (§3.6).
  existing(org, draft) {
    const pair = `${String(draft.GroupId)}|${String(draft.UserOrGroupId)}`.toLowerCase();
    for (const id of org.store.table("GroupMember").lookup("pair", pair)) return org.get("GroupMember", id);
    return undefined;
  },
  validate(org, draft) {
    if (draft.GroupId === draft.UserOrGroupId) {
      throw recordError("FIELD_INTEGRITY_EXCEPTION", "User/Group ID: a group can't be a member of itself", [
        "UserOrGroupId",
      ]);
    }
    const group = org.get("Group", String(draft.GroupId));
    if (group !== undefined && group.Type !== "Regular" && group.Type !== "Queue") {
      throw recordError(
        "FIELD_INTEGRITY_EXCEPTION",
        "Group ID: members of this group are managed by Salesforce",
        ["GroupId"],
      );
    }
  },
};

export const userLoginRules: TypeRules = {
  // IsPasswordLocked can be cleared through the API but not set (§3.2).
  validate(_org, draft, previous) {
    if (draft.IsPasswordLocked === true && previous?.IsPasswordLocked !== true) {
      throw recordError("FIELD_INTEGRITY_EXCEPTION", "Is Password Locked: can only be set to false", [
        "IsPasswordLocked",
      ]);
    }
  },
};
