import {
  builtInValidatorId,
  type HtmlFormAdapter,
  htmlFormAdapterPluginId,
} from "../../domain/credential-validator.ts";
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
export const htmlFormId = "htmlform";
const tableName = "Credential Validators";
const rowField = "Password Credential Validator Instance";

export type HtmlFormSettings = { readonly validatorIds: readonly string[] };

const documentOf = (settings: HtmlFormSettings): HtmlFormAdapter => ({
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

export const readHtmlFormAdapter = async (context: ServiceContext): Promise<HtmlFormSettings> => {
  const stored = await context.store.settings.get(settingsKey);
  if (stored === undefined) return { validatorIds: [builtInValidatorId] };
  return JSON.parse(stored) as HtmlFormSettings;
};

export const getHtmlFormAdapter = async (context: ServiceContext): Promise<HtmlFormAdapter> =>
  documentOf(await readHtmlFormAdapter(context));

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
  const table = input.configuration.tables?.find((t) => t.name === tableName);
  const validatorIds: string[] = [];
  for (const [i, row] of (table?.rows ?? []).entries()) {
    const field = `configuration.tables[${tableName}].rows[${i}]`;
    const id = row.fields.find((f) => f.name === rowField)?.value?.trim();
    if (!id) {
      problems.push({ field, message: `needs the field "${rowField}"` });
      continue;
    }
    if (validatorIds.includes(id)) problems.push({ field, message: `"${id}" is listed twice` });
    else if (id !== builtInValidatorId && !(await context.store.credentialValidators.get(id)))
      problems.push({
        field,
        message: `no password credential validator "${id}" (nor is it "${builtInValidatorId}", the built-in directory)`,
      });
    validatorIds.push(id);
  }
  if (problems.length === 0 && validatorIds.length === 0)
    problems.push({
      field: `configuration.tables[${tableName}]`,
      message: `list at least one validator; "${builtInValidatorId}" is the built-in directory`,
    });
  if (problems.length > 0)
    throw new AppError("ADAPTER_INVALID", {
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
      details: problems,
    });
  const settings: HtmlFormSettings = { validatorIds };
  await context.store.settings.set(settingsKey, JSON.stringify(settings));
  await recordAudit(
    context.store.auditLog,
    context.clock,
    actor,
    "idpAdapter.update",
    { type: "idpAdapter", id: htmlFormId },
    { credentialValidators: validatorIds },
  );
  return documentOf(settings);
};
