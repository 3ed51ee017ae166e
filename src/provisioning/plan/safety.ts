import type { UserOp } from "./plan-users.ts";

/**
 * The safety net against mass deactivation (issue 8 §5): deactivations and freezes are counted
 * over a rolling hour; when a channel would pass max(minimum, percent of its users), the rest
 * are held until an admin confirms. Creates and updates go on meanwhile. Pure.
 */
export type SafetyLimits = {
  /** Never hold below this many deprovisions an hour. */
  readonly minimum: number;
  /** Or this share of the channel's provisioned users, whichever is more. */
  readonly percent: number;
};

export const defaultSafetyLimits: SafetyLimits = { minimum: 10, percent: 10 };

export type SafetyDecision = {
  readonly allowed: UserOp[];
  readonly held: UserOp[];
  /** The threshold that applied, for the held state's message. */
  readonly threshold: number;
};

const isDeprovision = (op: UserOp) => op.type === "DEACTIVATE" || op.type === "FREEZE";

export const applySafety = (
  ops: readonly UserOp[],
  input: {
    readonly limits: SafetyLimits;
    /** Users the channel provisioned (active or not): the base of the percentage. */
    readonly channelUsers: number;
    /** Deprovisions already done in the last hour. */
    readonly recentDeprovisions: number;
    /** An admin confirmed the held deprovisions: let them through this once. */
    readonly confirmed: boolean;
  },
): SafetyDecision => {
  const threshold = Math.max(
    input.limits.minimum,
    Math.floor((input.channelUsers * input.limits.percent) / 100),
  );
  if (input.confirmed) return { allowed: [...ops], held: [], threshold };
  // Deprovisions up to the threshold go ahead; the ones that would pass it wait for `confirm`.
  let budget = Math.max(0, threshold - input.recentDeprovisions);
  const allowed: UserOp[] = [];
  const held: UserOp[] = [];
  for (const op of ops) {
    if (!isDeprovision(op)) allowed.push(op);
    else if (budget > 0) {
      allowed.push(op);
      budget--;
    } else held.push(op);
  }
  return { allowed, held, threshold };
};
