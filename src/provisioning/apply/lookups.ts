import type { ExistingUser } from "../plan/plan-users.ts";
import { inChunks, soqlQuote, type TargetApi } from "./target-api.ts";

/**
 * What the plan needs to know of Salesforce before it decides: existing users to adopt, frozen
 * logins, permission-set assignments, Contacts of community users, groups by name, and the ids
 * behind names an admin maps (profiles, roles, permission sets). Queries are batched, so a page
 * of users costs a call or two, not one per user.
 */

type Row = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === "string" ? value : String(value);

/** Salesforce's own fields the engine reads besides the mapped ones. */
const userBase = ["Id", "Username", "FederationIdentifier", "IsActive", "ContactId"];

/** Fields a User query may name: the mapped User fields Salesforce has. */
const queryable = (fields: readonly string[]): string[] =>
  [...new Set([...userBase, ...fields.filter((f) => /^[A-Za-z][A-Za-z0-9_]*$/.test(f))])].sort();

/**
 * Existing users by Salesforce id when the channel linked one before a write it could not record,
 * else by Username (case-insensitive, as Salesforce matches it), then by Federation ID, with the
 * mapped fields' current values.
 */
export const findExistingUsers = async (
  api: TargetApi,
  wanted: readonly {
    readonly key: string;
    readonly username: string;
    readonly federationId?: string | undefined;
    readonly id?: string | undefined;
  }[],
  mappedFields: readonly string[],
): Promise<Map<string, ExistingUser>> => {
  const fields = queryable(mappedFields);
  const found = new Map<string, ExistingUser>();
  const toExisting = (row: Row): ExistingUser => {
    const values: Record<string, string | null> = {};
    for (const field of fields) values[field] = text(row[field]);
    return {
      id: String(row.Id),
      username: String(row.Username),
      isActive: row.IsActive === true,
      isFrozen: false,
      fields: values,
      contactId: text(row.ContactId),
    };
  };
  // One query per chunk asks for both keys: an initial sync of 10,000 users stays near 0.01
  // calls per user. 150 users keep the query URL well under Salesforce's 16 KB.
  for (const chunk of inChunks(wanted, 150)) {
    if (chunk.length === 0) continue;
    const usernames = chunk.map((w) => soqlQuote(w.username));
    const federationIds = chunk.flatMap((w) => (w.federationId ? [soqlQuote(w.federationId)] : []));
    const ids = chunk.flatMap((w) => (w.id ? [soqlQuote(w.id)] : []));
    const where = [
      `Username IN (${usernames.join(", ")})`,
      ...(federationIds.length > 0 ? [`FederationIdentifier IN (${federationIds.join(", ")})`] : []),
      ...(ids.length > 0 ? [`Id IN (${ids.join(", ")})`] : []),
    ].join(" OR ");
    const rows = await api.query<Row>(`SELECT ${fields.join(", ")} FROM User WHERE ${where}`);
    const byId = new Map(rows.map((row) => [String(row.Id), row]));
    const byUsername = new Map(rows.map((row) => [String(row.Username).toLowerCase(), row]));
    const withFederationId = rows.filter((row) => typeof row.FederationIdentifier === "string");
    const byFederation = new Map(withFederationId.map((row) => [String(row.FederationIdentifier), row]));
    // Salesforce matches Federation IDs regardless of case ("Make Federation ID case-insensitive",
    // on by default; salesforce-api.md §3.2) and so does SOQL's `IN`: an exact match wins, and
    // one that differs only in case is the same person, not a user to create beside it.
    const byFoldedFederation = new Map(
      withFederationId.map((row) => [String(row.FederationIdentifier).toLowerCase(), row]),
    );
    for (const w of chunk) {
      // Username first: it is unique in all of Salesforce; a Federation ID only in the org.
      const row =
        (w.id ? byId.get(w.id) : undefined) ??
        byUsername.get(w.username.toLowerCase()) ??
        (w.federationId
          ? (byFederation.get(w.federationId) ?? byFoldedFederation.get(w.federationId.toLowerCase()))
          : undefined);
      if (row) found.set(w.key, toExisting(row));
    }
  }
  const frozen = await frozenUsers(
    api,
    [...found.values()].map((u) => u.id),
  );
  for (const [key, user] of found) if (frozen.has(user.id)) found.set(key, { ...user, isFrozen: true });
  return found;
};

/** Users whose login is frozen (UserLogin.IsFrozen). */
export const frozenUsers = async (api: TargetApi, userIds: readonly string[]): Promise<Set<string>> => {
  const out = new Set<string>();
  for (const chunk of inChunks(userIds, 200)) {
    if (chunk.length === 0) continue;
    const rows = await api.query<Row>(
      `SELECT UserId FROM UserLogin WHERE IsFrozen = true AND UserId IN (${chunk.map(soqlQuote).join(", ")})`,
    );
    for (const row of rows) out.add(String(row.UserId));
  }
  return out;
};

/** UserLogin ids of users, for freezing and unfreezing. */
export const userLogins = async (
  api: TargetApi,
  userIds: readonly string[],
): Promise<Map<string, string>> => {
  const out = new Map<string, string>();
  for (const chunk of inChunks(userIds, 200)) {
    if (chunk.length === 0) continue;
    const rows = await api.query<Row>(
      `SELECT Id, UserId FROM UserLogin WHERE UserId IN (${chunk.map(soqlQuote).join(", ")})`,
    );
    for (const row of rows) out.set(String(row.UserId), String(row.Id));
  }
  return out;
};

