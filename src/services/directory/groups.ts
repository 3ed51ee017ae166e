import type { DirectoryGroup, Repositories } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { Actor, ServiceContext } from "../context.ts";
import {
  appendChanges,
  directoryAudit,
  groupUpdated,
  requireGroup,
  requireUser,
  resolveMembers,
  userUpdated,
} from "./records.ts";
import { checkCn, checkText, failIfAny, limits, type Problems } from "./validation.ts";
import { type CreateGroupInput, type GroupView, groupView, type UpdateGroupInput } from "./views.ts";

/**
 * The built-in directory's use cases. Every change runs in one transaction with its change-log
 * entries (which provisioning reads) and its audit event (which never holds a password).
 */

export const listGroups = async (context: ServiceContext): Promise<GroupView[]> =>
  (await context.store.directory.listGroups()).map(groupView);

export const getGroup = async (context: ServiceContext, cn: string): Promise<GroupView> =>
  groupView(await requireGroup(context.store, cn));

const checkDescription = (description: string | null | undefined, problems: Problems) => {
  if (typeof description === "string")
    checkText(description, "description", limits.descriptionLength, problems);
};

export const createGroup = async (
  context: ServiceContext,
  actor: Actor,
  input: CreateGroupInput,
): Promise<GroupView> =>
  context.store.transaction(async (repos) => {
    const problems: Problems = [];
    checkCn(input.cn, "cn", problems);
    checkDescription(input.description, problems);
    failIfAny(problems);
    if (await repos.directory.getGroup(input.cn)) {
      throw new AppError("DIR_GROUP_EXISTS", { message: `A group "${input.cn}" already exists.` });
    }
    const members = await resolveMembers(repos, input.members ?? [], "members", problems);
    failIfAny(problems);
    const at = context.clock.now().toISOString();
    const group: DirectoryGroup = {
      cn: input.cn,
      description: input.description ?? null,
      members,
      createdAt: at,
      updatedAt: at,
    };
    await repos.directory.createGroup(group);
    await appendChanges(repos, at, [
      { entity: "group", id: group.cn, operation: "create" },
      ...members.map(userUpdated),
    ]);
    await directoryAudit(
      context,
      repos,
      actor,
      "directoryGroup.create",
      { type: "directoryGroup", id: group.cn },
      { members },
    );
    return groupView((await repos.directory.getGroup(group.cn)) ?? group);
  });

/** Writes a group's new state; users who joined or left are changed too (provisioning maps groups onto users). */
const saveGroup = async (
  context: ServiceContext,
  repos: Repositories,
  actor: Actor,
  current: DirectoryGroup,
  next: { description: string | null; members: string[] },
  action: string,
): Promise<GroupView> => {
  const joined = next.members.filter((m) => !current.members.includes(m));
  const left = current.members.filter((m) => !next.members.includes(m));
  const descriptionChanged = next.description !== current.description;
  if (joined.length === 0 && left.length === 0 && !descriptionChanged) return groupView(current);
  const at = context.clock.now().toISOString();
  await repos.directory.updateGroup({ ...current, ...next, updatedAt: at });
  await appendChanges(repos, at, [groupUpdated(current.cn), ...[...joined, ...left].map(userUpdated)]);
  await directoryAudit(
    context,
    repos,
    actor,
    action,
    { type: "directoryGroup", id: current.cn },
    { joined, left, ...(descriptionChanged ? { descriptionChanged: true } : {}) },
  );
  return groupView((await repos.directory.getGroup(current.cn)) ?? current);
};

export const updateGroup = async (
  context: ServiceContext,
  actor: Actor,
  cn: string,
  input: UpdateGroupInput,
): Promise<GroupView> =>
  context.store.transaction(async (repos) => {
    const current = await requireGroup(repos, cn);
    const problems: Problems = [];
    if (input.cn !== undefined && input.cn.toLowerCase() !== current.cn.toLowerCase()) {
      problems.push({ field: "cn", message: "cannot be changed; create a new group instead" });
    }
    checkDescription(input.description, problems);
    const members =
      input.members === undefined
        ? [...current.members]
        : await resolveMembers(repos, input.members, "members", problems);
    failIfAny(problems);
    const description = input.description === undefined ? current.description : input.description;
    return saveGroup(context, repos, actor, current, { description, members }, "directoryGroup.update");
  });

export const addGroupMember = async (
  context: ServiceContext,
  actor: Actor,
  cn: string,
  uid: string,
): Promise<GroupView> =>
  context.store.transaction(async (repos) => {
    const current = await requireGroup(repos, cn);
    const user = await requireUser(repos, uid);
    const members = current.members.includes(user.uid)
      ? [...current.members]
      : [...current.members, user.uid];
    return saveGroup(
      context,
      repos,
      actor,
      current,
      { description: current.description, members },
      "directoryGroup.addMember",
    );
  });

export const removeGroupMember = async (
  context: ServiceContext,
  actor: Actor,
  cn: string,
  uid: string,
): Promise<GroupView> =>
  context.store.transaction(async (repos) => {
    const current = await requireGroup(repos, cn);
    const user = await requireUser(repos, uid);
    const members = current.members.filter((m) => m !== user.uid);
    return saveGroup(
      context,
      repos,
      actor,
      current,
      { description: current.description, members },
      "directoryGroup.removeMember",
    );
  });

export const deleteGroup = async (context: ServiceContext, actor: Actor, cn: string): Promise<void> =>
  context.store.transaction(async (repos) => {
    const group = await requireGroup(repos, cn);
    await repos.directory.deleteGroup(group.cn);
    const at = context.clock.now().toISOString();
    await appendChanges(repos, at, [
      { entity: "group", id: group.cn, operation: "delete" },
      ...group.members.map(userUpdated),
    ]);
    await directoryAudit(
      context,
      repos,
      actor,
      "directoryGroup.delete",
      { type: "directoryGroup", id: group.cn },
      {
        members: group.members,
      },
    );
  });
