import { AppError } from "../../lib/errors.ts";
import { type SalesforceClient, soqlString } from "./client.ts";
import { salesforceFailureOf } from "./errors.ts";

/**
 * What "Test connection" proves (pingfederate-salesforce-spec.md §5.6, 7.0.1's wrong-subdomain
 * fix): a fresh token from the configured grant, the configured API version, who the API user is,
 * and that this user may do what provisioning does — API access and "Manage Users" — found by
 * reading permissions, never by writing a record.
 */

export type ConnectionCheck = {
  readonly organizationId: string;
  readonly instanceUrl: string;
  readonly apiVersion: string;
  readonly user: {
    readonly id: string;
    readonly username: string;
    readonly name: string;
    readonly profile: string;
  };
  readonly permissions: {
    readonly apiEnabled: boolean;
    readonly manageUsers: boolean;
    readonly createUsers: boolean;
  };
  readonly apiUsage: { readonly used: number; readonly max: number } | undefined;
};

type Identity = { user_id?: unknown; organization_id?: unknown; username?: unknown; display_name?: unknown };
type UserRow = {
  Id: string;
  Username: string;
  Name?: string | null;
  Profile?: { Name?: string; PermissionsApiEnabled?: boolean; PermissionsManageUsers?: boolean } | null;
};
type AssignmentRow = {
  PermissionSet?: { Name?: string; PermissionsApiEnabled?: boolean; PermissionsManageUsers?: boolean } | null;
};

const idOf = (value: unknown): string =>
  typeof value === "string" && /^[a-zA-Z0-9]{15,18}$/.test(value) ? value : "";

/** The user's permissions from their profile, then from permission sets when the profile lacks one. */
const permissionsOf = async (client: SalesforceClient, user: UserRow) => {
  let apiEnabled = user.Profile?.PermissionsApiEnabled === true;
  let manageUsers = user.Profile?.PermissionsManageUsers === true;
  if (apiEnabled && manageUsers) return { apiEnabled, manageUsers };
  try {
    // In an org every user's profile is also an assigned permission set, so this covers both.
    const rows = await client.query<AssignmentRow>(
      `SELECT PermissionSet.Name, PermissionSet.PermissionsApiEnabled, PermissionSet.PermissionsManageUsers FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(user.Id)}`,
    );
    apiEnabled ||= rows.some((r) => r.PermissionSet?.PermissionsApiEnabled === true);
    manageUsers ||= rows.some((r) => r.PermissionSet?.PermissionsManageUsers === true);
  } catch (error) {
    // A permission field the org (or API version) does not expose on PermissionSet: the profile decides.
    if (salesforceFailureOf(error)?.errorCode !== "INVALID_FIELD") throw error;
  }
  return { apiEnabled, manageUsers };
};

export const checkConnection = async (client: SalesforceClient, tokens: { renew(): Promise<unknown> }) => {
  await tokens.renew();
  const session = await client.session();
  const versions = await client.request<{ version?: unknown }[]>("GET", "/services/data/");
  const offered = (Array.isArray(versions) ? versions : []).map((v) => String(v.version));
  if (!offered.includes(client.apiVersion)) {
    throw new AppError("PROV_TARGET_API_VERSION", {
      message: `The org offers API versions ${offered[0] ?? "?"} to ${offered.at(-1) ?? "?"}, not ${client.apiVersion}: change API_VERSION.`,
    });
  }
  const identity =
    session.identityUrl === undefined ? {} : await client.request<Identity>("GET", session.identityUrl);
  const userId = idOf(identity.user_id) || idOf(session.identityUrl?.split("/").at(-1));
  const organizationId = idOf(identity.organization_id) || idOf(session.identityUrl?.split("/").at(-2));
  const [user] = await client.query<UserRow>(
    `SELECT Id, Username, Name, Profile.Name, Profile.PermissionsApiEnabled, Profile.PermissionsManageUsers FROM User WHERE Id = ${soqlString(userId)}`,
  );
  if (user === undefined) {
    throw new AppError("PROV_TARGET_AUTH_FAILED", {
      message: "Salesforce did not say which user the token belongs to.",
    });
  }
  const who = `The API user ${user.Username} (profile ${user.Profile?.Name ?? "unknown"})`;
  const { apiEnabled, manageUsers } = await permissionsOf(client, user);
  if (!apiEnabled) {
    throw new AppError("PROV_TARGET_API_DISABLED", {
      message: `${who} lacks "API Enabled": grant it in the profile or a permission set.`,
    });
  }
  const described = await client.describe("User");
  if (!manageUsers || !described.createable || !described.updateable) {
    throw new AppError("PROV_TARGET_PERMISSION_MISSING", {
      message: `${who} lacks "Manage Users", so it cannot create or update users: grant it in the profile or a permission set.`,
    });
  }
  return {
    organizationId,
    instanceUrl: session.instanceUrl,
    apiVersion: client.apiVersion,
    user: { id: user.Id, username: user.Username, name: user.Name ?? "", profile: user.Profile?.Name ?? "" },
    permissions: { apiEnabled, manageUsers, createUsers: described.createable },
    apiUsage: client.apiUsage,
  } satisfies ConnectionCheck;
};
