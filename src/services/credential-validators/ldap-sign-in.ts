import { ResultCodeError } from "ldapts";
import type { AuthenticatedSubject } from "../../domain/ports.ts";
import {
  type AccountState,
  accountStateAttributes,
  stateFromEntry,
  verdictOfBindError,
} from "../../ldap/account-state.ts";
import { openAnyConnection } from "../../ldap/connect.ts";
import { fillFilterTemplate } from "../../ldap/filter.ts";
import type { LdapEntry } from "../../ldap/search.ts";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { getDataStoreRecord } from "../data-stores/data-stores.ts";
import { ldapPoolFor, ldapSettingsFor } from "../data-stores/pools.ts";
import { type LdapValidatorSettings, ldapValidatorSettings } from "./ldap-settings.ts";

/**
 * The LDAP Username Password Credential Validator at work: search, then bind. The service
 * account (the data store's bind DN, on a pooled connection) finds the one entry the filter
 * names, the username escaped (RFC 4515); the user's password is then tried by a bind as that
 * DN on a connection of its own, closed right after, so a pooled connection never carries a
 * user's identity. Attributes for the assertion are read by the service account.
 */

/** Thrown when the directory knows the account but will not let it in; `reason` is for the logs only. */
export class AccountUnusableError extends AppError {
  readonly reason: AccountState;
  constructor(reason: AccountState) {
    super("LOGIN_ACCOUNT_UNUSABLE");
    this.reason = reason;
  }
}

/** Attributes never taken into a subject, whatever a server returns. */
const secretAttributes = new Set(["userpassword", "unicodepwd", "authpassword"]);
/** Where a canonical spelling of the username is looked for, in this order. */
const namingAttributes = ["uid", "sAMAccountName", "userPrincipalName", "mail", "cn"];

const valuesOf = (entry: LdapEntry, name: string): readonly string[] => {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(entry.attributes))
    if (key.toLowerCase() === wanted) return values;
  return [];
};

/** The username as the directory spells it (AD and OpenLDAP match names case-insensitively). */
const canonicalName = (entry: LdapEntry, typed: string): string => {
  const folded = typed.toLowerCase();
  for (const name of namingAttributes) {
    const hit = valuesOf(entry, name).find((v) => v.toLowerCase() === folded);
    if (hit !== undefined) return hit;
  }
  return typed;
};

const subjectOf = (validatorId: string, entry: LdapEntry, username: string): AuthenticatedSubject => {
  const attributes: Record<string, readonly string[]> = {};
  for (const [name, values] of Object.entries(entry.attributes)) {
    // ldapts lists every attribute asked for, with no values when the entry has none.
    if (values.length > 0 && name !== "*" && !secretAttributes.has(name.toLowerCase()))
      attributes[name] = values;
  }
  // PingFederate's LDAP validator contract: DN and username, besides what the entry holds.
  attributes.DN = [entry.dn];
  attributes.username = [username];
  if (valuesOf(entry, "uid").length === 0) attributes.uid = [username];
  return { uid: username, attributes, source: validatorId };
};

const validator = async (context: ServiceContext, id: string) => {
  const record = await context.store.credentialValidators.get(id);
  if (!record)
    throw new AppError("PCV_NOT_FOUND", {
      message: `The sign-in form lists "${id}", which no longer exists.`,
    });
  const settings = ldapValidatorSettings(record);
  const dataStore = await getDataStoreRecord(context, settings.dataStoreId);
  return { settings, dataStore };
};

/** The one entry the validator's filter finds for `username`; undefined for none or several. */
const findEntry = async (
  context: ServiceContext,
  settings: LdapValidatorSettings,
  dataStore: Awaited<ReturnType<typeof getDataStoreRecord>>,
  username: string,
): Promise<LdapEntry | undefined> => {
  const pool = await ldapPoolFor(context, dataStore);
  const filter = fillFilterTemplate(settings.searchFilter, { username }, "PCV_INVALID");
  const entries = await pool.search({
    baseDn: settings.searchBase,
    scope: settings.scope,
    filter,
    attributes: ["*", ...accountStateAttributes, ...settings.extraAttributes],
    pageSize: 0,
    sizeLimit: 2,
  });
  if (entries.length > 1) {
    context.log.warn(
      { event: "signIn.ambiguous", validator: settings.id, entries: entries.length },
      `The validator "${settings.id}" found more than one entry for a username; nobody is signed in`,
    );
    return undefined;
  }
  const [entry] = entries;
  if (entry && settings.caseSensitive && !namingAttributes.some((n) => valuesOf(entry, n).includes(username)))
    return undefined;
  return entry;
};

