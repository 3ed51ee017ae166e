import { isUnderDn, namingContextOf } from "../../ldap/dn.ts";
import { escapeFilterValue, ldapFilter } from "../../ldap/filter.ts";
import { expandMembers, groupGraph, membersOfGroup } from "../../ldap/membership.ts";
import type { LdapPool } from "../../ldap/pool.ts";
import { isAccountEnabled } from "../../ldap/presets.ts";
import type { LdapEntry } from "../../ldap/search.ts";
import { isAppError } from "../../lib/errors.ts";
import { changeFilter, laterMark, markOf } from "./ldap-changes.ts";
import type { LdapSourceSettings } from "./ldap-settings.ts";
import type { ChangedUsers, ProvisioningSource, ScopeCheck, SourceGroup, SourceUser } from "./source.ts";

/**
 * An LDAP data store as a provisioning source (OpenLDAP, PingDirectory, Oracle DS, Active
 * Directory, by the data store's preset and the channel's `channelSource`). One instance serves
 * one cycle. Its safety rests on one rule: the scope is read whole or not at all. A directory that
 * drops the connection half-way fails the read (never a short list the engine would take for
 * departures), and `checkScope` tells the engine when the scope itself looks unsound: the
 * directory unreachable, the base DN gone or empty, the scope group gone or emptied.
 */

export type LdapSourceOptions = {
  readonly pool: LdapPool;
  readonly settings: LdapSourceSettings;
  /** The data store's name, for reasons an administrator reads. */
  readonly name: string;
  /**
   * Ids of the users the channel holds active (or frozen) in Salesforce: when a group changed, who
   * left is found against them, and who (re)joined among the rest.
   */
  readonly knownIds: () => Promise<readonly string[]>;
};

const key = (text: string) => text.toLowerCase();

const valuesOf = (attributes: Readonly<Record<string, readonly string[]>>, name: string) => {
  const wanted = key(name);
  for (const [attribute, values] of Object.entries(attributes)) if (key(attribute) === wanted) return values;
  return [];
};

/** A text GUID back to the bytes AD stores (the first three fields little-endian), for a filter. */
const guidFilterValue = (guid: string, binary: boolean): string => {
  const hex = guid.replace(/-/g, "");
  if (!binary || !/^[0-9a-fA-F]{32}$/.test(hex)) return escapeFilterValue(guid);
  const bytes = Buffer.from(hex, "hex");
  const ordered = Buffer.concat([
    Uint8Array.from(bytes.subarray(0, 4)).reverse(),
    Uint8Array.from(bytes.subarray(4, 6)).reverse(),
    Uint8Array.from(bytes.subarray(6, 8)).reverse(),
    bytes.subarray(8),
  ]);
  return [...ordered].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
};

type Snapshot = {
  readonly users: SourceUser[];
  readonly byDn: ReadonlyMap<string, string>;
};

/** Memoizes a read for the cycle; a failed read is forgotten, so the next call tries again. */
const once = <T>(read: () => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};

