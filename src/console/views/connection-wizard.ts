import { html, type SafeHtml } from "../../http/html.ts";
import type { ConnectionDraft } from "../../services/console/connection-drafts.ts";
import { checkbox, errorSummary, field, postForm, select } from "./components.ts";
import { errorFor, type FormErrors, fileField, labelled } from "./connection-actions.ts";
import { consolePage, type Viewer } from "./layout.ts";

/**
 * The Create Connection wizard's tabs, by PingFederate's names (pingfederate-salesforce-spec.md
 * §3). A tab opens once every tab before it is complete; each says what is missing.
 */
export type WizardTab = { readonly slug: string; readonly label: string };

export const wizardTabs = (draft: ConnectionDraft | undefined): readonly WizardTab[] => [
  { slug: "template", label: "Connection Template" },
  { slug: "type", label: "Connection Type" },
  { slug: "options", label: "Connection Options" },
  { slug: "general", label: "General Info" },
  ...(draft === undefined || draft.browserSso
    ? [
        { slug: "browser-sso", label: "Browser SSO" },
        { slug: "credentials", label: "Credentials" },
      ]
    : []),
  ...(draft?.outboundProvisioning ? [{ slug: "provisioning", label: "Outbound Provisioning" }] : []),
  { slug: "activation", label: "Activation & Summary" },
];

/** Whether a tab may be opened: every tab before it is complete. */
export const canOpen = (draft: ConnectionDraft, slug: string): boolean => {
  const tabs = wizardTabs(draft);
  const index = tabs.findIndex((t) => t.slug === slug);
  return index >= 0 && tabs.slice(0, index).every((t) => draft.completed.has(t.slug));
};

/** The tab after this one. */
export const nextTab = (draft: ConnectionDraft, slug: string): string => {
  const tabs = wizardTabs(draft);
  const index = tabs.findIndex((t) => t.slug === slug);
  return tabs[index + 1]?.slug ?? "activation";
};

export const draftPath = (draft: ConnectionDraft, slug: string) =>
  `/console/connections/new/${encodeURIComponent(draft.id)}/${slug}`;

const tabNav = (draft: ConnectionDraft | undefined, current: string) =>
  html`<nav aria-label="Connection tabs"><ol class="tabs">${wizardTabs(draft).map((t) =>
    t.slug === current
      ? html`<li><a href="${draft ? draftPath(draft, t.slug) : "/console/connections/new"}" aria-current="page">${t.label}</a></li>`
      : draft && canOpen(draft, t.slug)
        ? html`<li><a href="${draftPath(draft, t.slug)}">${t.label}${draft.completed.has(t.slug) ? html`<span class="visually-hidden"> (complete)</span>` : ""}</a></li>`
        : html`<li><span class="tab-locked">${t.label}<span class="visually-hidden"> (not yet)</span></span></li>`,
  )}</ol></nav>`;

/** A page of the wizard: the tabs, the tab's heading, what is wrong, and its form. */
export const wizardPage = (o: {
  viewer: Viewer;
  draft: ConnectionDraft | undefined;
  tab: string;
  notice?: string | undefined;
  errors?: FormErrors;
  labels?: Readonly<Record<string, string>>;
  body: SafeHtml;
}): string =>
  consolePage({
    title: o.draft ? `Create Connection: ${o.draft.connection.name}` : "Create Connection",
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`${tabNav(o.draft, o.tab)}
<h2>${wizardTabs(o.draft).find((t) => t.slug === o.tab)?.label ?? ""}</h2>
${errorSummary(labelled(o.errors ?? [], o.labels ?? {}))}
${o.body}`,
  });

/** Next, and Cancel (nothing becomes a connection until Save; a draft left behind ends with the session). */
export const wizardButtons = (label = "Next") =>
  html`<p class="actions"><button type="submit" class="primary">${label}</button>
<a href="/console/connections">Cancel</a></p>`;

export const templateLabels = { metadata: "Metadata File", templateId: "Connection Template" } as const;

/** Connection Template: a template (Salesforce Provisioner) and the SP's metadata file. */
export const templateTab = (o: {
  viewer: Viewer;
  values: { usesTemplate: boolean; templateId: string };
  errors: FormErrors;
}): string =>
  wizardPage({
    viewer: o.viewer,
    draft: undefined,
    tab: "template",
    errors: o.errors,
    labels: templateLabels,
    body: postForm(
      o.viewer,
      "/console/connections/new",
      html`<fieldset><legend>Template</legend>
<div class="check"><input type="radio" id="f-template-yes" name="usesTemplate" value="yes"${o.values.usesTemplate ? html` checked` : ""}>
<label for="f-template-yes">Use a template for this connection</label></div>
<div class="check"><input type="radio" id="f-template-no" name="usesTemplate" value="no"${o.values.usesTemplate ? "" : html` checked`}>
<label for="f-template-no">Do not use a template</label>
<p class="hint">The metadata file is then imported with plain SAML 2.0 defaults, as PingFederate's Import Metadata tab does.</p></div>
</fieldset>
${select({
  label: "Connection Template",
  name: "templateId",
  value: o.values.templateId,
  options: [
    { value: "salesforce-provisioner", label: "Salesforce Provisioner" },
    { value: "standard-saml-sp", label: "Standard SAML SP" },
  ],
  hint: "Salesforce Provisioner: browser SSO to Salesforce and outbound provisioning of its users.",
  error: errorFor(o.errors, "templateId"),
})}
${fileField({
  label: "Metadata File",
  name: "metadata",
  accept: ".xml,application/xml,text/xml,application/samlmetadata+xml",
  required: true,
  hint: "The SAMLSP-….xml file Salesforce offers on its Single Sign-On Settings page (Download Metadata).",
  error: errorFor(o.errors, "metadata"),
})}
${wizardButtons()}`,
      { class: "card", enctype: "multipart/form-data" },
    ),
  });

