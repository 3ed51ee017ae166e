import type { SpConnection } from "../../domain/sp-connection.ts";
import { nameFormats } from "../../domain/sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { ldapSourceRows } from "../../services/console/attribute-sources-edit.ts";
import {
  attributeRowsOf,
  fulfillmentSources,
  ldapSourcePrefix,
  sloRowsOf,
} from "../../services/console/browser-sso-edit.ts";
import { checkbox, errorSummary, field, postForm, select } from "./components.ts";
import { errorFor, type FormErrors } from "./connection-actions.ts";
import {
  type DataStoreChoice,
  ldapSourcesCard,
  type SourceValues,
  sloTable,
  sourceLabels as sourceFieldLabels,
} from "./connection-attribute-sources.ts";
import { csrfField, type Viewer } from "./layout.ts";

/**
 * The Browser SSO tab (pingfederate-salesforce-spec.md §3.6): SAML profiles, assertion lifetime,
 * assertion creation (identity mapping, attribute contract and its fulfillment) and protocol
 * settings (the ACS table, allowable bindings, signature and encryption policies).
 */

const profileLabels = [
  ["IDP_INITIATED_SSO", "IdP-Initiated SSO"],
  ["SP_INITIATED_SSO", "SP-Initiated SSO"],
  ["IDP_INITIATED_SLO", "IdP-Initiated SLO"],
  ["SP_INITIATED_SLO", "SP-Initiated SLO"],
] as const;

const sourceLabels: Readonly<Record<string, string>> = {
  ADAPTER: "Adapter (directory attribute)",
  TEXT: "Text",
  EXPRESSION: "Expression",
  CONTEXT: "Context",
  NO_MAPPING: "No Mapping",
  LDAP_DATA_STORE: "LDAP",
  AUTHENTICATION_POLICY_CONTRACT: "Authentication Policy Contract",
};

const options = (values: readonly string[], chosen: string, label = (v: string) => v) =>
  values.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : ""}>${label(v)}</option>`);

const attributeTable = (sso: NonNullable<SpConnection["spBrowserSso"]>, ldapIds: readonly string[]) => {
  const rows = [...attributeRowsOf(sso), { name: "", nameFormat: "", source: "ADAPTER", value: "" }];
  const offered: readonly string[] = [
    ...fulfillmentSources,
    ...ldapIds.map((id) => `${ldapSourcePrefix}${id}`),
  ];
  const sourceLabel = (v: string) =>
    v.startsWith(ldapSourcePrefix) ? `LDAP (${v.slice(ldapSourcePrefix.length)})` : (sourceLabels[v] ?? v);
  return html`<div class="table-wrap"><table><caption>Attribute Contract and its fulfillment</caption>
<thead><tr><th scope="col">Attribute</th><th scope="col">Name Format</th><th scope="col">Source</th><th scope="col">Value</th></tr></thead>
<tbody>${rows.map((r, i) => {
    const subject = r.name === "SAML_SUBJECT";
    const sources = offered.includes(r.source) ? offered : [r.source, ...offered];
    const n = i + 1;
    return html`<tr>
<td><label class="visually-hidden" for="attr-name-${n}">Attribute ${n} name</label><input id="attr-name-${n}" name="attrName" type="text" value="${r.name}"${subject ? html` readonly` : ""}${r.name === "" ? html` placeholder="Add an attribute"` : ""}></td>
<td><label class="visually-hidden" for="attr-format-${n}">Attribute ${n} name format</label><select id="attr-format-${n}" name="attrFormat">${options(["", ...nameFormats], r.nameFormat, (v) => (v === "" ? "(none)" : (v.split(":").pop() ?? v)))}</select></td>
<td><label class="visually-hidden" for="attr-source-${n}">Attribute ${n} source</label><select id="attr-source-${n}" name="attrSource">${options(sources, r.source, sourceLabel)}</select></td>
<td><label class="visually-hidden" for="attr-value-${n}">Attribute ${n} value</label><input id="attr-value-${n}" name="attrValue" type="text" value="${r.value}"></td>
</tr>`;
  })}</tbody></table></div>