/** Tries `password` by a bind as `dn`, on a connection opened for this bind alone. */
const bindAs = async (
  context: ServiceContext,
  dataStore: Awaited<ReturnType<typeof getDataStoreRecord>>,
  dn: string,
  password: string,
): Promise<{ ok: true } | { ok: false; message: string }> => {
  const settings = { ...ldapSettingsFor(context, dataStore.document), bind: { dn, password } };
  let connection: Awaited<ReturnType<typeof openAnyConnection>>;
  try {
    connection = await openAnyConnection(settings);
  } catch (error) {
    if (error instanceof AppError && error.code === "LDAP_BIND" && error.cause instanceof ResultCodeError)
      return { ok: false, message: error.cause.message };
    throw error;
  }
  try {
    await connection.client.unbind();
  } catch {
    // The answer is known; a failed unbind changes nothing.
  }
  return { ok: true };
};

/** Checks a password against the validator: the subject, undefined, or AccountUnusableError. */
export const ldapAuthenticate = async (
  context: ServiceContext,
  validatorId: string,
  username: string,
  password: string,
): Promise<AuthenticatedSubject | undefined> => {
  // An empty password would be an unauthenticated bind, which servers accept (RFC 4513 §5.1.2).
  if (username === "" || password === "") return undefined;
  const { settings, dataStore } = await validator(context, validatorId);
  const entry = await findEntry(context, settings, dataStore, username);
  if (!entry) return undefined;
  const bound = await bindAs(context, dataStore, entry.dn, password);
  // AD says in its refusal what stopped the bind: a wrong password (52e) even for an account that
  // is disabled, expired or must change its password (so nobody learns that without it), and a
  // state (773, must change; 701, expired; …) only to the right password, a lock (775) to any.
  const verdict = bound.ok ? undefined : verdictOfBindError(bound.message);
  if (verdict === "INVALID") return undefined;
  const state =
    verdict ??
    // A directory that refuses a locked or expired account's bind outright (OpenLDAP's ppolicy).
    stateFromEntry(entry.attributes, dataStore.document.ldapType, context.clock.now());
  // A password to change, read from the entry after a refused bind, is only a wrong password.
  const passwordState = state === "MUST_CHANGE_PASSWORD" || state === "PASSWORD_EXPIRED";
  if (state && (bound.ok || verdict !== undefined || !passwordState)) throw new AccountUnusableError(state);
  if (!bound.ok) return undefined;
  return subjectOf(validatorId, entry, canonicalName(entry, username));
};

/** What a search-only lookup finds: the subject, its account state, and the data store searched. */
export type LdapFound = {
  readonly subject: AuthenticatedSubject;
  readonly state: AccountState | undefined;
};

/**
 * The validator's entry for `username`, found as sign-in finds it but without a bind (no password
 * is tried): undefined when the filter finds no one, or more than one.
 */
export const ldapFind = async (
  context: ServiceContext,
  validatorId: string,
  username: string,
): Promise<LdapFound | undefined> => {
  const { settings, dataStore } = await validator(context, validatorId);
  const entry = await findEntry(context, settings, dataStore, username);
  if (!entry) return undefined;
  return {
    subject: subjectOf(validatorId, entry, canonicalName(entry, username)),
    state: stateFromEntry(entry.attributes, dataStore.document.ldapType, context.clock.now()),
  };
};

/** Account states that keep a signed-in subject out of SSO (must-change only stops a sign-in). */
export const isLockedOut = (state: AccountState | undefined): boolean =>
  state === "LOCKED" || state === "DISABLED" || state === "EXPIRED";

/** The subject's current attributes at SSO time; undefined when gone or no longer usable. */
export const ldapLookup = async (
  context: ServiceContext,
  validatorId: string,
  username: string,
): Promise<AuthenticatedSubject | undefined> => {
  const found = await ldapFind(context, validatorId, username);
  return found === undefined || isLockedOut(found.state) ? undefined : found.subject;
};
