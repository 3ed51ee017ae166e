import { isUnderDn, namingContextOf } from "../../ldap/dn.ts";
import { escapeFilterValue, ldapFilter } from "../../ldap/filter.ts";
import { expandMembers, groupGraph, groupScope } from "../../ldap/membership.ts";
import type { LdapPool } from "../../ldap/pool.ts";
import { isAccountEnabled } from "../../ldap/presets.ts";
import { isNoSuchObject, type LdapEntry } from "../../ldap/search.ts";
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
 *
 * It holds no directory in memory: a full pass streams the users page by page, as the paged
 * search brings them; an incremental cycle reads the entries changed since the watermark, and
 * reads the scope again (light: DNs and GUIDs) only when a group it rests on changed.
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

  /** The scope group's members and the groups it rests on; undefined when users are chosen by filter only. */
  const scope = once(async () =>
    settings.users.groupDn === undefined
      ? undefined
      : await groupScope(pool, preset, baseDn, settings.users.groupDn, settings.users.nested, root),
  );
  const scopeMembers = async () => (await scope())?.members;

  /** Whether the entry at `dn` is a user the channel's filter chooses (false when there is none). */
  const matchesUsers = async (dn: string): Promise<boolean> => {
    try {
      return (
        (await pool.search({ baseDn: dn, scope: "base", filter: usersFilter, attributes: ["1.1"] })).length >
        0
      );
    } catch (error) {
      if (isNoSuchObject(error)) return false;
      throw error;
    }
  };

  /**
   * Who is in scope, read light (each user's GUID, no other attribute): in-scope users by DN
   * (lower-cased). For what only needs to know who, not what: group members, departures.
   */
  const scopeIndex = once(async () => {
    const members = await scopeMembers();
    const byDn = new Map<string, { readonly id: string; readonly dn: string }>();
    for await (const page of pool.searchPages({ baseDn, filter: usersFilter, attributes: [guid] })) {
      for (const entry of page) {
        const [id] = valuesOf(entry.attributes, guid);
        if (id !== undefined && (members === undefined || members.has(key(entry.dn))))
          byDn.set(key(entry.dn), { id: key(id), dn: entry.dn });
      }
    }
    return byDn;
  });

  /** At least one user in scope, found without reading them all. */
  const anyUserInScope = async (): Promise<boolean> => {
    const members = await scopeMembers();
    if (members === undefined) {
      for await (const page of pool.searchPages({
        baseDn,
        filter: usersFilter,
        attributes: ["1.1"],
        pageSize: 1,
      }))
        return page.length > 0;
      return false;
    }
    for (const dn of members) if (await matchesUsers(dn)) return true;
    return false;
  };

  const inScope = async (entry: LdapEntry): Promise<boolean> => {
    const members = await scopeMembers();
    if (members !== undefined && !members.has(key(entry.dn))) return false;
    return settings.users.filter === undefined || (await matchesUsers(entry.dn));
  };

  /** The user at `dn`, with every attribute, when the channel's filter chooses it. */
  const userAt = async (dn: string): Promise<SourceUser | undefined> => {
    try {
      const [entry] = await pool.search({ baseDn: dn, scope: "base", filter: usersFilter, attributes });
      return entry ? toUser(entry) : undefined;
    } catch (error) {
      if (isNoSuchObject(error)) return undefined;
      throw error;
    }
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
      if (isNoSuchObject(error)) return false;
      throw error;
    }
  };

  const marks = [
    detection.timeStampAttributeName,
    ...(detection.usnAttributeName ? [detection.usnAttributeName] : []),
  ];

  return {
    // The directory's position before a full pass. A directory that cannot say (it is down) gives
    // "": the pass then stops on `checkScope`, and were it to go on, the next incremental read
    // would read every entry again, which loses nothing.
    watermark: async () => {
      let mark = "";
      try {
        for await (const page of pool.searchPages({
          baseDn: root,
          filter: `(|${userClass}${groupClass})`,
          attributes: marks,
        }))
          for (const entry of page) mark = laterMark(detection, mark, markOf(detection, entry.attributes));
      } catch {
        return "";
      }
      return mark;
    },

    changesSince: async (watermark): Promise<ChangedUsers> => {
      const users = new Map<string, SourceUser | null>();
      const held = once(async () => new Set(await knownIds()));
      const people = await changed(root, userClass, watermark, attributes);
      for (const entry of people.entries) {
        const user = toUser(entry);
        if (!user) continue;
        if (isUnderDn(entry.dn, baseDn)) users.set(user.id, (await inScope(entry)) ? user : null);
        // Moved out of the base DN (a move is a change, with its own USN or timestamp).
        else if ((await held()).has(user.id)) users.set(user.id, null);
      }
      const groups = await changed(root, groupClass, watermark, ["1.1", ...marks]);
      // The scope group, or a group within it, changed: members may have joined or left without
      // a change to their own entries. Who left is found against the users the channel holds,
      // who joined among the rest. A change to any other group moves no one in or out.
      const restsOn = (await scope())?.groups;
      if (restsOn !== undefined && groups.entries.some((g) => restsOn.has(key(g.dn)))) {
        const index = await scopeIndex();
        const inScopeIds = new Set([...index.values()].map((u) => u.id));
        const known = await held();
        for (const id of known) if (!inScopeIds.has(id) && !users.has(id)) users.set(id, null);
        for (const { id, dn } of index.values()) {
          if (known.has(id) || users.has(id)) continue;
          const user = await userAt(dn);
          if (user) users.set(id, user);
        }
      }
      return {
        users,
        groupsChanged: groups.entries.length > 0,
        watermark: laterMark(detection, people.mark, groups.mark),
        more: false,
      };
    },

    async *users(pageSize) {
      const members = await scopeMembers();
      for await (const entries of pool.searchPages({ baseDn, filter: usersFilter, attributes, pageSize })) {
        const page = entries.flatMap((entry) => {
          const user = members === undefined || members.has(key(entry.dn)) ? toUser(entry) : undefined;
          return user ? [user] : [];
        });
        // The entries stay referenced here while the engine works on the page: let them go.
        entries.length = 0;
        if (page.length > 0) yield page;
      }
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
      const byDn = await scopeIndex();
      const out: SourceGroup[] = [];
      for (const group of found) {
        const [id] = valuesOf(group.attributes, guid);
        const [cn] = valuesOf(group.attributes, "cn");
        if (id === undefined || cn === undefined) continue;
        out.push({
          id: key(id),
          name: cn,
          description: valuesOf(group.attributes, "description")[0] ?? null,
          memberIds: expandMembers(graph, group.dn, wanted.nested).flatMap((dn) => byDn.get(dn)?.id ?? []),
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
        if (!(await anyUserInScope()))
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
