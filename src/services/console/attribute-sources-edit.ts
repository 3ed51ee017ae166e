import {
  type AttributeMapping,
  appliedAttributeMapping,
  type SpConnection,
  signInAdapterId,
} from "../../domain/sp-connection.ts";
import { parseLdapFilter } from "../../ldap/filter.ts";
import { type ErrorDetail, isAppError } from "../../lib/errors.ts";

/**
 * Browser SSO's LDAP attribute sources as the console edits them (pingfederate-salesforce-spec.md
 * §3.6, "attribute contract fulfillment, including LDAP attribute sources"): PingFederate's
 * `attributeSources` entries of type `LDAP` on the mapping that applies at SSO, each naming an
 * existing LDAP data store, a base DN, a filter with `${attribute}` placeholders and the
 * attributes it returns. A contract attribute then takes `{type: LDAP_DATA_STORE, id}` as source.
 */

type Sso = NonNullable<SpConnection["spBrowserSso"]>;

export const searchScopes = ["SUBTREE", "ONE_LEVEL", "OBJECT"] as const;

/** An LDAP attribute source as the console lists it. */
export type LdapSourceRow = {
  readonly id: string;
  readonly dataStoreId: string;
  readonly baseDn: string;
  readonly searchScope: string;
  readonly searchFilter: string;
  readonly attributes: readonly string[];
};

export type LdapSourceForm = {
  readonly id: string;
  readonly dataStoreId: string;
  readonly baseDn: string;
  readonly searchScope: string;
  readonly searchFilter: string;
  /** Comma- or space-separated attribute names. */
  readonly attributes: string;
};

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The LDAP sources of the mapping that applies at SSO, as stored (nothing is checked here). */
export const ldapSourceRows = (sso: Sso | undefined): LdapSourceRow[] =>
  (appliedAttributeMapping(sso)?.mapping.attributeSources ?? [])
    .filter((s) => s.type === "LDAP")
    .map((s) => ({
      id: text(s.id),
      dataStoreId: text((s.dataStoreRef as { id?: unknown } | undefined)?.id),
      baseDn: text(s.baseDn),
      searchScope: text(s.searchScope) || "SUBTREE",
      searchFilter: text(s.searchFilter),
      attributes: Array.isArray(s.searchAttributes)
        ? s.searchAttributes.filter((a): a is string => typeof a === "string")
        : [],
    }));

/**
 * The mapping a form's change goes to: the one that applies at SSO (so what is edited is what is
 * served), created for the sign-in form when the connection has none yet.
 */
export const editedMapping = (sso: Sso): AttributeMapping => {
  const applied = appliedAttributeMapping(sso)?.mapping;
  if (applied) return applied;
  const created = { idpAdapterRef: { id: signInAdapterId }, attributeContractFulfillment: {} };
  sso.adapterMappings.push(created);
  return created;
};

const filterError = (filter: string): string | undefined => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
  if (filter === "") return "enter the search filter, e.g. (uid=${uid})";
  try {
    // Placeholders are filled from the signed-in user at SSO; any value shows the shape is sound.
    parseLdapFilter(filter.replace(/\$\{[A-Za-z0-9_.-]+\}/g, "x"), "CONN_INVALID");
    return undefined;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return error.message;
  }
};

/** Adds an LDAP attribute source to a copy of the document, or says what is missing. */
export const addLdapSource = (
  document: SpConnection,
  form: LdapSourceForm,
  dataStoreIds: readonly string[],
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const sso = copy.spBrowserSso;
  if (!sso) return { document: copy, errors: [{ message: "the connection has no browser SSO" }] };
  const id = form.id.trim();
  const attributes = form.attributes
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter(Boolean);
  const filter = form.searchFilter.trim();
  const errors: ErrorDetail[] = [];
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
    errors.push({
      field: "sourceId",
      message: "enter an ID of letters, digits, '.', '_' or '-' (at most 64), e.g. hr",
    });
  else if (ldapSourceRows(sso).some((s) => s.id === id))
    errors.push({ field: "sourceId", message: `"${id}" is already an attribute source` });
  if (dataStoreIds.length === 0)
    errors.push({
      field: "sourceDataStore",
      message: "there is no LDAP data store yet: add one under Data Stores",
    });
  else if (!dataStoreIds.includes(form.dataStoreId))
    errors.push({ field: "sourceDataStore", message: "choose the LDAP data store to search" });
  if (form.baseDn.trim() === "")
    errors.push({
      field: "sourceBaseDn",
      message: "enter the base DN searched under, e.g. ou=people,dc=example,dc=com",
    });
  const scope = searchScopes.find((s) => s === form.searchScope);
  if (!scope) errors.push({ field: "sourceScope", message: "choose the search scope" });
  const badFilter = filterError(filter);
  if (badFilter) errors.push({ field: "sourceFilter", message: badFilter });
  if (attributes.length === 0)
    errors.push({
      field: "sourceAttributes",
      message: "list the attributes to read, e.g. title, department",
    });
  if (errors.length > 0) return { document: copy, errors };
  const mapping = editedMapping(sso);
  mapping.attributeSources = [
    ...(mapping.attributeSources ?? []),
    {
      type: "LDAP",
      id,
      description: id,
      dataStoreRef: { id: form.dataStoreId },
      baseDn: form.baseDn.trim(),
      searchScope: scope ?? "SUBTREE",
      searchFilter: filter,
      searchAttributes: attributes,
    },
  ];
  return { document: copy, errors: [] };
};

/** Removes an LDAP attribute source, unless a contract attribute still takes its values from it. */
export const deleteLdapSource = (
  document: SpConnection,
  id: string,
): { document: SpConnection; errors: ErrorDetail[] } => {
  const copy = structuredClone(document);
  const mapping = copy.spBrowserSso ? appliedAttributeMapping(copy.spBrowserSso)?.mapping : undefined;
  const sources = mapping?.attributeSources ?? [];
  if (!mapping || !sources.some((s) => s.type === "LDAP" && s.id === id))
    return {
      document: copy,
      errors: [{ field: "sources", message: `there is no attribute source "${id}"` }],
    };
  const users = Object.entries(mapping.attributeContractFulfillment)
    .filter(([, rule]) => rule.source.type === "LDAP_DATA_STORE" && rule.source.id === id)
    .map(([name]) => name);
  if (users.length > 0)
    return {
      document: copy,
      errors: [
        {
          field: "sources",
          message: `"${id}" fills ${users.join(", ")}: give ${users.length === 1 ? "it" : "them"} another source first`,
        },
      ],
    };
  mapping.attributeSources = sources.filter((s) => !(s.type === "LDAP" && s.id === id));
  return { document: copy, errors: [] };
};
