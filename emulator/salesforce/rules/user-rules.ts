import { recordError } from "../errors.ts";
import type { DmlContext, Org } from "../org.ts";
import type { SRecord } from "../store.ts";
import { formatDateTime } from "../values.ts";
import { isEmail } from "./field-rules.ts";
import { changed, type Draft, type TypeRules, text } from "./types.ts";

/** User's own rules: salesforce-api.md §3.1–3.2 (fields), §3.4 (licences), §4 (community users). */

const portalUserTypes = new Set(["CspLitePortal", "PowerCustomerSuccess", "PowerPartner", "CustomerSuccess"]);

export const duplicateUsernameMessage =
  "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address).";

function takenBy(
  org: Org,
  index: string,
  key: string,
  self: unknown,
  exact?: (r: SRecord) => boolean,
): boolean {
  for (const id of org.store.table("User").lookup(index, key)) {
    if (id === self) continue;
    const other = org.get("User", id);
    if (other !== undefined && (exact === undefined || exact(other))) return true;
  }
  return false;
}

function defaultNickname(org: Org, username: string | undefined): string {
  const base = (username?.split("@")[0] ?? "").slice(0, 40) || "user";
  const free = (candidate: string): boolean =>
    org.store.table("User").lookup("CommunityNickname", candidate.toLowerCase()).size === 0;
  if (free(base)) return base;
  for (let n = 1; ; n++) {
    const suffix = String(n);
    const candidate = `${base.slice(0, 40 - suffix.length)}${suffix}`;
    if (free(candidate)) return candidate;
  }
}

function profileOwnedSet(org: Org, profileId: unknown): SRecord | undefined {
  if (typeof profileId !== "string") return undefined;
  for (const id of org.store.table("PermissionSet").lookup("ProfileId", profileId.toLowerCase())) {
    const ps = org.get("PermissionSet", id);
    if (ps?.IsOwnedByProfile === true) return ps;
  }
  return undefined;
}

function checkIdentity(org: Org, draft: Draft, previous: SRecord | undefined): void {
  const username = text(draft.Username);
  if (username !== undefined && changed(draft, previous, "Username")) {
    if (!isEmail(username)) {
      throw recordError(
        "FIELD_INTEGRITY_EXCEPTION",
        "Username must be in the form of an email address (for example, john@acme.com)",
        ["Username"],
      );
    }
    const key = username.toLowerCase();
    if (org.reservedUsernames.has(key) || takenBy(org, "Username", key, draft.Id)) {
      throw recordError("DUPLICATE_USERNAME", duplicateUsernameMessage, ["Username"]);
    }
  }
  const federationId = text(draft.FederationIdentifier);
  if (federationId !== undefined && changed(draft, previous, "FederationIdentifier")) {
    const exact = org.settings.federationIdCaseInsensitive
      ? undefined
      : (r: SRecord) => r.FederationIdentifier === federationId;
    if (takenBy(org, "FederationIdentifier", federationId.toLowerCase(), draft.Id, exact)) {
      throw recordError(
        "DUPLICATE_VALUE",
        "This Federation ID is already in use. Use a different Federation ID.",
        ["FederationIdentifier"],
      );
    }
  }
  const nickname = text(draft.CommunityNickname);
  if (nickname !== undefined && changed(draft, previous, "CommunityNickname")) {
    if (takenBy(org, "CommunityNickname", nickname.toLowerCase(), draft.Id)) {
      throw recordError(
        "DUPLICATE_COMM_NICKNAME",
        "The nickname you entered is already in use by another user. Enter a unique nickname.",
        ["CommunityNickname"],
      );
    }
  }
}