export const createLdapSource = ({
  pool,
  settings,
  name,
  knownIds,
}: LdapSourceOptions): ProvisioningSource => {
  const { preset, baseDn } = settings;
  // Groups may live outside the base DN (AD keeps them in their own OU), and a user may be moved
  // out of it: both are looked for in the whole naming context.
  const root = namingContextOf(baseDn);
  const detection = preset.changeDetectionSettings;
  const guid = preset.guidAttributeName;
  const userClass = ldapFilter`(objectClass=${detection.userObjectClass})`;
  const groupClass = ldapFilter`(objectClass=${detection.groupObjectClass})`;
  const usersFilter = settings.users.filter ? `(&${userClass}${settings.users.filter})` : userClass;
  const attributes = [
    "*",
    guid,
    preset.groupMembershipDetection.memberOfGroupAttributeName,
    preset.accountManagementSettings.accountStatusAttributeName,
    detection.timeStampAttributeName,
    ...(detection.usnAttributeName ? [detection.usnAttributeName] : []),
  ];

  const toUser = (entry: LdapEntry): SourceUser | undefined => {
    const [id] = valuesOf(entry.attributes, guid);
    if (id === undefined) return undefined;
    return {
      id: key(id),
      attributes: { ...entry.attributes, dn: [entry.dn] },
      enabled: isAccountEnabled(preset.accountManagementSettings, entry.attributes),
    };
  };

  /** DNs (lower-cased) of the scope group's members; undefined when users are chosen by filter only. */
  const scopeMembers = once(async () =>
    settings.users.groupDn === undefined
      ? undefined
      : new Set(
          await membersOfGroup(pool, preset, baseDn, settings.users.groupDn, settings.users.nested, root),
        ),
  );

  /** Every user in scope, read whole, in id order. */
  const snapshot = once(async (): Promise<Snapshot> => {
    const entries = await pool.search({ baseDn, filter: usersFilter, attributes });
    const members = await scopeMembers();
    const users: SourceUser[] = [];
    const byDn = new Map<string, string>();
    for (const entry of entries) {
      if (members !== undefined && !members.has(key(entry.dn))) continue;
      const user = toUser(entry);
      if (!user) continue;
      users.push(user);
      byDn.set(key(entry.dn), user.id);
    }
    users.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { users, byDn };
  });

  const inScope = async (entry: LdapEntry): Promise<boolean> => {
    const members = await scopeMembers();
    if (members !== undefined && !members.has(key(entry.dn))) return false;
    if (settings.users.filter === undefined) return true;
    const found = await pool.search({
      baseDn: entry.dn,
      scope: "base",
      filter: usersFilter,
      attributes: ["1.1"],
    });
    return found.length > 0;
  };

  /** Entries of `filter` under `base` changed at or after the watermark, and the mark after them. */
  const changed = async (base: string, filter: string, watermark: string, attrs: readonly string[]) => {
    const entries = await pool.search({
      baseDn: base,
      filter: `(&${filter}${changeFilter(detection, watermark)})`,
      attributes: attrs,
    });
    let mark = watermark;
    for (const entry of entries) mark = laterMark(detection, mark, markOf(detection, entry.attributes));
    return { entries, mark };
  };

  const entryExists = async (dn: string): Promise<boolean> => {
    try {
      return (await pool.search({ baseDn: dn, scope: "base", attributes: ["1.1"] })).length > 0;
    } catch (error) {
      if (isAppError(error) && error.code === "LDAP_SEARCH" && /does not exist/.test(error.message))
        return false;
      throw error;
    }
  };

  return {
    // The directory's position before a full pass. A directory that cannot say (it is down) gives
    // "": the pass then stops on `checkScope`, and were it to go on, the next incremental read
    // would read every entry again, which loses nothing.
    watermark: async () => {
      const marks = [
        detection.timeStampAttributeName,
        ...(detection.usnAttributeName ? [detection.usnAttributeName] : []),
      ];
      const entries = await pool
        .search({ baseDn: root, filter: `(|${userClass}${groupClass})`, attributes: marks })
        .catch(() => []);
      let mark = "";
      for (const entry of entries) mark = laterMark(detection, mark, markOf(detection, entry.attributes));
      return mark;
    },

    changesSince: async (watermark): Promise<ChangedUsers> => {
      const users = new Map<string, SourceUser | null>();
      let held: ReadonlySet<string> | undefined;
      const known = async () => {
        held ??= new Set(await knownIds());
        return held;
      };
      const people = await changed(root, userClass, watermark, attributes);
      for (const entry of people.entries) {
        const user = toUser(entry);
        if (!user) continue;
        if (isUnderDn(entry.dn, baseDn)) users.set(user.id, (await inScope(entry)) ? user : null);
        // Moved out of the base DN (a move is a change, with its own USN or timestamp).
        else if ((await known()).has(user.id)) users.set(user.id, null);
      }
      const groups = await changed(root, groupClass, watermark, [
        "1.1",
        detection.timeStampAttributeName,
        ...(detection.usnAttributeName ? [detection.usnAttributeName] : []),
      ]);
      const groupsChanged = groups.entries.length > 0;
      // A group's members changed: who joined, and who left (against the users the channel holds;
      // a member leaving a group need not touch the member's own entry).
      if (groupsChanged && settings.users.groupDn !== undefined) {
        const scope = await snapshot();
        const inScopeIds = new Set(scope.users.map((u) => u.id));
        const holding = await known();
        for (const id of holding) if (!inScopeIds.has(id) && !users.has(id)) users.set(id, null);
        for (const user of scope.users)
          if (!holding.has(user.id) && !users.has(user.id)) users.set(user.id, user);
      }
      return {
        users,
        groupsChanged,
        watermark: laterMark(detection, people.mark, groups.mark),
        more: false,
      };
    },

    listUsers: async (afterId, limit) => {
      const { users } = await snapshot();
      const start = afterId === undefined ? 0 : users.findIndex((u) => u.id > afterId);
      return start < 0 ? [] : users.slice(start, start + limit);
    },

    getUser: async (id) => {
      const naming = preset.nestedGroups === "MATCHING_RULE_IN_CHAIN" ? "sAMAccountName" : "uid";
      const value = escapeFilterValue(id);
      const filter = `(&${userClass}(|(${guid}=${guidFilterValue(id, preset.guidBinary)})(${naming}=${value})(mail=${value})))`;
      const [entry] = await pool.search({ baseDn, filter, attributes });
      const user = entry ? toUser(entry) : undefined;
      if (!entry || !user) return undefined;
      return { user, inScope: await inScope(entry) };
    },

    listGroups: async (): Promise<SourceGroup[]> => {
      const wanted = settings.groups;
      if (wanted === undefined) return [];
      const memberAttribute = preset.groupMembershipDetection.groupMemberAttributeName;
      const found = await pool.search({
        baseDn: wanted.baseDn,
        filter: wanted.filter ? `(&${groupClass}${wanted.filter})` : groupClass,
        attributes: [guid, "cn", "description", memberAttribute],
      });
      const all = wanted.nested
        ? await pool.search({ baseDn: root, filter: groupClass, attributes: [memberAttribute] })
        : found;
      const graph = groupGraph(
        all.map((g) => ({ dn: g.dn, members: valuesOf(g.attributes, memberAttribute) })),
      );
      const { byDn } = await snapshot();
      const out: SourceGroup[] = [];
      for (const group of found) {
        const [id] = valuesOf(group.attributes, guid);
        const [cn] = valuesOf(group.attributes, "cn");
        if (id === undefined || cn === undefined) continue;
        out.push({
          id: key(id),
          name: cn,
          description: valuesOf(group.attributes, "description")[0] ?? null,
          memberIds: expandMembers(graph, group.dn, wanted.nested).flatMap((dn) => byDn.get(dn) ?? []),
        });
      }
      return out;
    },

    checkScope: async (): Promise<ScopeCheck> => {
      try {
        if (!(await entryExists(baseDn)))
          return { ok: false, reason: `the base DN "${baseDn}" does not exist in the directory "${name}"` };
        const group = settings.users.groupDn;
        if (group !== undefined && !(await entryExists(group)))
          return {
            ok: false,
            reason: `the scope group "${group}" does not exist in the directory "${name}"`,
          };
        if (group !== undefined && ((await scopeMembers()) ?? new Set()).size === 0)
          return { ok: false, reason: `the scope group "${group}" has no members` };
        if ((await snapshot()).users.length === 0)
          return {
            ok: false,
            reason: `the directory "${name}" answered no users in scope under "${baseDn}"`,
          };
        return { ok: true };
      } catch (error) {
        const why = isAppError(error) ? `${error.code}: ${error.message}` : String(error);
        return { ok: false, reason: `the directory "${name}" could not be read (${why})` };
      }
    },
  };
};