<p class="hint">Clear an attribute's name to remove it; fill the last row to add one. Adapter values are directory attributes (mail, uid, givenName…); an LDAP source's value is one of the attributes it returns.</p>`;
};

/** The ACS table, with Edit / Update / Delete per row and a row to add one. */
const acsTable = (o: {
  viewer: Viewer;
  sso: NonNullable<SpConnection["spBrowserSso"]>;
  acsAction: string;
  editHref: (row: number) => string;
  editRow: number | undefined;
  errors: FormErrors;
}) => {
  const canEdit = o.viewer.role === "ADMIN";
  const editing = (i: number) => canEdit && o.editRow === i;
  const inputs = (
    formId: string,
    e: { isDefault: boolean; index: number | string; binding: string; url: string },
    label: string,
  ) => ({
    isDefault: html`<input type="checkbox" form="${formId}" id="${formId}-default" name="isDefault" value="on"${e.isDefault ? html` checked` : ""}><label class="visually-hidden" for="${formId}-default">Default (${label})</label>`,
    index: html`<label class="visually-hidden" for="${formId}-index">Index (${label})</label><input form="${formId}" id="${formId}-index" name="index" type="number" min="0" max="65535" value="${String(e.index)}">`,
    binding: html`<label class="visually-hidden" for="${formId}-binding">Binding (${label})</label><select form="${formId}" id="${formId}-binding" name="binding">${options(["POST", "ARTIFACT"], e.binding)}</select>`,
    url: html`<label class="visually-hidden" for="${formId}-url">Endpoint URL (${label})</label><input form="${formId}" id="${formId}-url" name="url" type="text" value="${e.url}">`,
  });
  const rows = o.sso.ssoServiceEndpoints.map((e, i) => {
    if (editing(i)) {
      const f = inputs("acs-edit", { ...e, isDefault: e.isDefault === true }, `row ${i + 1}`);
      return html`<tr><td>${f.isDefault}</td><td>${f.index}</td><td>${f.binding}</td><td>${f.url}</td>
<td><button type="submit" form="acs-edit" class="primary">Update</button> <a href="${o.editHref(-1)}">Cancel</a></td></tr>`;
    }
    return html`<tr><td>${e.isDefault ? "Default" : ""}</td><td>${e.index}</td><td>${e.binding}</td><td><code>${e.url}</code></td>
<td>${
      canEdit
        ? html`<a href="${o.editHref(i)}" aria-label="Edit ACS ${e.url}">Edit</a> · ${postForm(
            o.viewer,
            o.acsAction,
            html`<input type="hidden" name="op" value="delete"><input type="hidden" name="row" value="${String(i)}"><button type="submit" class="link" aria-label="Delete ACS ${e.url}">Delete</button>`,
            { class: "inline" },
          )}`
        : ""
    }</td></tr>`;
  });
  const add = inputs(
    "acs-add",
    { isDefault: false, index: nextIndex(o.sso), binding: "POST", url: "" },
    "new",
  );
  return html`<div class="table-wrap"><table><caption>Assertion Consumer Service URL</caption>
<thead><tr><th scope="col">Default</th><th scope="col">Index</th><th scope="col">Binding</th><th scope="col">Endpoint URL</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}${canEdit && o.editRow === undefined ? html`<tr><td>${add.isDefault}</td><td>${add.index}</td><td>${add.binding}</td><td>${add.url}</td><td><button type="submit" form="acs-add">Add</button></td></tr>` : ""}</tbody></table></div>
${errorFor(o.errors, "acsUrl") ? html`<p class="error">Endpoint URL: ${errorFor(o.errors, "acsUrl")}</p>` : ""}
${errorFor(o.errors, "acsIndex") ? html`<p class="error">Index: ${errorFor(o.errors, "acsIndex")}</p>` : ""}
${errorFor(o.errors, "acs") ? html`<p class="error">${errorFor(o.errors, "acs")}</p>` : ""}
<form method="post" action="${o.acsAction}" id="acs-edit">${csrfField(o.viewer)}<input type="hidden" name="op" value="update"><input type="hidden" name="row" value="${String(o.editRow ?? -1)}"></form>
<form method="post" action="${o.acsAction}" id="acs-add">${csrfField(o.viewer)}<input type="hidden" name="op" value="add"><input type="hidden" name="row" value="-1"></form>`;
};

const nextIndex = (sso: NonNullable<SpConnection["spBrowserSso"]>) =>
  Math.max(-1, ...sso.ssoServiceEndpoints.map((e) => e.index)) + 1;

export const browserSsoLabels = {
  minutesBefore: "Minutes Before",
  minutesAfter: "Minutes After",
  attributes: "Attribute Contract",
  ...sourceFieldLabels,
} as const;

export const browserSsoBody = (o: {
  viewer: Viewer;
  document: SpConnection;
  action: string;
  acsAction: string;
  editHref: (row: number) => string;
  editRow: number | undefined;
  errors: FormErrors;
  acsErrors: FormErrors;
  submitLabel: string;
  dataStores: readonly DataStoreChoice[];
  sourcesAction: string;
  sourceValues: SourceValues;
  sourceErrors: FormErrors;
  after?: SafeHtml;
}): SafeHtml => {
  const sso = o.document.spBrowserSso;
  if (!sso) return html`<p>This connection has no browser SSO (see Connection Type).</p>`;
  const canEdit = o.viewer.role === "ADMIN";
  const sources = ldapSourceRows(sso);
  return html`<section class="card" aria-labelledby="acs-h"><h3 id="acs-h">Protocol Settings: Assertion Consumer Service URL</h3>
