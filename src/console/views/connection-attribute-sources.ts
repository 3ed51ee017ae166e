import { html, type SafeHtml } from "../../http/html.ts";
import { type LdapSourceRow, searchScopes } from "../../services/console/attribute-sources-edit.ts";
import type { SloRow } from "../../services/console/browser-sso-edit.ts";
import { actionButton, field, postForm, select } from "./components.ts";
import { errorFor, type FormErrors } from "./connection-actions.ts";
import type { Viewer } from "./layout.ts";

/**
 * Two parts of the Browser SSO tab: Assertion Creation's LDAP attribute sources (a data store
 * searched for the signed-in user, whose attributes the contract can then take), and Protocol
 * Settings' SLO Service URLs (the SP's single logout endpoints).
 */

export type DataStoreChoice = { readonly id: string; readonly label: string };

export type SourceValues = Readonly<Record<string, string>>;

const scopeLabels: Readonly<Record<string, string>> = {
  SUBTREE: "Subtree",
  ONE_LEVEL: "One level",
  OBJECT: "Base object",
};

export const sourceLabels = {
  sourceId: "Attribute Source ID",
  sourceDataStore: "LDAP Data Store",
  sourceBaseDn: "Base DN",
  sourceScope: "Search Scope",
  sourceFilter: "Search Filter",
  sourceAttributes: "Attributes to return",
  sources: "Attribute Sources",
  slo: "SLO Service URLs",
} as const;

const filterHint =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholders, not a template
  "${uid}, ${mail} and the user's other attributes are filled in at sign-in, e.g. (uid=${uid}).";

export const ldapSourcesCard = (o: {
  viewer: Viewer;
  sources: readonly LdapSourceRow[];
  dataStores: readonly DataStoreChoice[];
  action: string;
  values: SourceValues;
  errors: FormErrors;
}): SafeHtml => {
  const canEdit = o.viewer.role === "ADMIN";
  const v = (name: string) => o.values[name] ?? "";
  const storeLabel = (id: string) => o.dataStores.find((d) => d.id === id)?.label ?? id;
  const list =
    o.sources.length === 0
      ? html`<p class="empty">None: contract attributes take their values from the sign-in (Adapter), text or expressions.</p>`
      : html`<div class="table-wrap"><table><caption>LDAP Attribute Sources</caption>
<thead><tr><th scope="col">ID</th><th scope="col">Data Store</th><th scope="col">Base DN</th><th scope="col">Scope</th><th scope="col">Filter</th><th scope="col">Attributes</th><th scope="col">Action</th></tr></thead>
<tbody>${o.sources.map(
          (
            s,
          ) => html`<tr><td>${s.id}</td><td>${storeLabel(s.dataStoreId)}</td><td><code>${s.baseDn}</code></td><td>${scopeLabels[s.searchScope] ?? s.searchScope}</td><td><code>${s.searchFilter}</code></td><td>${s.attributes.join(", ")}</td>
<td>${actionButton(o.viewer, o.action, `Delete ${s.id}`, { hidden: { op: "delete", sourceId: s.id } })}</td></tr>`,
        )}</tbody></table></div>`;
  const add = !canEdit
    ? html``
    : o.dataStores.length === 0
      ? html`<p>To add one, first create an LDAP data store under <a href="/console/datastores">Data Stores</a>.</p>`
      : postForm(
          o.viewer,
          o.action,
          html`<input type="hidden" name="op" value="add">
<fieldset><legend>Add an LDAP attribute source</legend>
${field({ label: "Attribute Source ID", name: "sourceId", value: v("sourceId"), required: true, hint: "Names the source in the contract's Source list, e.g. hr.", error: errorFor(o.errors, "sourceId") })}
${select({
  label: "LDAP Data Store",
  name: "sourceDataStore",
  value: v("sourceDataStore"),
  options: [
    { value: "", label: "Choose a data store" },
    ...o.dataStores.map((d) => ({ value: d.id, label: d.label })),
  ],
  error: errorFor(o.errors, "sourceDataStore"),
})}
${field({ label: "Base DN", name: "sourceBaseDn", value: v("sourceBaseDn"), required: true, error: errorFor(o.errors, "sourceBaseDn") })}
${select({
  label: "Search Scope",
  name: "sourceScope",
  value: v("sourceScope") || "SUBTREE",
  options: searchScopes.map((s) => ({ value: s, label: scopeLabels[s] ?? s })),
  error: errorFor(o.errors, "sourceScope"),
})}
${field({ label: "Search Filter", name: "sourceFilter", value: v("sourceFilter"), required: true, hint: filterHint, error: errorFor(o.errors, "sourceFilter") })}
${field({ label: "Attributes to return", name: "sourceAttributes", value: v("sourceAttributes"), required: true, hint: "Comma-separated, e.g. title, departmentNumber; Subject DN is the entry's DN.", error: errorFor(o.errors, "sourceAttributes") })}
</fieldset>
<p class="actions"><button type="submit">Add attribute source</button></p>`,
        );
  return html`<section class="card" aria-labelledby="sources-h"><h3 id="sources-h">Assertion Creation: Attribute Sources</h3>
${errorFor(o.errors, "sources") ? html`<p class="error" role="alert">${errorFor(o.errors, "sources")}</p>` : ""}
${list}${add}</section>`;
};

const sloBindingOptions = ["POST", "REDIRECT", "ARTIFACT", "SOAP"] as const;

/** The SLO endpoints as rows of the Browser SSO form, with a blank row to add one. */
export const sloTable = (rows: readonly SloRow[], errors: FormErrors): SafeHtml => {
  const all = [...rows, { binding: "POST", url: "", responseUrl: "" }];
  const error = errorFor(errors, "slo");
  return html`<fieldset><legend>SLO Service URLs</legend>
<div class="table-wrap"><table><caption>The SP's single logout endpoints</caption>
<thead><tr><th scope="col">Binding</th><th scope="col">Endpoint URL</th><th scope="col">Response URL</th></tr></thead>
<tbody>${all.map((r, i) => {
    const n = i + 1;
    return html`<tr>
<td><label class="visually-hidden" for="slo-binding-${n}">Logout binding (SLO row ${n})</label><select id="slo-binding-${n}" name="sloBinding">${sloBindingOptions.map((b) => html`<option value="${b}"${b === r.binding ? html` selected` : ""}>${b}</option>`)}</select></td>
<td><label class="visually-hidden" for="slo-url-${n}">Logout URL (SLO row ${n})</label><input id="slo-url-${n}" name="sloUrl" type="text" value="${r.url}"${r.url === "" ? html` placeholder="Add an SLO URL"` : ""}></td>
<td><label class="visually-hidden" for="slo-response-${n}">Logout response URL (SLO row ${n})</label><input id="slo-response-${n}" name="sloResponseUrl" type="text" value="${r.responseUrl}"></td>
</tr>`;
  })}</tbody></table></div>
${error ? html`<p class="error">${error}</p>` : ""}
<p class="hint">Where single logout messages go (the SLO profiles). Clear a row's URLs to remove it; fill the last row to add one. The Response URL is optional (the endpoint URL answers then).</p>
</fieldset>`;
};
