import {
  builtInValidatorId,
  type HtmlFormAdapter,
  htmlFormAdapterPluginId,
} from "../../domain/credential-validator.ts";
import type { Repositories } from "../../domain/ports.ts";
import { signInAdapterId } from "../../domain/sp-connection.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";

/**
 * `/idp/adapters/htmlform`: the sign-in form, as PingFederate's HTML Form IdP adapter, reduced
 * to what Portico's form uses: its `Credential Validators` table, whose rows name validators
 * (`Password Credential Validator Instance`) tried in order. `PorticoDirectory` is the built-in
 * directory; a form never configured checks the built-in directory alone.
 */

const settingsKey = "idp.adapters.htmlform";
export const htmlFormId = signInAdapterId;
const tableName = "Credential Validators";
const rowField = "Password Credential Validator Instance";

export type HtmlFormSettings = { readonly validatorIds: readonly string[] };

/** The form as the API shows it (PingFederate's IdP adapter shape). */
export const htmlFormDocument = (settings: HtmlFormSettings): HtmlFormAdapter => ({
  id: htmlFormId,
  name: "HTML Form",
  pluginDescriptorRef: {
    id: htmlFormAdapterPluginId,
    location: `/pf-admin-api/v1/idp/adapters/descriptors/${htmlFormAdapterPluginId}`,
  },
  configuration: {
    tables: [
      {
        name: tableName,
        rows: settings.validatorIds.map((id) => ({
          defaultRow: false,
          fields: [{ name: rowField, value: id }],
        })),
      },
    ],
    fields: [],
  },
});

type SettingsRepos = Pick<Repositories, "settings">;

/** The form's settings as stored; undefined while it was never configured. */
export const storedHtmlForm = async (repos: SettingsRepos): Promise<HtmlFormSettings | undefined> => {
  const stored = await repos.settings.get(settingsKey);
  return stored === undefined ? undefined : (JSON.parse(stored) as HtmlFormSettings);
};

export const readHtmlFormAdapter = async (repos: SettingsRepos): Promise<HtmlFormSettings> =>
  (await storedHtmlForm(repos)) ?? { validatorIds: [builtInValidatorId] };

export const getHtmlFormAdapter = async (context: ServiceContext): Promise<HtmlFormAdapter> =>
  htmlFormDocument(await readHtmlFormAdapter(context.store));

/** Where a row of the Credential Validators table is, in error messages. */
export const htmlFormRowField = (i: number) => `configuration.tables[${tableName}].rows[${i}]`;

/**
 * The validator ids a form document lists, in order, and what is wrong with its shape (a row
 * without its field, an id listed twice, no row at all). Whether the ids exist is checked apart.
 */
export const htmlFormValidatorIds = (
  configuration: HtmlFormAdapter["configuration"],
): { validatorIds: string[]; problems: ErrorDetail[] } => {
  const problems: ErrorDetail[] = [];
  const table = configuration.tables?.find((t) => t.name === tableName);
  const validatorIds: string[] = [];
  for (const [i, row] of (table?.rows ?? []).entries()) {
    const field = htmlFormRowField(i);
    const id = row.fields.find((f) => f.name === rowField)?.value?.trim();
    if (!id) {
      problems.push({ field, message: `needs the field "${rowField}"` });
      continue;
    }
    if (validatorIds.includes(id)) problems.push({ field, message: `"${id}" is listed twice` });
    validatorIds.push(id);
  }
  if (problems.length === 0 && validatorIds.length === 0)
    problems.push({
      field: `configuration.tables[${tableName}]`,
      message: `list at least one validator; "${builtInValidatorId}" is the built-in directory`,
    });
  return { validatorIds, problems };
};

/** The listed ids that name no validator (nor the built-in directory), by row. */
export const unknownHtmlFormValidators = async (
  repos: Pick<Repositories, "credentialValidators">,
  validatorIds: readonly string[],
): Promise<ErrorDetail[]> => {
  const problems: ErrorDetail[] = [];
  for (const [i, id] of validatorIds.entries()) {
    if (id !== builtInValidatorId && !(await repos.credentialValidators.get(id)))
      problems.push({
        field: htmlFormRowField(i),
        message: `no password credential validator "${id}" (nor is it "${builtInValidatorId}", the built-in directory)`,
      });
  }
  return problems;
};

/** Stores the form's list (checked by the caller) with `repos`, a transaction's on import. */
export const saveHtmlForm = async (repos: SettingsRepos, settings: HtmlFormSettings): Promise<void> =>
  repos.settings.set(settingsKey, JSON.stringify({ validatorIds: [...settings.validatorIds] }));

export const updateHtmlFormAdapter = async (
  context: ServiceContext,
  actor: Actor,
  input: HtmlFormAdapter,
): Promise<HtmlFormAdapter> => {
  const problems: ErrorDetail[] = [];
  if (input.id !== undefined && input.id !== htmlFormId)
    problems.push({ field: "id", message: `Portico's sign-in form is "${htmlFormId}"` });
  if (input.pluginDescriptorRef !== undefined && input.pluginDescriptorRef.id !== htmlFormAdapterPluginId)
    problems.push({ field: "pluginDescriptorRef.id", message: `must be ${htmlFormAdapterPluginId}` });
  const listed = htmlFormValidatorIds(input.configuration);
  problems.push(...listed.problems);
  if (listed.problems.length === 0)
    problems.push(...(await unknownHtmlFormValidators(context.store, listed.validatorIds)));
  if (problems.length > 0)
    throw new AppError("ADAPTER_INVALID", {
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
      details: problems,
    });
  const settings: HtmlFormSettings = { validatorIds: listed.validatorIds };
  await saveHtmlForm(context.store, settings);
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "idpAdapter.update",
    { type: "idpAdapter", id: htmlFormId },
    { credentialValidators: settings.validatorIds },
  );
  return htmlFormDocument(settings);
};
