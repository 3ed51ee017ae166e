import { type LdapType, ldapTypes } from "../../domain/data-store.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import {
  actionButton,
  checkbox,
  errorSummary,
  field,
  postForm,
  select,
  table,
  textarea,
} from "./components.ts";
import { type FormErrors, summaryOf } from "./format.ts";
import { consolePage, type Viewer } from "./layout.ts";

export type Security = "NONE" | "LDAPS" | "STARTTLS";
export type DataStoreForm = {
  name: string;
  ldapType: LdapType;
  hostnames: string;
  security: Security;
  verifyHost: boolean;
  trustedCAs: string;
  bindAnonymously: boolean;
  userDN: string;
  errors: FormErrors;
};
export type DataStoreRow = {
  id: string;
  name: string;
  ldapType: LdapType;
  hostnames: string;
  userDN: string;
};

/** Where Test got to: every stage passed, or the one that failed and why. */
export type TestOutcome =
  | {
      ok: true;
      hostname: string;
      stages: readonly string[];
      namingContexts: readonly string[];
      vendorName: string | null;
    }
  | { ok: false; stage: string; code: string; message: string };

const typeLabels: Record<LdapType, string> = {
  ACTIVE_DIRECTORY: "Active Directory",
  ORACLE_DIRECTORY_SERVER: "Oracle Directory Server",
  ORACLE_UNIFIED_DIRECTORY: "Oracle Unified Directory",
  PING_DIRECTORY: "PingDirectory",
  UNBOUNDID_DS: "UnboundID DS",
  GENERIC: "Generic LDAP (OpenLDAP…)",
};

const labels = {
  name: "Name",
  ldapType: "Directory type",
  hostnames: "Host names",
  security: "Security",
  trustedCAs: "Trusted CA certificates (PEM)",
  userDN: "Bind DN",
  password: "Password",
  useStartTLS: "Security",
};

export const emptyDataStoreForm: DataStoreForm = {
  name: "",
  ldapType: "GENERIC",
  hostnames: "",
  security: "STARTTLS",
  verifyHost: true,
  trustedCAs: "",
  bindAnonymously: false,
  userDN: "",
  errors: {},
};

const storePath = (id: string) => `/console/datastores/${encodeURIComponent(id)}`;

/** The LDAP data stores. */
export const dataStoresPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  rows: readonly DataStoreRow[];
}) =>
  consolePage({
    title: "Data Stores",
    viewer: o.viewer,
    section: "/console/datastores",
    notice: o.notice,
    body: html`${o.viewer.role === "ADMIN" ? html`<p class="actions"><a class="button primary" href="/console/datastores/new">Add LDAP data store</a></p>` : ""}
${table(
  `${o.rows.length} data store${o.rows.length === 1 ? "" : "s"}`,
  [
    { header: "Name", cell: (r) => html`<a href="${storePath(r.id)}">${r.name}</a>` },
    { header: "Directory type", cell: (r) => typeLabels[r.ldapType] },
    { header: "Host names", cell: (r) => html`<code>${r.hostnames}</code>` },
    { header: "Bind DN", cell: (r) => r.userDN || "anonymous" },
    {
      header: "Actions",
      cell: (r) =>
        actionButton(o.viewer, `${storePath(r.id)}/delete`, "Delete", {
          danger: true,
          confirm: `Delete the data store "${r.name}"?`,
        }),
    },
  ],
  o.rows,
  "No LDAP data store yet.",
)}`,
  });

const testResult = (outcome: TestOutcome): SafeHtml =>
  outcome.ok
    ? html`<div class="notice" role="status" id="test-result"><p><strong>Test passed</strong>: ${outcome.hostname} answered${outcome.vendorName ? html` (${outcome.vendorName})` : ""}.</p>
<p>Stages: ${outcome.stages.join(" → ")}. Naming contexts: ${outcome.namingContexts.join(", ") || "none"}.</p></div>`
    : html`<div class="alert" role="alert" id="test-result"><p><strong>Test failed at ${outcome.stage}</strong> (<code>${outcome.code}</code>)</p><p>${outcome.message}</p></div>`;

/** One data store's form (new or existing), with Test for a stored one. */
export const dataStorePage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  id?: string | undefined;
  hasPassword: boolean;
  form: DataStoreForm;
  test?: TestOutcome | undefined;
}): string => {
  const f = o.form;
  const editable = o.viewer.role === "ADMIN";
  return consolePage({
    title: o.id ? `Data store ${f.name}` : "Add an LDAP data store",
    viewer: o.viewer,
    section: "/console/datastores",
    notice: o.notice,
    body: html`<p><a href="/console/datastores">Back to the data stores</a></p>
${o.test ? testResult(o.test) : ""}
${postForm(
  o.viewer,
  o.id ? storePath(o.id) : "/console/datastores",
  html`${errorSummary(summaryOf(f.errors, labels))}
${field({ label: labels.name, name: "name", value: f.name, required: true, error: f.errors.name })}
${select({ label: labels.ldapType, name: "ldapType", value: f.ldapType, error: f.errors.ldapType, hint: "Picks the presets: object classes, the GUID, change detection and account status.", options: ldapTypes.map((t) => ({ value: t, label: typeLabels[t] })) })}
${field({ label: labels.hostnames, name: "hostnames", value: f.hostnames, required: true, error: f.errors.hostnames, hint: "host or host:port, several separated by spaces, tried in order." })}
${select({
  label: labels.security,
  name: "security",
  value: f.security,
  error: f.errors.security,
  options: [
    { value: "STARTTLS", label: "StartTLS" },
    { value: "LDAPS", label: "LDAPS (port 636)" },
    { value: "NONE", label: "None (plain LDAP)" },
  ],
})}
${checkbox({ label: "Verify that the certificate names the host", name: "verifyHost", checked: f.verifyHost })}
${textarea({ label: labels.trustedCAs, name: "trustedCAs", value: f.trustedCAs, error: f.errors.trustedCAs, rows: 4, hint: "Empty: the system's roots." })}
${checkbox({ label: "Bind anonymously", name: "bindAnonymously", checked: f.bindAnonymously })}
${field({ label: labels.userDN, name: "userDN", value: f.userDN, error: f.errors.userDN, autocomplete: "off" })}
${editable ? field({ label: labels.password, name: "password", type: "password", autocomplete: "new-password", error: f.errors.password, hint: o.hasPassword ? "A password is stored; it is never shown. Leave empty to keep it (with the same bind DN)." : "The bind DN's password; it is stored encrypted and never shown." }) : ""}
${editable ? html`<button type="submit" class="primary">Save</button>` : ""}`,
  { class: "card", id: "datastore-form" },
)}
${
  o.id && editable
    ? html`<h2>Test</h2>${postForm(
        o.viewer,
        `${storePath(o.id)}/test`,
        html`<p class="hint">Connects now with the saved settings: DNS, TCP, TLS, bind, then one search.</p>
${field({ label: "Base DN to search", name: "baseDn", hint: "Empty: the root DSE." })}
<button type="submit">Test</button>`,
        { class: "card", id: "test-form" },
      )}`
    : ""
}`,
  });
};