/** The Connection Template tab once the file is read: what the metadata gave, and its warnings. */
export const templateSummaryTab = (o: {
  viewer: Viewer;
  draft: ConnectionDraft;
  notice?: string | undefined;
}): string => {
  const d = o.draft;
  const sso = d.connection.spBrowserSso;
  return wizardPage({
    viewer: o.viewer,
    draft: d,
    notice: o.notice,
    tab: "template",
    body: html`<div class="card"><dl class="summary">
<dt>Template</dt><dd>${d.usesTemplate ? (d.templateId === "salesforce-provisioner" ? "Salesforce Provisioner" : "Standard SAML SP") : "None"}</dd>
<dt>Partner's Entity ID</dt><dd><code>${d.connection.entityId}</code></dd>
<dt>Metadata signature</dt><dd>${d.metadata.signatureStatus === "SIGNED" ? "Signed (not verified: no trusted certificate)" : "Unsigned"}</dd>
<dt>SP certificate</dt><dd>${d.metadata.certSubjectDn ? html`${d.metadata.certSubjectDn}, expires ${d.metadata.certExpiration?.slice(0, 10)}` : "None in the metadata"}</dd>
<dt>Assertion Consumer Service URLs</dt><dd>${sso ? html`<ul class="plain">${sso.ssoServiceEndpoints.map((e) => html`<li><code>${e.url}</code>${e.isDefault ? " (default)" : ""}</li>`)}</ul>` : "None"}</dd>
</dl>
${d.metadata.warnings.length > 0 ? html`<h3>What the metadata offered that Portico leaves out</h3><ul>${d.metadata.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ""}
<p class="actions"><a class="button primary" href="${draftPath(d, "type")}">Next</a>
<a href="/console/connections/new">Start again with another file</a></p></div>`,
  });
};

/** Connection Type: Browser SSO Profiles and Outbound Provisioning. */
export const typeTab = (o: {
  viewer: Viewer;
  draft: ConnectionDraft;
  /** What was sent, when it is shown again; else the draft's choice. */
  values?: { browserSso: boolean; outboundProvisioning: boolean };
  errors: FormErrors;
  notice?: string | undefined;
}): string =>
  wizardPage({
    viewer: o.viewer,
    draft: o.draft,
    notice: o.notice,
    tab: "type",
    errors: o.errors,
    labels: { roles: "Connection Type" },
    body: postForm(
      o.viewer,
      draftPath(o.draft, "type"),
      html`<fieldset${o.errors.length > 0 ? html` aria-describedby="f-roles-error"` : ""}><legend>Connection roles</legend>
${checkbox({ label: "Browser SSO Profiles", name: "browserSso", checked: (o.values ?? o.draft).browserSso, hint: "Protocol: SAML 2.0 (the only one Portico speaks)." })}
${checkbox({ label: "Outbound Provisioning", name: "outboundProvisioning", checked: (o.values ?? o.draft).outboundProvisioning, hint: "Type: Salesforce (users and groups pushed to the org through its REST API)." })}
${o.errors.length > 0 ? html`<p class="error" id="f-roles-error">${o.errors.map((e) => e.message).join("; ")}</p>` : ""}
</fieldset>
${wizardButtons()}`,
      { class: "card" },
    ),
  });

/** Connection Options: Browser SSO, and Salesforce Just-in-Time provisioning (Portico's addition). */
export const optionsTab = (o: {
  viewer: Viewer;
  draft: ConnectionDraft;
  values: { jit: boolean; profile: string };
  errors: FormErrors;
  notice?: string | undefined;
}): string =>
  wizardPage({
    viewer: o.viewer,
    draft: o.draft,
    notice: o.notice,
    tab: "options",
    errors: o.errors,
    labels: { profile: "Profile for new users" },
    body: postForm(
      o.viewer,
      draftPath(o.draft, "options"),
      html`${
        o.draft.browserSso
          ? html`<p>Browser SSO: <strong>on</strong>. (PingFederate's IdP Discovery and Attribute Query are not offered: Portico does not serve them.)</p>
${
  o.draft.templateId === "salesforce-provisioner"
    ? html`${checkbox({
        label: "Salesforce Just-in-Time provisioning",
        name: "jit",
        checked: o.values.jit,
        hint: "Salesforce creates the user at their first sign-in from the assertion's User.* attributes, read from the directory.",
      })}
${field({
  label: "Profile for new users",
  name: "profile",
  value: o.values.profile,
  hint: "With Just-in-Time provisioning: the Salesforce profile's name (Standard User) or its 00e… ID.",
  error: errorFor(o.errors, "profile"),
})}`
    : ""
}`
          : html`<p>No browser SSO: there are no options to choose.</p>`
      }
${wizardButtons()}`,
      { class: "card" },
    ),
  });
