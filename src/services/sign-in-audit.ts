import { recordAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import type { Refusal } from "./throttle.ts";

/** Where a password was tried: the admin API (admin accounts) or the sign-in form (directory users). */
export type SignInArea = "admin" | "login";

const resourceType = { admin: "adminAccount", login: "directoryUser" } as const;

/**
 * A failed sign-in in the audit log: who was tried, from where, and why it failed; never the
 * password. The start of a lock is also logged at warn level, once per lock, for the operator.
 */
export const recordSignInFailure = async (
  context: ServiceContext,
  input: {
    area: SignInArea;
    username: string;
    address: string;
    refusal?: Refusal | undefined;
    /** Why the directory refused an account it knows (LOCKED, EXPIRED, …); absent: a wrong password. */
    reason?: string | undefined;
  },
): Promise<void> => {
  const { area, username, address, refusal } = input;
  const actor = { name: `anonymous@${address}`, kind: "system" } as const;
  const resource = { type: resourceType[area], id: username };
  if (!refusal) {
    await recordAudit(
      context.store.auditLog,
      context.clock,
      actor,
      "signIn.failed",
      resource,
      { address, reason: input.reason === undefined ? "INVALID_CREDENTIALS" : `DIRECTORY_${input.reason}` },
      "FAILURE",
    );
    return;
  }
  if (!refusal.started) return;
  const locked = refusal.counter.kind === "address" ? { type: "address", id: address } : resource;
  const detail = {
    address,
    username,
    reason: refusal.counter.kind === "address" ? "ADDRESS_LOCKED" : "ACCOUNT_LOCKED",
    failures: refusal.counter.policy.failures,
    lockedUntil: refusal.until.toISOString(),
  };
  context.log.warn(
    { event: "signIn.locked", area, ...detail },
    refusal.counter.kind === "address"
      ? `Sign-in locked for the address ${address} after ${detail.failures} failed attempts`
      : `Sign-in locked for the account "${username}" after ${detail.failures} failed attempts`,
  );
  await recordAudit(context.store.auditLog, context.clock, actor, "signIn.locked", locked, detail, "FAILURE");
};
