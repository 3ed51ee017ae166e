import { builtInValidatorId } from "../../domain/credential-validator.ts";
import type { AuthenticatedSubject, AuthenticationSource } from "../../domain/ports.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { readHtmlFormAdapter } from "./html-form.ts";
import { ldapValidatorSettings } from "./ldap-settings.ts";
import { isLockedOut, ldapFind } from "./ldap-sign-in.ts";

/**
 * Finds a user as the sign-in form would, without a password: through the form's Credential
 * Validators in order (the built-in directory, LDAP searches as the service account, no bind).
 * For `sso test`, which tests a user before they sign in and says which validator found them.
 * As at sign-in, a directory that does not answer is passed over for the next validator, and an
 * account a directory knows but keeps out (locked, disabled, expired) stops the search there.
 */

export type ValidatorRef = {
  /** The validator's id in the form (`PorticoDirectory` for the built-in directory). */
  readonly validator: string;
  readonly name: string;
  /** The data store an LDAP validator searches; null for the built-in directory. */
  readonly dataStore: { readonly id: string; readonly name: string } | null;
};

export type ValidatorSearch = ValidatorRef & {
  readonly outcome: "FOUND" | "NOT_FOUND" | "UNAVAILABLE";
  /** Why an UNAVAILABLE validator could not search (LDAP_TCP, LDAP_BIND, …); null otherwise. */
  readonly code: string | null;
};

export type LocatedSubject = {
  readonly subject: AuthenticatedSubject;
  readonly foundBy: ValidatorRef;
  /** Every validator asked, in the form's order, up to the one that found the user. */
  readonly searched: readonly ValidatorSearch[];
};

const describeValidator = async (context: ServiceContext, id: string): Promise<ValidatorRef> => {
  if (id === builtInValidatorId) return { validator: id, name: "the built-in directory", dataStore: null };
  const record = await context.store.credentialValidators.get(id);
  if (!record) return { validator: id, name: id, dataStore: null };
  const dataStoreId = ldapValidatorSettings(record).dataStoreId;
  const store = await context.store.dataStores.get(dataStoreId);
  return {
    validator: id,
    name: record.name,
    dataStore: { id: dataStoreId, name: store?.name ?? dataStoreId },
  };
};

const inWords = (ref: ValidatorRef) =>
  ref.dataStore === null
    ? `"${ref.validator}" (${ref.name})`
    : `"${ref.validator}" (data store "${ref.dataStore.id}")`;

export const locateSubject = async (
  context: ServiceContext,
  source: AuthenticationSource,
  uid: string,
): Promise<LocatedSubject> => {
  const { validatorIds } = await readHtmlFormAdapter(context.store);
  const searched: ValidatorSearch[] = [];
  let outage: { ref: ValidatorRef; error: unknown } | undefined;
  for (const id of validatorIds) {
    const ref = await describeValidator(context, id);
    try {
      if (id === builtInValidatorId) {
        const subject = await source.lookup(uid, builtInValidatorId);
        if (subject) {
          searched.push({ ...ref, outcome: "FOUND", code: null });
          return { subject, foundBy: ref, searched };
        }
      } else {
        const found = await ldapFind(context, id, uid);
        if (found && isLockedOut(found.state))
          throw new AppError("LOGIN_ACCOUNT_UNUSABLE", {
            message: `The credential validator ${inWords(ref)} finds "${found.subject.uid}", but the directory keeps the account out (${found.state}): the user could not sign in.`,
          });
        if (found) {
          searched.push({ ...ref, outcome: "FOUND", code: null });
          return { subject: found.subject, foundBy: ref, searched };
        }
      }
      searched.push({ ...ref, outcome: "NOT_FOUND", code: null });
    } catch (error) {
      if (isAppError(error) && error.code === "LOGIN_ACCOUNT_UNUSABLE") throw error;
      searched.push({ ...ref, outcome: "UNAVAILABLE", code: isAppError(error) ? error.code : "INTERNAL" });
      outage ??= { ref, error };
    }
  }
  const asked = searched.map(inWords).join(", ");
  if (outage) {
    const { ref, error } = outage;
    const reason = error instanceof Error ? error.message : String(error);
    const message = `The credential validator ${inWords(ref)} could not search its directory (${reason}), and no other validator of the sign-in form found "${uid}" (asked: ${asked}).`;
    throw isAppError(error)
      ? new AppError(error.code, { message, expose: error.expose, cause: error })
      : error;
  }
  throw new AppError("DIR_USER_NOT_FOUND", {
    message: `No credential validator of the sign-in form finds an enabled user "${uid}" (asked, in order: ${asked}): it does not exist or is disabled, so they could not sign in.`,
  });
};
