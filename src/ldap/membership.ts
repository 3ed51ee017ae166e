import { escapeFilterValue } from "./filter.ts";
import type { LdapPool } from "./pool.ts";
import { type DirectoryPreset, inChainMatchingRule } from "./presets.ts";

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

/** Members of a group that are not groups themselves; through nested groups when `nested`. */
export const expandMembers = (graph: GroupGraph, groupDn: string, nested: boolean): string[] => {
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
  return [...users];
};

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
 * DNs (lower-cased) of the group's members that are not groups: users under `baseDn`, through
 * the groups under `groupsBaseDn` (which may hold the base DN, or lie beside it).
 */
export const membersOfGroup = async (
  pool: LdapPool,
  preset: DirectoryPreset,
  baseDn: string,
  groupDn: string,
  nested: boolean,
  groupsBaseDn: string = baseDn,
): Promise<string[]> =>
  nested && preset.nestedGroups === "MATCHING_RULE_IN_CHAIN"
    ? inChain(
        pool,
        baseDn,
        preset.changeDetectionSettings.userObjectClass,
        preset.groupMembershipDetection.memberOfGroupAttributeName,
        groupDn,
      )
    : expandMembers(await readGraph(pool, preset, groupsBaseDn), groupDn, nested);

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
