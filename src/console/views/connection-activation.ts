import type { SpConnection } from "../../domain/sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import type { ConnectionDraft } from "../../services/console/connection-drafts.ts";
import { postForm } from "./components.ts";
import type { FormErrors } from "./connection-actions.ts";
import { connectionSummary, tabOfField } from "./connection-summary.ts";
import { canOpen, draftPath, wizardButtons, wizardPage, wizardTabs } from "./connection-wizard.ts";
import type { Viewer } from "./layout.ts";

/** The SSO Application Endpoint, above the summary, with a button that copies it. */
export const ssoEndpointBlock = (
  endpoint: string | undefined,
  certificateHref: string | undefined,
): SafeHtml =>
  endpoint === undefined
    ? html``
    : html`<section class="card" aria-labelledby="sso-endpoint-h"><h3 id="sso-endpoint-h">SSO Application Endpoint</h3>
<p><code id="sso-endpoint">${endpoint}</code> <button type="button" data-copy="sso-endpoint">Copy</button></p>
<p class="hint">Paste it into Salesforce's SAML Single Sign-On Settings as the Identity Provider Login URL.</p>
${
  certificateHref
    ? html`<p><a class="button" href="${certificateHref}" download>Download the IdP certificate</a></p>
<p class="hint">Upload it to Salesforce as the Identity Provider Certificate: it checks the assertions signed with it.</p>`
    : ""
}</section>`;

/** Connection Status: PingFederate turns a new connection on by default (§3.9). */
export const statusFieldset = (active: boolean): SafeHtml =>
  html`<fieldset><legend>Connection Status</legend>
<div class="check"><input type="radio" id="f-active-on" name="active" value="on"${active ? html` checked` : ""}><label for="f-active-on">Active</label></div>
<div class="check"><input type="radio" id="f-active-off" name="active" value="off"${active ? "" : html` checked`}><label for="f-active-off">Inactive</label></div>
</fieldset>`;

/** What Save refused, each problem linked to the tab that fixes it. */
const saveErrors = (
  errors: FormErrors,
  href: (tab: string) => string | undefined,
  labels: Map<string, string>,
) =>
  errors.length === 0
    ? html``
    : html`<div class="alert" role="alert" tabindex="-1" id="errors"><p>The connection was not saved:</p><ul>${errors.map(
        (e) => {
          const tab = tabOfField(e.field);
          const link = href(tab);
          return html`<li>${e.field ? html`<strong>${e.field}</strong>: ` : ""}${e.message}${
            link ? html` (<a href="${link}">${labels.get(tab) ?? tab}</a>)` : ""
          }</li>`;
        },
      )}</ul></div>`;

export const activationTab = (o: {
  viewer: Viewer;
  draft: ConnectionDraft;
  document: SpConnection;
  endpoint: string | undefined;
  active: boolean;
  errors: FormErrors;
  notice?: string | undefined;
}): string => {
  const href = (tab: string) => (canOpen(o.draft, tab) ? draftPath(o.draft, tab) : undefined);
  const labels = new Map(wizardTabs(o.draft).map((t) => [t.slug, t.label]));
  return wizardPage({
    viewer: o.viewer,
    draft: o.draft,
    notice: o.notice,
    tab: "activation",
    body: html`${saveErrors(o.errors, href, labels)}
${ssoEndpointBlock(o.endpoint, o.draft.connection.credentials?.signingSettings ? draftPath(o.draft, "idp-certificate") : undefined)}
<h3>Summary</h3>
${connectionSummary(o.document, href)}
${postForm(
  o.viewer,
  draftPath(o.draft, "activation"),
  html`${statusFieldset(o.active)}
<p class="hint">Nothing is stored until Save. An active connection answers sign-ins at once; its provisioning runs once a channel is active too.</p>
${wizardButtons("Save")}`,
  { class: "card" },
)}`,
  });
};

/** Outbound Provisioning in the wizard: the Salesforce target's defaults; its settings come after Save. */
export const newProvisioningTab = (o: {
  viewer: Viewer;
  draft: ConnectionDraft;
  notice?: string | undefined;
}): string => {
  const settings = o.draft.connection.outboundProvision?.targetSettings ?? [];
  const on = (name: string) => (settings.find((s) => s.name === name)?.value ?? "true") === "true";
  return wizardPage({
    viewer: o.viewer,
    draft: o.draft,
    notice: o.notice,
    tab: "provisioning",
    body: postForm(
      o.viewer,
      draftPath(o.draft, "provisioning"),
      html`<p>Provisioning type: <strong>Salesforce</strong>. Its default options:</p>
<ul>
<li>User Create: ${on("CREATE_USERS") ? "on" : "off"}; User Update: ${on("UPDATE_USERS") ? "on" : "off"}; User Disable: ${on("DISABLE_USERS") ? "on" : "off"}</li>
<li>Enable Communities: ${on("ENABLE_COMMUNITIES") ? "on" : "off"}</li>
</ul>
<p>The target's credentials (Client ID, Client Secret, tokens or JWT), Test connection and the channels are set on the
connection's Outbound Provisioning tab once it is saved. Until a channel is active, nothing is provisioned.</p>
${wizardButtons()}`,
      { class: "card" },
    ),
  });
};
