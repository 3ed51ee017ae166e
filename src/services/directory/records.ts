import type { DirectoryChange, DirectoryGroup, DirectoryUser, Repositories } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { isCn, isUid, type Problems } from "./validation.ts";
import { type UserView, userView } from "./views.ts";

/** What users and groups share: the change log, the audit, lookups and memberships. */

export type Change = Omit<DirectoryChange, "seq" | "at">;

export const appendChanges = async (
  repos: Repositories,
  at: string,
  changes: readonly Change[],
): Promise<void> => {
  const seen = new Set<string>();
  for (const change of changes) {
    const key = `${change.entity}\u0000${change.id}\u0000${change.operation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await repos.directory.appendChange({ at, ...change });
  }
};

export const userUpdated = (id: string): Change => ({ entity: "user", id, operation: "update" });
export const groupUpdated = (id: string): Change => ({ entity: "group", id, operation: "update" });

export const directoryAudit = (
  context: ServiceContext,
  repos: Repositories,
  actor: Actor,
  action: string,
  resource: { type: "directoryUser" | "directoryGroup" | "directory"; id: string | null },
  detail: Record<string, unknown> | null = null,
) => recordAudit(repos.auditLog, context.clock, actor, action, resource, detail);

export const requireUser = async (repos: Repositories, uid: string): Promise<DirectoryUser> => {
  const user = isUid(uid) ? await repos.directory.getUser(uid) : undefined;
  if (!user)
    throw new AppError("DIR_USER_NOT_FOUND", { message: `No user "${snippet(uid)}" in the directory.` });
  return user;
};

export const requireGroup = async (repos: Repositories, cn: string): Promise<DirectoryGroup> => {
  const group = isCn(cn) ? await repos.directory.getGroup(cn) : undefined;
  if (!group)
    throw new AppError("DIR_GROUP_NOT_FOUND", {
      message: `No group "${snippet(cn)}" in the directory.`,
    });
  return group;
};

/** Resolves uids to their stored spelling; unknown ones are problems naming the field. */
export const resolveMembers = async (
  repos: Repositories,
  uids: readonly string[],
  field: string,
  problems: Problems,
): Promise<string[]> => {
  const out: string[] = [];
  for (const [i, uid] of uids.entries()) {
    const user = isUid(uid) ? await repos.directory.getUser(uid) : undefined;
    if (!user) problems.push({ field: `${field}[${i}]`, message: `no user "${snippet(uid)}"` });
    else if (!out.includes(user.uid)) out.push(user.uid);
  }
  return out;
};

export const resolveGroups = async (
  repos: Repositories,
  cns: readonly string[],
  problems: Problems,
): Promise<DirectoryGroup[]> => {
  const out: DirectoryGroup[] = [];
  for (const [i, cn] of cns.entries()) {
    const group = isCn(cn) ? await repos.directory.getGroup(cn) : undefined;
    if (!group) problems.push({ field: `groups[${i}]`, message: `no group "${snippet(cn)}"` });
    else if (!out.some((g) => g.cn === group.cn)) out.push(group);
  }
  return out;
};

/** Sets a user's memberships to exactly `wanted`; returns the groups whose members changed. */
export const setMemberships = async (
  repos: Repositories,
  uid: string,
  wanted: readonly DirectoryGroup[],
  at: string,
): Promise<string[]> => {
  const current = await repos.directory.groupsOf(uid);
  const changed: string[] = [];
  for (const group of wanted) {
    if (current.includes(group.cn)) continue;
    await repos.directory.updateGroup({ ...group, members: [...group.members, uid], updatedAt: at });
    changed.push(group.cn);
  }
  for (const cn of current) {
    if (wanted.some((g) => g.cn === cn)) continue;
    const group = await repos.directory.getGroup(cn);
    if (!group) continue;
    await repos.directory.updateGroup({
      ...group,
      members: group.members.filter((m) => m !== uid),
      updatedAt: at,
    });
    changed.push(cn);
  }
  return changed;
};

export const view = async (repos: Repositories, user: DirectoryUser): Promise<UserView> =>
  userView(user, await repos.directory.groupsOf(user.uid));
