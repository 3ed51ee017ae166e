import { builtInValidatorId } from "../../domain/credential-validator.ts";
import type { AuthenticatedSubject, AuthenticationSource } from "../../domain/ports.ts";
import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { directoryAuthenticationSource } from "../sso/directory-source.ts";
import { readHtmlFormAdapter } from "./html-form.ts";
import { ldapAuthenticate, ldapLookup } from "./ldap-sign-in.ts";

/**
 * The sign-in form's Credential Validators, tried in order as PingFederate's HTML form adapter
 * tries them: the first that accepts the password signs the user in. A validator whose directory
 * is down is passed over for the next; when none accepted and one was down, the outage is the
 * answer (the user sees "try again later", not "wrong password"). An account a directory knows
 * but will not let in stops the search there.
 */
export const signInSource = (context: ServiceContext): AuthenticationSource => {
  const directory = directoryAuthenticationSource(context);
  return {
    authenticate: async (username, password) => {
      const { validatorIds } = await readHtmlFormAdapter(context.store);
      let outage: unknown;
      for (const id of validatorIds) {
        try {
          const subject: AuthenticatedSubject | undefined =
            id === builtInValidatorId
              ? await directory.authenticate(username, password)
              : await ldapAuthenticate(context, id, username, password);
          if (subject) return subject;
        } catch (error) {
          if (isAppError(error) && error.code === "LOGIN_ACCOUNT_UNUSABLE") throw error;
          context.log.warn(
            {
              event: "signIn.validatorFailed",
              validator: id,
              code: isAppError(error) ? error.code : undefined,
            },
            `The credential validator "${id}" could not check a password: ${error instanceof Error ? error.message : String(error)}`,
          );
          outage ??= error;
        }
      }
      if (outage !== undefined) throw outage;
      return undefined;
    },
    lookup: (uid, source) =>
      source === undefined || source === builtInValidatorId
        ? directory.lookup(uid)
        : ldapLookup(context, source, uid),
  };
};
