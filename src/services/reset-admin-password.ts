import { AppError } from "../lib/errors.ts";
import { changeAdminPassword } from "./admin-accounts.ts";
import { recordAudit } from "./audit.ts";
import type { Actor, ServiceContext } from "./context.ts";
import { accountCounterKey } from "./throttle.ts";

/**
 * The way back in when no admin can sign in (a lost password, a locked-out account): run on this
 * machine against the data dir or database, not through the admin API. It sets the account's
 * password and lifts its sign-in lockout, and the audit log records both.
 *
 * A running server keeps credentials it verified in the last 60 seconds (services/admin-auth.ts),
 * so the old password may still open the API for up to a minute.
 */
export const resetAdminPassword = async (
  context: ServiceContext,
  actor: Actor,
  input: { username: string; password: string },
): Promise<void> => {
  const accounts = await context.store.adminAccounts.list();
  if (!accounts.some((account) => account.username === input.username)) {
    throw new AppError("ADMIN_NOT_FOUND", {
      message: `No admin account "${input.username}"; the accounts are: ${accounts.map((a) => a.username).join(", ") || "none"}.`,
    });
  }
  await changeAdminPassword(context, actor, input.username, input.password);
  // The key admin-auth.ts counts an account's failed sign-ins under.
  await context.store.throttle.clear(accountCounterKey("admin", input.username));
  await recordAudit(context.store.auditLog, context.clock, actor, "adminAccount.unlock", {
    type: "adminAccount",
    id: input.username,
  });
};
