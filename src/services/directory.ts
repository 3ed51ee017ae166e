import { hashPassword, passwordNeedsRehash, verifyPasswordOrDecoy } from "../crypto/password.ts";
import type { DirectoryChange, DirectoryGroup, DirectoryUser, Repositories } from "../domain/ports.ts";
import { AppError } from "../lib/errors.ts";
import { snippet } from "../xml/chars.ts";
import { recordAudit } from "./audit.ts";
import type { Actor, ServiceContext } from "./context.ts";
import {
  type AttributeInput,
  applyAttributes,
  checkCn,
  checkPassword,
  checkText,
  checkUid,
  failIfAny,
  isCn,
  isUid,
  limits,
  type Problems,
  reservedNames,
} from "./directory-validation.ts";

/**
 * The built-in directory's use cases. Every change runs in one transaction with its change-log
 * entries (which provisioning reads) and its audit event (which never holds a password).
 */

export type CreateUserInput = {
  readonly uid: string;
  readonly password?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly attributes?: Readonly<Record<string, AttributeInput>> | undefined;
  /** cns of existing groups to join. */
  readonly groups?: readonly string[] | undefined;
};

/** PATCH semantics: what is given replaces; absent keys stay; a null attribute or password is removed. */
export type UpdateUserInput = {
  /** When given (a client echoing the document), it must name this user: a uid cannot change. */
  readonly uid?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly password?: string | null | undefined;
  readonly attributes?: Readonly<Record<string, AttributeInput>> | undefined;
  /** Replaces the user's memberships. */
  readonly groups?: readonly string[] | undefined;
};

export type CreateGroupInput = {
  readonly cn: string;
  readonly description?: string | null | undefined;
  readonly members?: readonly string[] | undefined;
};

export type UpdateGroupInput = {
  /** When given, it must name this group: a cn cannot change. */
  readonly cn?: string | undefined;
  readonly description?: string | null | undefined;
  /** Replaces the members. */
  readonly members?: readonly string[] | undefined;
};

/**
 * A user as the admin API shows it: attributes flattened beside `uid` (one value as a string,
 * several as an array), never the password hash.
 */
export type UserView = {
  uid: string;
  enabled: boolean;
  hasPassword: boolean;
  groups: string[];
  createdAt: string;
  updatedAt: string;
  [attribute: string]: string | string[] | boolean;
};

export type GroupView = {
  cn: string;
  description: string | null;
  members: string[];
  createdAt: string;
  updatedAt: string;
};

// ───────────────────────── views ─────────────────────────

