import { randomBytes } from "node:crypto";
import { constantTimeEqual, hashToken } from "../../crypto/tokens.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import type { Counter } from "../throttle.ts";

/** The SSO request a sign-in continues: what the SP asked for, after it was verified. */
export type PendingSso = {
  readonly connectionId: string;
  readonly acsUrl: string;
  readonly requestId?: string | undefined;
  readonly relayState?: string | undefined;
  readonly requestedNameIdFormat?: string | undefined;
  readonly forceAuthn?: boolean | undefined;
};

/**
 * The sign-in form's hidden `resume` value, sealed under the master key so that any node can
 * open it. It is bound to the browser that was shown the form (a hash of its sign-in cookie),
 * so a hostile page cannot post a form of the attacker's into a victim's browser (login CSRF);
 * it is accepted for one successful sign-in and a few attempts, and only for a few minutes.
 */
export type LoginForm = {
  /** One-time identifier: counts the form's attempts and marks it used. */
  readonly nonce: string;
  /** SHA-256 of the browser's sign-in cookie. */
  readonly browser: string;
  /** Epoch ms after which the sign-in must start over. */
  readonly expires: number;
  /** The SSO request to resume; absent for a plain sign-in at `/idp/login`. */
  readonly sso?: PendingSso | undefined;
};

const sealContext = "sso:login-form";
export const loginFormLifetimeMs = 10 * 60_000;
/** Attempts one form serves; the account and address limits apply as well. */
export const loginFormAttempts = 10;

export const newLoginToken = (): string => randomBytes(32).toString("base64url");

export const sealLoginForm = (
  context: ServiceContext,
  sso: PendingSso | undefined,
  loginToken: string,
): string => {
  const form: LoginForm = {
    nonce: randomBytes(18).toString("base64url"),
    browser: hashToken(loginToken),
    expires: context.clock.now().getTime() + loginFormLifetimeMs,
    sso,
  };
  return context.secretBox.seal(JSON.stringify(form), sealContext);
};

const expired = (message?: string) => new AppError("LOGIN_EXPIRED", message ? { message } : {});

/**
 * Opens a posted `resume` value for the browser that posted it. Refuses a missing, forged or
 * old value (LOGIN_EXPIRED) and a form that was shown to another browser (LOGIN_FORM_FOREIGN).
 */
export const openLoginForm = (
  context: ServiceContext,
  sealed: string | undefined,
  loginToken: string | undefined,
): LoginForm & { readonly sealed: string; readonly loginToken: string } => {
  if (sealed === undefined || sealed === "") throw expired();
  let form: LoginForm;
  try {
    form = JSON.parse(context.secretBox.openText(sealed, sealContext)) as LoginForm;
  } catch (error) {
    if (error instanceof AppError || error instanceof SyntaxError) throw expired();
    throw error;
  }
  if (!(form.expires > context.clock.now().getTime())) throw expired();
  if (loginToken === undefined || !constantTimeEqual(hashToken(loginToken), form.browser)) {
    throw new AppError("LOGIN_FORM_FOREIGN");
  }
  return { ...form, sealed, loginToken };
};

/** The counter of a form's attempts; past it the form is spent and the browser starts over. */
export const loginFormCounter = (form: LoginForm): Counter => ({
  kind: "form",
  key: `login-form:${form.nonce}`,
  policy: { failures: loginFormAttempts, windowMs: loginFormLifetimeMs, lockoutMs: loginFormLifetimeMs },
  onSuccess: "release",
});

/** Marks the form used by a successful sign-in; a second success with it is refused. */
export const spendLoginForm = async (context: ServiceContext, form: LoginForm): Promise<void> => {
  const fresh = await context.store.replayCache.remember(
    `login-form:${form.nonce}`,
    new Date(form.expires).toISOString(),
    context.clock.now().toISOString(),
  );
  if (!fresh)
    throw expired("This sign-in page was already used; go back to the application and start again.");
};
