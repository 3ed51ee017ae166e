import type { SpConnection } from "../../domain/sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { errorSummary, postForm } from "./components.ts";
import { type FormErrors, labelled } from "./connection-actions.ts";
import { ssoEndpointBlock, statusFieldset } from "./connection-activation.ts";
import { generalFields } from "./connection-general.ts";
import { connectionSummary } from "./connection-summary.ts";
import { consolePage, type Viewer } from "./layout.ts";

/**
 * An existing connection opens on PingFederate's tabs, by their names (§3): General Info,
 * Browser SSO, Credentials, Outbound Provisioning, Activation & Summary. Each tab's Save stores
 * the whole connection through the admin API's update, with every check it makes. Outbound
 * Provisioning is the provisioning pages' own (Target, Manage Channels): its tab links there.
 */
export const savedTabs = (c: SpConnection) => [
  { slug: "general", label: "General Info" },
  ...(c.spBrowserSso
    ? [
        { slug: "browser-sso", label: "Browser SSO" },
        { slug: "credentials", label: "Credentials" },
      ]
    : []),
  ...(c.outboundProvision ? [{ slug: "provisioning", label: "Outbound Provisioning" }] : []),
  { slug: "activation", label: "Activation & Summary" },
];

export const savedPath = (c: SpConnection, tab: string) =>
  `/console/connections/${encodeURIComponent(c.id ?? "")}/${tab}`;

export const savedPage = (o: {
  viewer: Viewer;
  connection: SpConnection;
  tab: string;
  body: SafeHtml;
  errors: FormErrors;
  labels: Readonly<Record<string, string>>;
  notice?: string | undefined;
}): string =>
  consolePage({
    title: o.connection.name,
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`<p class="muted"><code>${o.connection.entityId}</code> · ${o.connection.active ? "Active" : "Inactive"} ·
<a href="${savedPath(o.connection, "export")}">Export</a></p>
<nav aria-label="Connection tabs"><ul class="tabs">${savedTabs(o.connection).map(
      (t) =>
        html`<li><a href="${savedPath(o.connection, t.slug)}"${t.slug === o.tab ? html` aria-current="page"` : ""}>${t.label}</a></li>`,
    )}</ul></nav>
<h2>${savedTabs(o.connection).find((t) => t.slug === o.tab)?.label ?? ""}</h2>
${errorSummary(labelled(o.errors, o.labels))}
${o.body}`,
  });

const saveButton = (viewer: Viewer) =>
  viewer.role === "ADMIN"
    ? html`<p class="actions"><button type="submit" class="primary">Save</button> <a href="/console/connections">Cancel</a></p>`
    : html``;

export const savedGeneralBody = (o: {
  viewer: Viewer;
  connection: SpConnection;
  info: Parameters<typeof generalFields>[0];
  errors: FormErrors;
}): SafeHtml =>
  postForm(
    o.viewer,
    savedPath(o.connection, "general"),
    html`${generalFields(o.info, o.errors)}${saveButton(o.viewer)}`,
    {
      class: "card",
    },
  );

export const savedActivationBody = (o: {
  viewer: Viewer;
  connection: SpConnection;
  certificateHref: string | undefined;
  active: boolean;
}): SafeHtml =>
  html`${ssoEndpointBlock(o.connection.spBrowserSso?.ssoApplicationEndpoint, o.certificateHref)}
<h3>Summary</h3>
${connectionSummary(o.connection, (tab) =>
  savedTabs(o.connection).some((t) => t.slug === tab) ? savedPath(o.connection, tab) : undefined,
)}
${postForm(
  o.viewer,
  savedPath(o.connection, "activation"),
  html`${statusFieldset(o.active)}${saveButton(o.viewer)}`,
  {
    class: "card",
  },
)}`;