/** The API's view of a user: flattened attributes, groups, `hasPassword`; never the hash. */
export const userView = (user: DirectoryUser, groups: readonly string[]): UserView => {
  const view: UserView = {
    uid: user.uid,
    enabled: user.enabled,
    hasPassword: user.passwordHash !== null,
    groups: [...groups],
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
  for (const [name, values] of Object.entries(user.attributes)) {
    // Reserved keys are refused as attribute names, so nothing here can shadow them.
    if (reservedNames.has(name.toLowerCase()) || values.length === 0) continue;
    view[name] = values.length === 1 ? (values[0] ?? "") : [...values];
  }
  return view;
};

export const groupView = (group: DirectoryGroup): GroupView => ({
  cn: group.cn,
  description: group.description,
  members: [...group.members],
  createdAt: group.createdAt,
  updatedAt: group.updatedAt,
});

// ───────────────────────── helpers ─────────────────────────

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

const requireUser = async (repos: Repositories, uid: string): Promise<DirectoryUser> => {
  const user = isUid(uid) ? await repos.directory.getUser(uid) : undefined;
  if (!user)
    throw new AppError("DIR_USER_NOT_FOUND", { message: `No user "${snippet(uid)}" in the directory.` });
  return user;
};

const requireGroup = async (repos: Repositories, cn: string): Promise<DirectoryGroup> => {
  const group = isCn(cn) ? await repos.directory.getGroup(cn) : undefined;
  if (!group)
    throw new AppError("DIR_GROUP_NOT_FOUND", {
      message: `No group "${snippet(cn)}" in the directory.`,
    });
  return group;
};

/** Resolves uids to their stored spelling; unknown ones are problems naming the field. */
const resolveMembers = async (
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

const resolveGroups = async (
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
const setMemberships = async (
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

const view = async (repos: Repositories, user: DirectoryUser): Promise<UserView> =>
  userView(user, await repos.directory.groupsOf(user.uid));

// ───────────────────────── users ─────────────────────────

export const createUser = async (
  context: ServiceContext,
  actor: Actor,
  input: CreateUserInput,
): Promise<UserView> => {
  const problems: Problems = [];
  checkUid(input.uid, "uid", problems);
  if (input.password !== undefined) checkPassword(input.password, input.uid, problems);
  const attributes = applyAttributes({}, input.attributes ?? {}, problems);
  failIfAny(problems);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return context.store.transaction(async (repos) => {
    if (await repos.directory.getUser(input.uid)) {
      throw new AppError("DIR_USER_EXISTS", { message: `A user "${input.uid}" already exists.` });
    }
    const groups = await resolveGroups(repos, input.groups ?? [], problems);
    failIfAny(problems);
    const at = context.clock.now().toISOString();
    const user: DirectoryUser = {
      uid: input.uid,
      enabled: input.enabled ?? true,
      attributes,
      passwordHash,
      createdAt: at,
      updatedAt: at,
    };
    await repos.directory.createUser(user);
    const changedGroups = await setMemberships(repos, user.uid, groups, at);
    await appendChanges(repos, at, [
      { entity: "user", id: user.uid, operation: "create" },
      ...changedGroups.map(groupUpdated),
    ]);
    await directoryAudit(
      context,
      repos,
      actor,
      "directoryUser.create",
      { type: "directoryUser", id: user.uid },
      {
        attributes: Object.keys(attributes),
        enabled: user.enabled,
        hasPassword: passwordHash !== null,
        groups: changedGroups,
      },
    );
    return view(repos, user);
  });
};

export const getUser = async (context: ServiceContext, uid: string): Promise<UserView> => {
  const user = await requireUser(context.store, uid);
  return view(context.store, user);
};

const matches = (user: DirectoryUser, needle: string): boolean =>
  user.uid.toLowerCase().includes(needle) ||
  [...(user.attributes.mail ?? []), ...(user.attributes.cn ?? [])].some((v) =>
    v.toLowerCase().includes(needle),
  );

/**
 * A page of users in uid order (case ignored), after `after`. `filter` keeps users whose uid, mail
 * or cn contains it (any case); it scans the directory page by page, which suits the built-in
 * directory's size.
 */
export const listUsers = async (
  context: ServiceContext,
  options: { limit?: number | undefined; after?: string | undefined; filter?: string | undefined } = {},
): Promise<UserView[]> => {
  const limit = Math.min(Math.max(options.limit ?? limits.pageSize, 1), limits.maxPageSize);
  const repo = context.store.directory;
  const needle = options.filter?.toLowerCase() ?? "";
  const found: DirectoryUser[] = [];
  let after = options.after;
  while (found.length < limit) {
    const page = await repo.listUsers({ limit: needle === "" ? limit : 500, afterUid: after });
    for (const user of page) if (found.length < limit && matches(user, needle)) found.push(user);
    const last = page.at(-1);
    if (needle === "" || last === undefined || page.length < 500) break;
    after = last.uid;
  }
  return Promise.all(found.map((user) => view(context.store, user)));
};

export const updateUser = async (
  context: ServiceContext,
  actor: Actor,
  uid: string,
  input: UpdateUserInput,
): Promise<UserView> => {
  const problems: Problems = [];
  if (typeof input.password === "string") checkPassword(input.password, uid, problems);
  failIfAny(problems);
  const passwordHash = typeof input.password === "string" ? await hashPassword(input.password) : undefined;
  return context.store.transaction(async (repos) => {
    const current = await requireUser(repos, uid);
    if (input.uid !== undefined && input.uid.toLowerCase() !== current.uid.toLowerCase()) {
      problems.push({ field: "uid", message: "cannot be changed; create a new user instead" });
    }
    const attributes = applyAttributes(current.attributes, input.attributes ?? {}, problems);
    const groups =
      input.groups === undefined ? undefined : await resolveGroups(repos, input.groups, problems);
    failIfAny(problems);
    const at = context.clock.now().toISOString();
    const user: DirectoryUser = {
      ...current,
      enabled: input.enabled ?? current.enabled,
      attributes,
      passwordHash: input.password === null ? null : (passwordHash ?? current.passwordHash),
      updatedAt: at,
    };
    await repos.directory.updateUser(user);
    const changedGroups = groups === undefined ? [] : await setMemberships(repos, user.uid, groups, at);
    await appendChanges(repos, at, [userUpdated(user.uid), ...changedGroups.map(groupUpdated)]);
    await directoryAudit(
      context,
      repos,
      actor,
      "directoryUser.update",
      { type: "directoryUser", id: user.uid },
      {
        attributes: Object.keys(input.attributes ?? {}),
        ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
        ...(input.password === undefined ? {} : { passwordChanged: true }),
        ...(groups === undefined ? {} : { groups: changedGroups }),
      },
    );
    return view(repos, user);
  });
};

export const deleteUser = async (context: ServiceContext, actor: Actor, uid: string): Promise<void> =>
  context.store.transaction(async (repos) => {
    const user = await requireUser(repos, uid);
    const groups = await repos.directory.groupsOf(user.uid);
    await repos.directory.deleteUser(user.uid);
    const at = context.clock.now().toISOString();
    await appendChanges(repos, at, [
      { entity: "user", id: user.uid, operation: "delete" },
      ...groups.map(groupUpdated),
    ]);
    await directoryAudit(
      context,
      repos,
      actor,
      "directoryUser.delete",
      { type: "directoryUser", id: user.uid },
      { groups },
    );
  });

export const setPassword = async (
  context: ServiceContext,
  actor: Actor,
  uid: string,
  password: string,
): Promise<void> => {
  const problems: Problems = [];
  checkPassword(password, uid, problems);
  failIfAny(problems);
  const passwordHash = await hashPassword(password);
  await context.store.transaction(async (repos) => {
    const user = await requireUser(repos, uid);
    const at = context.clock.now().toISOString();
    await repos.directory.updateUser({ ...user, passwordHash, updatedAt: at });
    await appendChanges(repos, at, [userUpdated(user.uid)]);
    await directoryAudit(context, repos, actor, "directoryUser.setPassword", {
      type: "directoryUser",
      id: user.uid,
    });
  });
};

const setEnabled = async (context: ServiceContext, actor: Actor, uid: string, enabled: boolean) =>
  context.store.transaction(async (repos) => {
    const user = await requireUser(repos, uid);
    const at = context.clock.now().toISOString();
    const changed = { ...user, enabled, updatedAt: at };
    if (user.enabled !== enabled) {
      await repos.directory.updateUser(changed);
      await appendChanges(repos, at, [userUpdated(user.uid)]);
      await directoryAudit(
        context,
        repos,
        actor,
        enabled ? "directoryUser.enable" : "directoryUser.disable",
        {
          type: "directoryUser",
          id: user.uid,
        },
      );
      return view(repos, changed);
    }
    return view(repos, user);
  });

export const enableUser = (context: ServiceContext, actor: Actor, uid: string): Promise<UserView> =>
  setEnabled(context, actor, uid, true);

/** A disabled user cannot sign in; provisioning deactivates them downstream. */
export const disableUser = (context: ServiceContext, actor: Actor, uid: string): Promise<UserView> =>
  setEnabled(context, actor, uid, false);

/**
 * The user when `password` verifies and the user is enabled; otherwise undefined. A missing user
 * costs the same scrypt as a wrong password, so timing does not say which uids exist.
 */
export const authenticateUser = async (
  context: ServiceContext,
  uid: string,
  password: string,
): Promise<DirectoryUser | undefined> => {
  const user = isUid(uid) ? await context.store.directory.getUser(uid) : undefined;
  const stored = user?.passwordHash ?? null;
  const candidate = password.length <= limits.passwordMaxLength ? password : "";
  const verified = await verifyPasswordOrDecoy(candidate, stored);
  if (!verified || !user || stored === null || candidate !== password || !user.enabled) return undefined;
  if (passwordNeedsRehash(stored)) {
    // Quietly upgrade to today's scrypt parameters; not a directory change, so no change-log entry.
    await context.store.directory.updateUser({ ...user, passwordHash: await hashPassword(password) });
  }
  return user;
};

// ───────────────────────── groups ─────────────────────────

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
