import { hashPassword, passwordNeedsRehash, verifyPasswordOrDecoy } from "../../crypto/password.ts";
import type { DirectoryUser } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { Actor, ServiceContext } from "../context.ts";
import {
  appendChanges,
  directoryAudit,
  groupUpdated,
  requireUser,
  resolveGroups,
  setMemberships,
  userUpdated,
  view,
} from "./records.ts";
import {
  applyAttributes,
  checkPassword,
  checkUid,
  failIfAny,
  isUid,
  limits,
  type Problems,
} from "./validation.ts";
import type { CreateUserInput, UpdateUserInput, UserView } from "./views.ts";

/**
 * The built-in directory's use cases. Every change runs in one transaction with its change-log
 * entries (which provisioning reads) and its audit event (which never holds a password).
 */

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
