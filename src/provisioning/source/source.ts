/**
 * The source side of a channel: what the engine reads, whatever the directory behind it (the
 * built-in one, or an LDAP data store: ldap.ts). Scope (a group's members or a filter) and
 * account status are the source's business: the engine sees in-scope users, enabled or not.
 */

/** A user in the channel's scope. */
export type SourceUser = {
  /** Stable within the source (the built-in uid lower-cased, an LDAP entry's GUID). */
  readonly id: string;
  /** Attribute name → values, as the mapping reads them; `memberOf` lists the user's groups. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly enabled: boolean;
};

/** A group the channel provisions as a Salesforce public group. */
export type SourceGroup = {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  /** Ids of the members (users; the engine keeps those it provisions). */
  readonly memberIds: readonly string[];
};

export type ChangedUsers = {
  /** Each user changed since the watermark: its record when in scope, null when gone or out of scope. */
  readonly users: ReadonlyMap<string, SourceUser | null>;
  /** Some group changed: group provisioning must look again. */
  readonly groupsChanged: boolean;
  /** The position after these changes. */
  readonly watermark: string;
  /** More changes wait after `watermark`. */
  readonly more: boolean;
};

/** Whether the scope itself is sound; a scope that vanished or emptied must deprovision no one. */
export type ScopeCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export type ProvisioningSource = {
  /** The source's current position, taken before a full pass starts. */
  watermark(): Promise<string>;
  /** What changed after `watermark`, at most `limit` changes at a time. */
  changesSince(watermark: string, limit: number): Promise<ChangedUsers>;
  /**
   * Every in-scope user once, a page of at most `pageSize` at a time, in the source's own order:
   * a full pass walks them without holding them all. A read that fails part-way throws, so a
   * pass never takes a short list for departures.
   */
  users(pageSize: number): AsyncIterable<readonly SourceUser[]>;
  /** One user, in scope or not (`provisionUser`); undefined when it does not exist. */
  getUser(id: string): Promise<{ user: SourceUser; inScope: boolean } | undefined>;
  /** In-scope groups with their members; empty when the channel provisions no groups. */
  listGroups(): Promise<SourceGroup[]>;
  checkScope(): Promise<ScopeCheck>;
};
