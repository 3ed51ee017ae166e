import { html, type SafeHtml } from "../../http/html.ts";
import type { ChannelStatusView } from "../../services/provisioning/channels.ts";
import type { FailedUser } from "../../services/provisioning/failed-users.ts";
import { actionButton, statusBadge, table } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";

/**
 * The provisioning dashboard: every channel of every connection, where it stands and what an
 * admin can do with it. A channel's status is one fragment the page asks for again every two
 * seconds (htmx), so a cycle's state and counts change in front of the admin; without script the
 * page shows the same on reload. The buttons sit outside the fragment, so a poll never takes a
 * half-typed field or the focus away (the one inside, Confirm, keeps its id across polls).
 */

export type ChannelPanel = {
  readonly status: ChannelStatusView;
  readonly failed: { readonly items: readonly FailedUser[]; readonly total: number };
};

export const channelBase = (s: { connectionId: string; channelName: string }) =>
  `/console/provisioning/${encodeURIComponent(s.connectionId)}/${encodeURIComponent(s.channelName)}`;

/** An id for the channel's elements, the same on every poll. */
export const slug = (s: { connectionId: string; channelName: string }) =>
  `ch-${Buffer.from(`${s.connectionId}\u0000${s.channelName}`, "utf8").toString("base64url")}`;

/** A stored timestamp as a person reads it, in UTC like the rest of the console. */
export const when = (iso: string | null | undefined, none = "—"): SafeHtml | string =>
  iso ? html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>` : none;

const countsText = (counts: Readonly<Record<string, number>>) => {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${type} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "no changes";
};

/** RUNNING while a cycle runs on this node, whatever the store said before it started. */
const stateOf = (s: ChannelStatusView) =>
  s.running ? "RUNNING" : s.state === "NEVER_RUN" ? "NEVER RUN" : s.state;

const lastCycle = (s: ChannelStatusView) => {
  const cycle = s.lastCycle;
  if (!cycle) return html`<span class="muted">none yet</span>`;
  return html`${when(cycle.endedAt)} (${cycle.kind}): ${countsText(cycle.counts)}${
    cycle.failures > 0
      ? html`; <strong class="error-text">${cycle.failures} refused by Salesforce</strong>`
      : ""
  }${cycle.message ? html`<br><span class="muted">${cycle.message}</span>` : ""}`;
};

const nextCycle = (s: ChannelStatusView) =>
  s.nextCycleAt
    ? when(s.nextCycleAt)
    : s.active
      ? html`<span class="muted">not scheduled on this node</span>`
      : html`<span class="muted">none: the channel or its connection is inactive</span>`;

const userStatuses = ["ACTIVE", "INACTIVE", "FROZEN", "PENDING", "FAILED"] as const;

const failedTable = (failed: ChannelPanel["failed"]) =>
  failed.total === 0
    ? html``
    : html`${table(
        `Users Salesforce refused (${failed.total})`,
        [
          { header: "User", cell: (f: FailedUser) => html`<code>${f.sourceId}</code>` },
          { header: "Username", cell: (f) => f.name },
          {
            header: "Salesforce's message",
            cell: (f) =>
              html`${f.message ?? "—"}${f.code ? html`<br><span class="muted">${f.code}</span>` : ""}`,
          },
          { header: "Attempts", cell: (f) => f.attempts },
          { header: "Last tried", cell: (f) => when(f.updatedAt) },
        ],
        failed.items,
        "",
      )}${
        failed.total > failed.items.length
          ? html`<p class="muted">${failed.total - failed.items.length} more are not listed here; the provisioning events have every failure.</p>`
          : ""
      }`;

/** The part of a channel that changes on its own: polled, and swapped whole. */
export const channelStatusFragment = (
  viewer: Viewer,
  panel: ChannelPanel,
  options: { onChannelPage: boolean },
): SafeHtml => {
  const s = panel.status;
  const id = slug(s);
  const state = stateOf(s);
  const from = options.onChannelPage ? { from: "channel" } : {};
  return html`<div class="channel-status" id="${id}-status" hx-get="${channelBase(s)}/status${options.onChannelPage ? "?from=channel" : ""}" hx-trigger="every 2s" hx-swap="outerHTML">
