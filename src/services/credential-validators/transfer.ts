import {
  builtInValidatorId,
  type HtmlFormAdapter,
  type PasswordCredentialValidator,
} from "../../domain/credential-validator.ts";
import type { Repositories } from "../../domain/ports.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { invalidItem, unresolvedReferences } from "../config-import.ts";
import type { ServiceContext } from "../context.ts";
import {
  htmlFormDocument,
  htmlFormValidatorIds,
  saveHtmlForm,
  storedHtmlForm,
  unknownHtmlFormValidators,
} from "./html-form.ts";
import { validatorProblems } from "./ldap-settings.ts";
import { insertValidator, presentValidator, validatorDataStoreProblem } from "./validators.ts";

/**
 * LDAP sign-in in a configuration export and import, for both formats: the password credential
 * validators and the sign-in form's list of them. On import, validators come after the data
 * stores they search and before the form that lists them, in the caller's transaction; every
 * reference must resolve (to the document's items or the server's), or nothing is stored.
 */

export type SignInExport = {
  readonly passwordCredentialValidators: PasswordCredentialValidator[];
  /** Absent while the form was never configured, so that an import leaves the target's alone. */
  readonly htmlFormAdapter?: HtmlFormAdapter;
};

export const exportSignIn = async (context: ServiceContext): Promise<SignInExport> => {
  const form = await storedHtmlForm(context.store);
  return {
    passwordCredentialValidators: (await context.store.credentialValidators.list()).map(presentValidator),
    ...(form === undefined ? {} : { htmlFormAdapter: htmlFormDocument(form) }),
  };
};

/** Where each item sits in the imported document (`dataStores[0]`, `operations[2].items[1]`). */
export type SignInImport = {
  readonly validators: readonly { readonly at: string; readonly document: PasswordCredentialValidator }[];
  readonly form?: { readonly at: string; readonly configuration: HtmlFormAdapter["configuration"] };
};

export type SignInImported = {
  readonly validators: string[];
  /** The form's list, in order, when the document set it; null when it left the server's alone. */
  readonly htmlForm: string[] | null;
};

const importValidator = async (
  context: ServiceContext,
  repos: Repositories,
  { at, document }: SignInImport["validators"][number],
): Promise<string> => {
  if (document.id === builtInValidatorId)
    throw invalidItem(at, [
      { field: "id", message: `"${builtInValidatorId}" is the built-in directory's id` },
    ]);
  const problems = validatorProblems(document);
  if (problems.length > 0) throw invalidItem(at, problems);
  const missing = await validatorDataStoreProblem(repos, document);
  if (missing) throw unresolvedReferences(at, [missing]);
  try {
    return (await insertValidator(context, repos, document)).id;
  } catch (error) {
    if (isAppError(error) && error.code === "PCV_ID_TAKEN")
      throw new AppError("CONFIG_NOT_EMPTY", { message: `${at}: ${error.message}`, cause: error });
    throw error;
  }
};

/**
 * The form's list replaces the server's when the server's was never configured (a fresh
 * server's), and is kept when equal; a server whose form lists other validators refuses it, as
 * it refuses a connection whose id it already has.
 */
const importForm = async (
  repos: Repositories,
  form: NonNullable<SignInImport["form"]>,
): Promise<string[]> => {
  const { validatorIds, problems } = htmlFormValidatorIds(form.configuration);
  if (problems.length > 0) throw invalidItem(form.at, problems);
  const unknown = await unknownHtmlFormValidators(repos, validatorIds);
  if (unknown.length > 0) throw unresolvedReferences(form.at, unknown);
  const standing = await storedHtmlForm(repos);
  if (standing !== undefined && standing.validatorIds.join("\n") !== validatorIds.join("\n"))
    throw new AppError("CONFIG_NOT_EMPTY", {
      message: `${form.at}: this server's sign-in form already lists ${standing.validatorIds.join(", ")}; the document lists ${validatorIds.join(", ")}.`,
    });
  await saveHtmlForm(repos, { validatorIds });
  return validatorIds;
};

/** Imports validators, then the form, with `repos` (the import's transaction). */
export const importSignIn = async (
  context: ServiceContext,
  repos: Repositories,
  input: SignInImport,
): Promise<SignInImported> => {
  const validators: string[] = [];
  for (const item of input.validators) validators.push(await importValidator(context, repos, item));
  const htmlForm = input.form === undefined ? null : await importForm(repos, input.form);
  return { validators, htmlForm };
};
