import {
  type CredentialValidatorRecord,
  fieldValue,
  ldapValidatorPluginId,
  type PasswordCredentialValidator,
} from "../../domain/credential-validator.ts";
import { fillFilterTemplate, parseLdapFilter } from "../../ldap/filter.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";

/**
 * The LDAP Username Password Credential Validator's configuration, read from PingFederate's
 * named fields: `LDAP Datastore`, `Search Base`, `Search Filter`, `Scope of Search` and
 * `Case-Sensitive Matching`. PingFederate's other fields (Display Name Attribute, Authentication
 * Error Overrides, …) are kept as sent, so its exports import unchanged.
 */
export type LdapValidatorSettings = {
  readonly id: string;
  readonly dataStoreId: string;
  readonly searchBase: string;
  readonly searchFilter: string;
  readonly scope: "one" | "sub";
  readonly caseSensitive: boolean;
  /** More attributes to read (the contract's extended attributes); absent means all. */
  readonly extraAttributes: readonly string[];
};

export const fieldNames = {
  dataStore: "LDAP Datastore",
  searchBase: "Search Base",
  searchFilter: "Search Filter",
  scope: "Scope of Search",
  caseSensitive: "Case-Sensitive Matching",
} as const;

// biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
export const usernamePlaceholder = "${username}";

const scopes: Readonly<Record<string, "one" | "sub">> = { "One Level": "one", Subtree: "sub" };

/** Every problem of a validator document (the data store's existence is checked by the caller). */
export const validatorProblems = (document: PasswordCredentialValidator): ErrorDetail[] => {
  const problems: ErrorDetail[] = [];
  const at = (name: string) => `configuration.fields[${name}]`;
  if (document.pluginDescriptorRef.id !== ldapValidatorPluginId)
    problems.push({
      field: "pluginDescriptorRef.id",
      message: `Portico offers one validator plug-in: ${ldapValidatorPluginId}`,
    });
  const { configuration } = document;
  for (const name of [fieldNames.dataStore, fieldNames.searchBase, fieldNames.searchFilter]) {
    if (!fieldValue(configuration, name)?.trim()) problems.push({ field: at(name), message: "required" });
  }
  const filter = fieldValue(configuration, fieldNames.searchFilter);
  if (filter?.trim()) {
    if (!filter.includes(usernamePlaceholder))
      problems.push({
        field: at(fieldNames.searchFilter),
        message: `must use ${usernamePlaceholder}, e.g. (uid=${usernamePlaceholder}) or (sAMAccountName=${usernamePlaceholder})`,
      });
    else {
      try {
        parseLdapFilter(fillFilterTemplate(filter, { username: "x" }, "PCV_INVALID"), "PCV_INVALID");
      } catch (error) {
        problems.push({
          field: at(fieldNames.searchFilter),
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  const scope = fieldValue(configuration, fieldNames.scope);
  if (scope !== undefined && scopes[scope] === undefined)
    problems.push({ field: at(fieldNames.scope), message: 'one of "One Level" or "Subtree"' });
  const cs = fieldValue(configuration, fieldNames.caseSensitive);
  if (cs !== undefined && cs !== "true" && cs !== "false")
    problems.push({ field: at(fieldNames.caseSensitive), message: '"true" or "false"' });
  return problems;
};

export const assertValidator = (document: PasswordCredentialValidator): void => {
  const problems = validatorProblems(document);
  if (problems.length > 0)
    throw new AppError("PCV_INVALID", {
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
      details: problems,
    });
};

export const ldapValidatorSettings = (record: CredentialValidatorRecord): LdapValidatorSettings => {
  const { configuration } = record.document;
  const value = (name: string) => fieldValue(configuration, name)?.trim() ?? "";
  return {
    id: record.id,
    dataStoreId: value(fieldNames.dataStore),
    searchBase: value(fieldNames.searchBase),
    searchFilter: value(fieldNames.searchFilter),
    scope: scopes[value(fieldNames.scope)] ?? "sub",
    caseSensitive: value(fieldNames.caseSensitive) === "true",
    extraAttributes: (record.document.attributeContract?.extendedAttributes ?? []).map((a) => a.name),
  };
};