<p class="state-line"><span class="label">State</span> ${statusBadge(state)}${
    s.active ? "" : html` <span class="badge">inactive</span>`
  }${s.stateReason && !s.running ? html` <span class="reason">${s.stateReason}</span>` : ""}</p>
${
  s.progress
    ? html`<p class="progress">Running since ${when(s.progress.startedAt)}: ${countsText(s.progress.counts)} so far.</p>`
    : ""
}
${
  s.lastError
    ? html`<div class="alert"><p>The last run failed at ${when(s.lastError.at)}: ${s.lastError.message}</p><p class="muted">Code <code>${s.lastError.code}</code></p></div>`
    : ""
}
<dl class="summary">
<dt>Last cycle</dt><dd>${lastCycle(s)}</dd>
<dt>Next cycle</dt><dd>${nextCycle(s)}</dd>
<dt>Last full pass</dt><dd>${when(s.lastFullPassAt, "never")}</dd>
</dl>
<h3 class="counts-title" id="${id}-users">Users by status</h3>
<dl class="counts" aria-labelledby="${id}-users">${userStatuses.map(
    (status) =>
      html`<div><dt>${status[0]}${status.slice(1).toLowerCase()}</dt><dd>${s.users[status] ?? 0}</dd></div>`,
  )}</dl>
${failedTable(panel.failed)}
${
  s.state === "HELD" && !s.running
    ? html`<div class="actions">${actionButton(viewer, `${channelBase(s)}/confirm`, "Confirm held cycle", {
        danger: true,
        confirm: `Let the held deactivations of "${s.channelName}" through? Salesforce deactivates those users now.`,
        id: `${id}-confirm`,
        hidden: from,
      })}</div>`
    : ""
}
</div>`;
};

/** Run, full pass, retry and reset: hidden from auditors, whom the server refuses anyway. */
export const channelActions = (viewer: Viewer, s: ChannelStatusView, options: { onChannelPage: boolean }) => {
  const base = channelBase(s);
  const from = options.onChannelPage ? { from: "channel" } : {};
  return html`<div class="actions">
${actionButton(viewer, `${base}/run`, "Run now", { hidden: from })}
${actionButton(viewer, `${base}/run`, "Run a full pass", { hidden: { ...from, full: "true" } })}
${actionButton(viewer, `${base}/retry`, "Retry failed users", { hidden: from })}
${actionButton(viewer, `${base}/reset`, "Reset", {
  hidden: from,
  danger: true,
  confirm: `Reset the channel "${s.channelName}"? Portico forgets its watermark and what it pushed; the next cycle finds the Salesforce users again by Username.`,
})}
${options.onChannelPage ? "" : html`<a href="${base}">Preview, or provision one user</a>`}
</div>`;
};

export const channelHeading = (s: ChannelStatusView) => `${s.connectionName} · ${s.channelName}`;

/** One channel on the dashboard. */
const channelCard = (viewer: Viewer, panel: ChannelPanel) => {
  const s = panel.status;
  const id = slug(s);
  return html`<section class="card channel" aria-labelledby="${id}-title">
<h2 id="${id}-title"><a href="${channelBase(s)}">${channelHeading(s)}</a></h2>
${channelStatusFragment(viewer, panel, { onChannelPage: false })}
${channelActions(viewer, s, { onChannelPage: false })}
</section>`;
};

export const provisioningPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  panels: readonly ChannelPanel[];
}): string =>
  consolePage({
    title: "Provisioning",
    viewer: o.viewer,
    section: "/console/provisioning",
    notice: o.notice,
    body:
      o.panels.length === 0
        ? html`<p class="empty">No connection provisions Salesforce yet. Add a channel under a connection's Outbound Provisioning tab.</p>`
        : html`<p class="muted">Every channel of every connection. States and counts update by themselves while this page is open.</p>
${o.panels.map((p) => channelCard(o.viewer, p))}`,
  });
