import type { SpConnection } from "../../domain/sp-connection.ts";
import { html } from "../../http/html.ts";
import { pager, select, statusBadge, table } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";

export type ConnectionListQuery = {
  readonly q: string;
  readonly status: "all" | "active" | "inactive";
  readonly page: number;
};

export const connectionsPageSize = 20;

const listHref = (query: ConnectionListQuery, page: number) => {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.status !== "all") params.set("status", query.status);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `/console/connections${text ? `?${text}` : ""}`;
};

const kind = (c: SpConnection) =>
  [c.spBrowserSso ? "Browser SSO" : "", c.outboundProvision ? "Outbound Provisioning" : ""]
    .filter(Boolean)
    .join(", ") || "—";

/** The SP connection list: search by name or entity ID, a status filter, 20 to a page. */
export const connectionsPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  query: ConnectionListQuery;
  total: number;
  rows: readonly SpConnection[];
}): string =>
  consolePage({
    title: "SP Connections",
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`<form method="get" action="/console/connections" class="toolbar" role="search">
<div class="field"><label for="q">Search by name or entity ID</label>
<input id="q" name="q" type="search" value="${o.query.q}"></div>
${select({
  label: "Status",
  name: "status",
  value: o.query.status,
  options: [
    { value: "all", label: "All" },
    { value: "active", label: "Active" },
    { value: "inactive", label: "Inactive" },
  ],
})}
<button type="submit">Search</button>
</form>
${
  o.viewer.role === "ADMIN"
    ? html`<p class="actions"><a class="button primary" href="/console/connections/new">Create Connection</a>
<a class="button" href="/console/connections/import">Import</a></p>`
    : ""
}
${table(
  `${o.total} connection${o.total === 1 ? "" : "s"}`,
  [
    {
      header: "Connection Name",
      cell: (c) => html`<a href="/console/connections/${encodeURIComponent(c.id ?? "")}">${c.name}</a>`,
    },
    { header: "Entity ID", cell: (c) => html`<code>${c.entityId}</code>` },
    { header: "Type", cell: kind },
    { header: "Status", cell: (c) => statusBadge(c.active ? "Active" : "Inactive") },
    {
      header: "Actions",
      cell: (c) => {
        const base = `/console/connections/${encodeURIComponent(c.id ?? "")}`;
        // Delete asks on a page of its own, so that it asks without script too.
        return html`<a href="${base}/export" aria-label="Export ${c.name}">Export</a> · <a href="${base}/provisioning" aria-label="Provisioning of ${c.name}">Provisioning</a>${
          o.viewer.role === "ADMIN"
            ? html` · <a href="${base}/copy" aria-label="Copy ${c.name}">Copy</a>${
                c.active ? "" : html` · <a href="${base}/delete" aria-label="Delete ${c.name}">Delete</a>`
              }`
            : ""
        }`;
      },
    },
  ],
  o.rows,
  o.query.q || o.query.status !== "all" ? "No connection matches." : "No SP connection yet.",
)}
${pager({ page: o.query.page, pageSize: connectionsPageSize, total: o.total, href: (p) => listHref(o.query, p) })}`,
  });
