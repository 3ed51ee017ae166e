import { escapeFilterValue } from "./filter.ts";
import type { LdapPool } from "./pool.ts";
import { type DirectoryPreset, inChainMatchingRule } from "./presets.ts";
import { isNoSuchObject } from "./search.ts";

/**
 * Group membership, nested or not. Active Directory answers nested questions itself through
 * LDAP_MATCHING_RULE_IN_CHAIN; for other directories Portico reads the groups once and walks
 * them, remembering where it has been, so a cycle (A in B in A) ends instead of looping.
 */

export type GroupGraph = ReadonlyMap<string, readonly string[]>;

const key = (dn: string) => dn.toLowerCase();

/** Group DN (lower-cased) → member DNs (lower-cased). */
export const groupGraph = (groups: readonly { dn: string; members: readonly string[] }[]): GroupGraph =>
  new Map(groups.map((g) => [key(g.dn), g.members.map(key)]));

/**
 * A group's members that are not groups themselves (through nested groups when `nested`), and
 * the groups they were found through: the group itself and, when nested, every group within it.
 */
export const expandScope = (
  graph: GroupGraph,
  groupDn: string,
  nested: boolean,
): { members: string[]; groups: string[] } => {
  const seen = new Set<string>([key(groupDn)]);
  const queue = [key(groupDn)];
  const users = new Set<string>();
  for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
    for (const member of graph.get(group) ?? []) {
      if (!graph.has(member)) users.add(member);
      else if (nested && !seen.has(member)) {
        seen.add(member);
        queue.push(member);
      }
    }
  }
  return { members: [...users], groups: [...seen] };
};

/** Members of a group that are not groups themselves; through nested groups when `nested`. */
export const expandMembers = (graph: GroupGraph, groupDn: string, nested: boolean): string[] =>
  expandScope(graph, groupDn, nested).members;

/** The groups an entry belongs to, directly and (when `nested`) through the groups it is in. */
export const expandGroupsOf = (graph: GroupGraph, dn: string, nested: boolean): string[] => {
  const parents = new Map<string, string[]>();
  for (const [group, members] of graph) {
    for (const member of members) parents.set(member, [...(parents.get(member) ?? []), group]);
  }
  const found = new Set<string>();
  const queue = [key(dn)];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const parent of parents.get(current) ?? []) {
      if (found.has(parent)) continue;
      found.add(parent);
      if (nested) queue.push(parent);
    }
  }
  return [...found];
};

const readGraph = async (pool: LdapPool, preset: DirectoryPreset, baseDn: string): Promise<GroupGraph> => {
  const member = preset.groupMembershipDetection.groupMemberAttributeName;
  const groups = await pool.search({
    baseDn,
    filter: `(objectClass=${escapeFilterValue(preset.changeDetectionSettings.groupObjectClass)})`,
    attributes: [member],
  });
  return groupGraph(
    groups.map((g) => ({
      dn: g.dn,
      members:
        Object.entries(g.attributes).find(([name]) => name.toLowerCase() === member.toLowerCase())?.[1] ?? [],
    })),
  );
};

/** Entries of `objectClass` whose `attribute` reaches `dn` through any chain (AD's in-chain rule). */
const inChain = async (
  pool: LdapPool,
  baseDn: string,
  objectClass: string,
  attribute: string,
  dn: string,
) => {
  const filter = `(&(objectClass=${escapeFilterValue(objectClass)})(${attribute}:${inChainMatchingRule}:=${escapeFilterValue(dn)}))`;
  return (await pool.search({ baseDn, filter, attributes: ["1.1"] })).map((e) => key(e.dn));
};

/**
 * A channel's scope group: the DNs (lower-cased) of its members, and of the groups whose change
 * can change who they are — the group itself and, when nested, every group within it.
 */
export type GroupScope = { readonly members: ReadonlySet<string>; readonly groups: ReadonlySet<string> };

/** The scope group's own member list, from its entry alone; none when the group does not exist. */
const directMembers = async (pool: LdapPool, preset: DirectoryPreset, groupDn: string) => {
  const member = preset.groupMembershipDetection.groupMemberAttributeName.toLowerCase();
  try {
    const [group] = await pool.search({ baseDn: groupDn, scope: "base", attributes: [member] });
    return Object.entries(group?.attributes ?? {}).find(([name]) => name.toLowerCase() === member)?.[1] ?? [];
  } catch (error) {
    if (isNoSuchObject(error)) return [];
    throw error;
  }
};

/**
 * The scope of a channel by group. Without nesting, one entry is read: the group's (a member
 * that is a group matches no user entry, so it needs no telling apart). With nesting, Active
 * Directory answers with its in-chain rule; elsewhere every group under the base DN is read once
 * and walked.
 */
export const groupScope = async (
  pool: LdapPool,
  preset: DirectoryPreset,
  baseDn: string,
  groupDn: string,
  nested: boolean,
  /** Where the groups are: the base DN's naming context, as groups may lie beside the users. */
  groupsBaseDn: string = baseDn,
): Promise<GroupScope> => {
  if (!nested)
    return {
      members: new Set((await directMembers(pool, preset, groupDn)).map(key)),
      groups: new Set([key(groupDn)]),
    };
  const detection = preset.changeDetectionSettings;
  if (preset.nestedGroups === "MATCHING_RULE_IN_CHAIN") {
    const memberOf = preset.groupMembershipDetection.memberOfGroupAttributeName;
    const members = await inChain(pool, baseDn, detection.userObjectClass, memberOf, groupDn);
    const groups = await inChain(pool, groupsBaseDn, detection.groupObjectClass, memberOf, groupDn);
    return { members: new Set(members), groups: new Set([key(groupDn), ...groups]) };
  }
  const { members, groups } = expandScope(await readGraph(pool, preset, groupsBaseDn), groupDn, true);
  return { members: new Set(members), groups: new Set(groups) };
};

/** DNs (lower-cased) of the groups an entry is in. */
export const groupsOfEntry = async (
  pool: LdapPool,
  preset: DirectoryPreset,
  baseDn: string,
  dn: string,
  nested: boolean,
): Promise<string[]> =>
  nested && preset.nestedGroups === "MATCHING_RULE_IN_CHAIN"
    ? inChain(
        pool,
        baseDn,
        preset.changeDetectionSettings.groupObjectClass,
        preset.groupMembershipDetection.groupMemberAttributeName,
        dn,
      )
    : expandGroupsOf(await readGraph(pool, preset, baseDn), dn, nested);
