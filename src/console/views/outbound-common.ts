import { html, type SafeHtml } from "../../http/html.ts";

/**
 * What the Outbound Provisioning pages share: the connection they belong to, their addresses,
 * and the bar of their two sub-tabs (PingFederate's Target and Manage Channels).
 */

export type OutboundConnection = { readonly id: string; readonly name: string; readonly active: boolean };

export const outboundBase = (connectionId: string): string =>
  `/console/connections/${encodeURIComponent(connectionId)}/provisioning`;

export const channelBase = (connectionId: string, channel: string): string =>
  `${outboundBase(connectionId)}/channels/${encodeURIComponent(channel)}`;

export const outboundTitle = (connection: OutboundConnection, page: string): string =>
  `${page} · ${connection.name}`;

export const outboundTabs = (connection: OutboundConnection, current: "target" | "channels"): SafeHtml => {
  const base = outboundBase(connection.id);
  const tab = (href: string, label: string, here: boolean) =>
    html`<li><a href="${href}"${here ? html` aria-current="page"` : ""}>${label}</a></li>`;
  return html`<p class="muted">Outbound Provisioning of the connection
<a href="/console/connections/${encodeURIComponent(connection.id)}">${connection.name}</a>
${connection.active ? "" : html` <span class="badge">connection inactive: channels run once it is active</span>`}</p>
<nav aria-label="Outbound Provisioning"><ul class="tabs">
${tab(base, "Target", current === "target")}
${tab(`${base}/channels`, "Manage Channels", current === "channels")}
</ul></nav>`;
};

/** A problem as the services name it (`outboundProvision.channels[0].attributeMapping: …`). */
export type Problem = { readonly field?: string | undefined; readonly message: string };

/** The outcome of a check run on the page (Test connection, an expression test). */
export type CheckOutcome<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly code: string; readonly message: string };

export const failureBox = (title: string, failure: { code: string; message: string }): SafeHtml =>
  html`<div class="alert" role="alert"><p><strong>${title}</strong></p><p>${failure.message}</p>
<p class="muted">Code <code>${failure.code}</code></p></div>`;
