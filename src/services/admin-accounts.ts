import { hashPassword } from "../crypto/password.ts";
import { generateApiToken, hashToken } from "../crypto/tokens.ts";
import { AppError } from "../lib/errors.ts";
import { minimumAdminPasswordLength as minimumPasswordLength } from "../lib/password-policy.ts";
import { forgetVerifiedCredentials } from "./admin-auth.ts";
import { recordAudit } from "./audit.ts";
import type { Actor, ServiceContext } from "./context.ts";

export type AdminAccountView = {
  username: string;
  role: "ADMIN" | "AUDITOR";
  createdAt: string;
  updatedAt: string;
};

const checkPassword = (password: string) => {
  if (password.length < minimumPasswordLength) {
    throw new AppError("REQ_VALIDATION", {
      message: `password: must be at least ${minimumPasswordLength} characters.`,
      details: [{ field: "password", message: `at least ${minimumPasswordLength} characters` }],
    });
  }
};

/** The admin API's username rule, here so that the console's form is held to it too. */
const usernamePattern = /^[A-Za-z0-9._@-]{1,128}$/;

const checkUsername = (username: string) => {
  if (!usernamePattern.test(username)) {
    throw new AppError("REQ_VALIDATION", {
      message: "username: 1 to 128 letters, digits, '.', '_', '@' or '-'.",
      details: [{ field: "username", message: "1 to 128 letters, digits, '.', '_', '@' or '-'" }],
    });
  }
};

export const listAdminAccounts = async (context: ServiceContext): Promise<AdminAccountView[]> =>
  (await context.store.adminAccounts.list()).map(({ passwordHash: _, ...view }) => view);

export const createAdminAccount = async (
  context: ServiceContext,
  actor: Actor,
  input: { username: string; password: string; role?: "ADMIN" | "AUDITOR" | undefined },
): Promise<AdminAccountView> => {
  checkUsername(input.username);
  checkPassword(input.password);
  if (await context.store.adminAccounts.get(input.username)) throw new AppError("ADMIN_EXISTS");
  const now = context.clock.now().toISOString();
  const account = {
    username: input.username,
    passwordHash: await hashPassword(input.password),
    role: input.role ?? "ADMIN",
    createdAt: now,
    updatedAt: now,
  };
  await context.store.adminAccounts.create(account);
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "adminAccount.create",
    {
      type: "adminAccount",
      id: input.username,
    },
    { role: account.role },
  );
  const { passwordHash: _, ...view } = account;
  return view;
};

export const changeAdminPassword = async (
  context: ServiceContext,
  actor: Actor,
  username: string,
  password: string,
): Promise<void> => {
  checkPassword(password);
  const changed = await context.store.adminAccounts.updatePassword(
    username,
    await hashPassword(password),
    context.clock.now().toISOString(),
  );
  if (!changed) throw new AppError("ADMIN_NOT_FOUND");
  forgetVerifiedCredentials();
  await context.store.consoleSessions.deleteForUser(username);
  await recordAudit(context.store.auditLog, context.clock, actor, "adminAccount.changePassword", {
    type: "adminAccount",
    id: username,
  });
};

export const deleteAdminAccount = async (
  context: ServiceContext,
  actor: Actor,
  username: string,
): Promise<void> => {
  const account = await context.store.adminAccounts.get(username);
  if (!account) throw new AppError("ADMIN_NOT_FOUND");
  // Auditors cannot change anything, so the last ADMIN is the last account that can.
  const admins = (await context.store.adminAccounts.list()).filter((a) => a.role === "ADMIN");
  if (account.role === "ADMIN" && admins.length <= 1) throw new AppError("ADMIN_LAST_ACCOUNT");
  await context.store.adminAccounts.delete(username);
  forgetVerifiedCredentials();
  await context.store.consoleSessions.deleteForUser(username);
  await recordAudit(context.store.auditLog, context.clock, actor, "adminAccount.delete", {
    type: "adminAccount",
    id: username,
  });
};

export type ApiTokenView = {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
};

export const listApiTokens = async (context: ServiceContext): Promise<ApiTokenView[]> =>
  (await context.store.apiTokens.list()).map(({ tokenHash: _, ...view }) => view);

/** Creates an API token; the token itself is returned this once and stored only as a hash. */
export const createApiToken = async (
  context: ServiceContext,
  actor: Actor,
  input: { name: string; expiresInDays?: number | undefined },
): Promise<ApiTokenView & { token: string }> => {
  const { token, id } = generateApiToken();
  const now = context.clock.now();
  const record = {
    id,
    name: input.name,
    tokenHash: hashToken(token),
    createdBy: actor.name,
    createdAt: now.toISOString(),
    lastUsedAt: null,
    expiresAt:
      input.expiresInDays === undefined
        ? null
        : new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString(),
  };
  await context.store.apiTokens.create(record);
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "apiToken.create",
    { type: "apiToken", id },
    {
      name: input.name,
    },
  );
  const { tokenHash: _, ...view } = record;
  return { ...view, token };
};

export const deleteApiToken = async (context: ServiceContext, actor: Actor, id: string): Promise<void> => {
  if (!(await context.store.apiTokens.delete(id))) throw new AppError("TOKEN_NOT_FOUND");
  await recordAudit(context.store.auditLog, context.clock, actor, "apiToken.delete", {
    type: "apiToken",
    id,
  });
};
