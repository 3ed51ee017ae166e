import type { AuthenticatedSubject, AuthenticationSource } from "../../domain/ports.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { AccountUnusableError } from "../credential-validators/ldap-sign-in.ts";
import { recordSignInFailure } from "../sign-in-audit.ts";
import { type Counter, minutesUntil, signInCounters, throttledCheck } from "../throttle.ts";

/**
 * Checks a username and password against the authentication source, under the account and
 * address counters (and the sign-in form's own, when given). A wrong password, an unknown user
 * and a disabled one all get the same answer.
 */
export const signIn = async (
  context: ServiceContext,
  source: AuthenticationSource,
  input: { username: string; password: string; address: string; form?: Counter | undefined },
): Promise<AuthenticatedSubject> => {
  const { username, password, address } = input;
  const counters = [...(input.form ? [input.form] : []), ...signInCounters("login", username, address)];
  let result: Awaited<ReturnType<typeof throttledCheck<AuthenticatedSubject>>>;
  try {
    result = await throttledCheck(context, counters, async () =>
      username === "" || password === "" ? undefined : source.authenticate(username, password),
    );
  } catch (error) {
    // The directory knows the account and keeps it out (locked, expired, must change its
    // password): the user is told so in one message for all of these; the audit log says which.
    if (error instanceof AccountUnusableError)
      await recordSignInFailure(context, { area: "login", username, address, reason: error.reason });
    throw error;
  }
  if (result.ok) return result.value;
  const { refusal } = result;
  if (refusal?.counter.kind === "form") {
    throw new AppError("LOGIN_EXPIRED", {
      message:
        "This sign-in page was used for too many attempts; go back to the application and start again.",
    });
  }
  await recordSignInFailure(context, { area: "login", username, address, refusal });
  if (refusal) {
    const minutes = minutesUntil(refusal.until, context.clock.now());
    throw new AppError("LOGIN_THROTTLED", {
      message: `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`,
    });
  }
  throw new AppError("LOGIN_INVALID_CREDENTIALS");
};