export type Assignment = { readonly id: string; readonly permissionSet: string; readonly name: string };

/** Users' permission-set assignments, leaving out the sets a profile owns (they are not assignable). */
export const permissionSetAssignments = async (
  api: TargetApi,
  userIds: readonly string[],
): Promise<Map<string, Assignment[]>> => {
  const out = new Map<string, Assignment[]>();
  for (const chunk of inChunks(userIds, 200)) {
    if (chunk.length === 0) continue;
    const rows = await api.query<Row>(
      `SELECT Id, AssigneeId, PermissionSetId, PermissionSet.Name, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE AssigneeId IN (${chunk.map(soqlQuote).join(", ")})`,
    );
    for (const row of rows) {
      const set = (row.PermissionSet ?? {}) as Row;
      if (set.IsOwnedByProfile === true) continue;
      const list = out.get(String(row.AssigneeId)) ?? [];
      list.push({ id: String(row.Id), permissionSet: String(row.PermissionSetId), name: String(set.Name) });
      out.set(String(row.AssigneeId), list);
    }
  }
  return out;
};

/**
 * Names (or labels) an admin maps resolved to ids, once per cycle: `Profile`, `UserRole` and
 * `PermissionSet` accept either; a value that already looks like an id of the type is kept.
 */
export const createNameResolver = (api: TargetApi) => {
  const cache = new Map<string, Promise<Map<string, string>>>();
  const idPrefix: Record<string, string> = { Profile: "00e", UserRole: "00E", PermissionSet: "0PS" };
  const load = (sobject: "Profile" | "UserRole" | "PermissionSet") => {
    let entry = cache.get(sobject);
    if (!entry) {
      const nameFields =
        sobject === "Profile"
          ? ["Name"]
          : sobject === "UserRole"
            ? ["Name", "DeveloperName"]
            : ["Name", "Label"];
      const where = sobject === "PermissionSet" ? " WHERE IsOwnedByProfile = false" : "";
      entry = api.query<Row>(`SELECT Id, ${nameFields.join(", ")} FROM ${sobject}${where}`).then((rows) => {
        const map = new Map<string, string>();
        for (const row of rows)
          for (const f of nameFields)
            if (typeof row[f] === "string") map.set(String(row[f]).toLowerCase(), String(row.Id));
        return map;
      });
      cache.set(sobject, entry);
    }
    return entry;
  };
  return async (
    sobject: "Profile" | "UserRole" | "PermissionSet",
    value: string,
  ): Promise<string | undefined> => {
    const prefix = idPrefix[sobject];
    if (
      prefix !== undefined &&
      /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(value) &&
      value.startsWith(prefix)
    )
      return value;
    return (await load(sobject)).get(value.toLowerCase());
  };
};

export type NameResolver = ReturnType<typeof createNameResolver>;

/** Contacts of community users: by Email under the Account (spec §5.5). */
export const findContacts = async (
  api: TargetApi,
  accountId: string,
  emails: readonly string[],
): Promise<Map<string, string>> => {
  const out = new Map<string, string>();
  for (const chunk of inChunks([...new Set(emails.map((e) => e.toLowerCase()))], 100)) {
    if (chunk.length === 0) continue;
    const rows = await api.query<Row>(
      `SELECT Id, Email FROM Contact WHERE AccountId = ${soqlQuote(accountId)} AND Email IN (${chunk.map(soqlQuote).join(", ")})`,
    );
    for (const row of rows)
      if (typeof row.Email === "string" && !out.has(row.Email.toLowerCase()))
        out.set(row.Email.toLowerCase(), String(row.Id));
  }
  return out;
};

/** Public groups by name; when several share a name, the first Salesforce returns is used (spec §5.4). */
export const findGroups = async (api: TargetApi, names: readonly string[]): Promise<Map<string, string>> => {
  const out = new Map<string, string>();
  for (const chunk of inChunks(names, 100)) {
    if (chunk.length === 0) continue;
    const rows = await api.query<Row>(
      `SELECT Id, Name FROM Group WHERE Type = 'Regular' AND Name IN (${chunk.map(soqlQuote).join(", ")})`,
    );
    for (const row of rows) if (!out.has(String(row.Name))) out.set(String(row.Name), String(row.Id));
  }
  return out;
};

/** Members of groups, for removing them (a GroupMember is deleted by its own id). */
export const groupMembers = async (
  api: TargetApi,
  groupId: string,
  userIds: readonly string[],
): Promise<Map<string, string>> => {
  const out = new Map<string, string>();
  for (const chunk of inChunks(userIds, 200)) {
    if (chunk.length === 0) continue;
    const rows = await api.query<Row>(
      `SELECT Id, UserOrGroupId FROM GroupMember WHERE GroupId = ${soqlQuote(groupId)} AND UserOrGroupId IN (${chunk.map(soqlQuote).join(", ")})`,
    );
    for (const row of rows) out.set(String(row.UserOrGroupId), String(row.Id));
  }
  return out;
};
