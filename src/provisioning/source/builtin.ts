import type { DirectoryGroup, DirectoryRepository, DirectoryUser } from "../../domain/ports.ts";
import { type LdapFilter, matchesLdapFilter } from "../../ldap/filter.ts";
import type { ChangedUsers, ProvisioningSource, ScopeCheck, SourceGroup, SourceUser } from "./source.ts";

/** A channel's scope over the built-in directory, compiled from PingFederate's source locations. */
export type BuiltinScope = {
  /** Users: all of them, the members of one group, the ones a filter matches, or both. */
  readonly users: { readonly group?: string | undefined; readonly filter?: LdapFilter | undefined };
  /** Groups to provision as public groups; undefined provisions none. */
  readonly groups?:
    | { readonly group?: string | undefined; readonly filter?: LdapFilter | undefined }
    | undefined;
};

const key = (text: string) => text.toLowerCase();

/**
 * The built-in directory as a provisioning source. One instance serves one cycle: it loads the
 * group index once (who is in which group) and answers from it.
 */
export const createBuiltinSource = (
  directory: DirectoryRepository,
  scope: BuiltinScope,
): ProvisioningSource => {
  let groupIndex: Promise<{ groups: DirectoryGroup[]; byUser: Map<string, string[]> }> | undefined;
  const index = () => {
    groupIndex ??= directory.listGroups().then((groups) => {
      const byUser = new Map<string, string[]>();
      for (const group of groups) {
        for (const member of group.members) {
          const list = byUser.get(key(member)) ?? [];
          list.push(group.cn);
          byUser.set(key(member), list);
        }
      }
      return { groups, byUser };
    });
    return groupIndex;
  };

  const toSource = (user: DirectoryUser, groups: readonly string[]): SourceUser => ({
    id: key(user.uid),
    attributes: { ...user.attributes, uid: [user.uid], memberOf: [...groups] },
    enabled: user.enabled,
  });

  const inScope = (user: SourceUser): boolean => {
    const { group, filter } = scope.users;
    if (group !== undefined && !(user.attributes.memberOf ?? []).some((g) => key(g) === key(group)))
      return false;
    return filter === undefined || matchesLdapFilter(filter, user.attributes);
  };

  const load = async (user: DirectoryUser): Promise<SourceUser> =>
    toSource(user, (await index()).byUser.get(key(user.uid)) ?? []);

  const groupInScope = (group: DirectoryGroup): boolean => {
    const wanted = scope.groups;
    if (wanted === undefined) return false;
    if (wanted.group !== undefined && key(wanted.group) !== key(group.cn)) return false;
    const entry = { cn: [group.cn], ...(group.description ? { description: [group.description] } : {}) };
    return wanted.filter === undefined || matchesLdapFilter(wanted.filter, entry);
  };

  return {
    watermark: async () => String(await directory.lastChangeSeq()),

    changesSince: async (watermark, limit): Promise<ChangedUsers> => {
      const changes = await directory.listChanges({ afterSeq: Number(watermark) || 0, limit });
      const users = new Map<string, SourceUser | null>();
      let groupsChanged = false;
      const ids = new Set<string>();
      for (const change of changes) {
        if (change.entity === "group") groupsChanged = true;
        else ids.add(key(change.id));
      }
      for (const id of ids) {
        const user = await directory.getUser(id);
        if (!user) {
          users.set(id, null);
          continue;
        }
        const record = toSource(user, await directory.groupsOf(user.uid));
        users.set(id, inScope(record) ? record : null);
      }
      return {
        users,
        groupsChanged,
        watermark: String(changes.at(-1)?.seq ?? watermark),
        more: changes.length === limit,
      };
    },

    async *users(pageSize) {
      let out: SourceUser[] = [];
      for (let after: string | undefined; ; ) {
        const page = await directory.listUsers({ limit: 500, afterUid: after });
        for (const user of page) {
          const record = await load(user);
          if (!inScope(record)) continue;
          out.push(record);
          if (out.length === pageSize) {
            yield out;
            out = [];
          }
        }
        const last = page.at(-1);
        if (!last || page.length < 500) break;
        after = last.uid;
      }
      if (out.length > 0) yield out;
    },

    getUser: async (id) => {
      const user = await directory.getUser(id);
      if (!user) return undefined;
      const record = toSource(user, await directory.groupsOf(user.uid));
      return { user: record, inScope: inScope(record) };
    },

    listGroups: async (): Promise<SourceGroup[]> =>
      (await index()).groups.filter(groupInScope).map((group) => ({
        id: key(group.cn),
        name: group.cn,
        description: group.description,
        memberIds: group.members.map(key),
      })),

    checkScope: async (): Promise<ScopeCheck> => {
      const group = scope.users.group;
      if (group === undefined) {
        const any = await directory.listUsers({ limit: 1 });
        return any.length > 0 ? { ok: true } : { ok: false, reason: "the directory has no users" };
      }
      const found = await directory.getGroup(group);
      if (!found) return { ok: false, reason: `the scope group "${group}" does not exist` };
      if (found.members.length === 0)
        return { ok: false, reason: `the scope group "${group}" has no members` };
      return { ok: true };
    },
  };
};