${errorSummary(o.acsErrors.filter((e) => e.field === undefined))}
${acsTable({ viewer: o.viewer, sso, acsAction: o.acsAction, editHref: o.editHref, editRow: o.editRow, errors: o.acsErrors })}
<p class="hint">For Salesforce Communities, Edit the community's URL, tick Default and Update: sign-ins started here then land there.</p></section>
${ldapSourcesCard({ viewer: o.viewer, sources, dataStores: o.dataStores, action: o.sourcesAction, values: o.sourceValues, errors: o.sourceErrors })}
${postForm(
  o.viewer,
  o.action,
  html`<fieldset><legend>SAML Profiles</legend>${profileLabels.map(([value, label]) =>
    checkbox({ label, name: "profile", value, checked: sso.enabledProfiles.includes(value) }),
  )}</fieldset>
<fieldset><legend>Assertion Lifetime</legend><div class="field-row">
${field({ label: "Minutes Before", name: "minutesBefore", type: "number", value: String(sso.assertionLifetime.minutesBefore), error: errorFor(o.errors, "minutesBefore") })}
${field({ label: "Minutes After", name: "minutesAfter", type: "number", value: String(sso.assertionLifetime.minutesAfter), error: errorFor(o.errors, "minutesAfter") })}
</div></fieldset>
<fieldset><legend>Assertion Creation</legend>
${select({
  label: "Identity Mapping",
  name: "identityMapping",
  value: sso.spSamlIdentityMapping ?? "STANDARD",
  options: [
    { value: "STANDARD", label: "Standard (send the user's identifier; Salesforce maps it)" },
    { value: "PSEUDONYM", label: "Pseudonym (an opaque persistent identifier)" },
    { value: "TRANSIENT", label: "Transient (an opaque one-time identifier)" },
  ],
})}
${attributeTable(
  sso,
  sources.map((source) => source.id),
)}
${errorFor(o.errors, "attributes") ? html`<p class="error">${errorFor(o.errors, "attributes")}</p>` : ""}
</fieldset>
<fieldset><legend>Allowable SAML Bindings</legend>${(["POST", "REDIRECT", "ARTIFACT", "SOAP"] as const).map(
    (b) =>
      checkbox({
        label: b === "POST" ? "POST" : b === "REDIRECT" ? "Redirect" : b === "ARTIFACT" ? "Artifact" : "SOAP",
        name: "binding",
        value: b,
        checked: (sso.incomingBindings ?? []).includes(b),
      }),
  )}</fieldset>
${sloTable(sloRowsOf(sso), o.errors)}
<fieldset><legend>Signature Policy</legend>
${checkbox({ label: "Require AuthN requests to be signed when received via the POST or Redirect bindings", name: "requireSignedAuthnRequests", checked: sso.requireSignedAuthnRequests === true })}
${checkbox({ label: "Always sign the SAML assertion", name: "signAssertions", checked: sso.signAssertions === true })}
${checkbox({ label: "Sign response as required", name: "signResponseAsRequired", checked: sso.signResponseAsRequired !== false })}
</fieldset>
<fieldset><legend>Encryption Policy</legend>
${checkbox({ label: "Encrypt the entire assertion", name: "encryptAssertion", checked: sso.encryptionPolicy?.encryptAssertion === true, hint: "Needs the SP's encryption certificate (from its metadata)." })}
</fieldset>
${canEdit ? html`<p class="actions"><button type="submit" class="primary">${o.submitLabel}</button> <a href="/console/connections">Cancel</a></p>` : ""}`,
  { class: "card" },
)}${o.after ?? ""}`;
};