function checkCommunity(org: Org, draft: Draft, previous: SRecord | undefined): void {
  const profile = org.get("Profile", String(draft.ProfileId));
  const portal = portalUserTypes.has(String(profile?.UserType));
  if (previous !== undefined) {
    if (changed(draft, previous, "ProfileId")) {
      const before = org.get("Profile", String(previous.ProfileId));
      if (portalUserTypes.has(String(before?.UserType)) !== portal) {
        throw recordError(
          "FIELD_INTEGRITY_EXCEPTION",
          "Profile ID: a user's profile can't be changed between an internal and an external user license",
          ["ProfileId"],
        );
      }
    }
  } else if (!portal && draft.ContactId !== null) {
    throw recordError(
      "FIELD_INTEGRITY_EXCEPTION",
      "Contact ID: only portal users can be associated with a contact",
      ["ContactId"],
    );
  } else if (portal) {
    if (draft.ContactId === null) {
      throw recordError("INVALID_CROSS_REFERENCE_KEY", "Cannot create a portal user without contact.");
    }
    const contactId = String(draft.ContactId);
    const contact = org.get("Contact", contactId);
    const account =
      typeof contact?.AccountId === "string" ? org.get("Account", contact.AccountId) : undefined;
    if (account === undefined) {
      throw recordError(
        "FIELD_INTEGRITY_EXCEPTION",
        "Contact ID: the contact must be associated with an account to create a portal user",
        ["ContactId"],
      );
    }
    const owner = typeof account.OwnerId === "string" ? org.get("User", account.OwnerId) : undefined;
    if (owner === undefined || owner.UserRoleId === null) {
      throw recordError("UNKNOWN_EXCEPTION", "portal account owner must have a role");
    }
    if (org.store.table("User").lookup("ContactId", contactId.toLowerCase()).size > 0) {
      throw recordError("PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT", "portal user already exists for contact");
    }
  }
  // Customer Community (CspLitePortal) users have no roles; they share through sharing sets (§4).
  if (profile?.UserType === "CspLitePortal" && draft.UserRoleId !== null) {
    throw recordError("FIELD_INTEGRITY_EXCEPTION", "Role ID: high-volume portal users can't have a role", [
      "UserRoleId",
    ]);
  }
}

function checkLicenses(org: Org, draft: Draft, previous: SRecord | undefined): void {
  if (draft.IsActive !== true) return;
  const license = org.licenseOfProfile(draft.ProfileId);
  if (license !== undefined) {
    const counted =
      previous?.IsActive === true && org.licenseOfProfile(previous.ProfileId)?.Id === license.Id;
    if (!counted && org.usedLicenses(license.Id) >= Number(license.TotalLicenses)) {
      throw recordError("LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded");
    }
  }
  for (const [field, total] of Object.entries(org.featureLicenses)) {
    if (draft[field] !== true) continue;
    if (previous?.IsActive === true && previous[field] === true) continue;
    if (org.store.table("User").lookup(`feature:${field}`, "1").size >= total) {
      throw recordError("LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded", [field]);
    }
  }
}

export const userRules: TypeRules = {
  defaults(org, draft) {
    if (draft.CommunityNickname === null || draft.CommunityNickname === undefined) {
      draft.CommunityNickname = defaultNickname(org, text(draft.Username));
    }
  },
  derive(org, draft) {
    draft.Name = [draft.FirstName, draft.LastName].filter((p) => typeof p === "string").join(" ");
    const profile = typeof draft.ProfileId === "string" ? org.get("Profile", draft.ProfileId) : undefined;
    draft.UserType = profile?.UserType ?? "Standard";
    const contact = typeof draft.ContactId === "string" ? org.get("Contact", draft.ContactId) : undefined;
    draft.AccountId = contact?.AccountId ?? null;
    draft.IsPortalEnabled = contact !== undefined;
  },
  validate(org, draft, previous) {
    checkIdentity(org, draft, previous);
    checkCommunity(org, draft, previous);
    checkLicenses(org, draft, previous);
  },
  afterInsert(org, user, ctx: DmlContext) {
    const now = formatDateTime(org.clock());
    org.store.put("UserLogin", {
      Id: org.newId("UserLogin"),
      UserId: user.Id,
      IsFrozen: false,
      IsPasswordLocked: false,
      LastModifiedDate: now,
      LastModifiedById: ctx.userId,
    });
    // Every user holds an assignment of the permission set its profile owns (§3.5).
    const owned = profileOwnedSet(org, user.ProfileId);
    if (owned !== undefined) {
      org.store.put("PermissionSetAssignment", {
        Id: org.newId("PermissionSetAssignment"),
        AssigneeId: user.Id,
        PermissionSetId: owned.Id,
        ExpirationDate: null,
        IsActive: true,
        SystemModstamp: now,
      });
    }
  },
  afterUpdate(org, user, previous) {
    if (user.ProfileId === previous.ProfileId) return;
    const before = profileOwnedSet(org, previous.ProfileId);
    const after = profileOwnedSet(org, user.ProfileId);
    if (before === undefined || after === undefined) return;
    for (const id of org.store.table("PermissionSetAssignment").lookup("AssigneeId", user.Id.toLowerCase())) {
      const assignment = org.get("PermissionSetAssignment", id);
      if (assignment?.PermissionSetId === before.Id) {
        org.store.put("PermissionSetAssignment", { ...assignment, PermissionSetId: after.Id });
      }
    }
  },
};
