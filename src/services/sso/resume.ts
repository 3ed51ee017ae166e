import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";

/**
 * What an SSO request needs to resume after the sign-in form: sealed under the master key and
 * carried by the form itself, so no server-side state ties the browser to one node.
 */
export type PendingSso = {
  readonly connectionId: string;
  readonly acsUrl: string;
  readonly requestId?: string | undefined;
  readonly relayState?: string | undefined;
  readonly requestedNameIdFormat?: string | undefined;
  readonly forceAuthn?: boolean | undefined;
  /** Epoch ms after which the sign-in must start over. */
  readonly expires: number;
};

const sealContext = "sso:resume";
const lifetimeMs = 15 * 60_000;

export const sealPending = (context: ServiceContext, pending: Omit<PendingSso, "expires">): string =>
  context.secretBox.seal(
    JSON.stringify({ ...pending, expires: context.clock.now().getTime() + lifetimeMs }),
    sealContext,
  );

/** Opens a `resume` value; undefined when it is absent, forged, or too old. */
export const openPending = (context: ServiceContext, sealed: string | undefined): PendingSso | undefined => {
  if (sealed === undefined || sealed === "") return undefined;
  let pending: PendingSso;
  try {
    pending = JSON.parse(context.secretBox.openText(sealed, sealContext)) as PendingSso;
  } catch (error) {
    if (error instanceof AppError || error instanceof SyntaxError) return undefined;
    throw error;
  }
  return pending.expires > context.clock.now().getTime() ? pending : undefined;
};
