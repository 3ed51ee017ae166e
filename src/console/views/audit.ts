import type { StoredAuditEvent } from "../../domain/ports.ts";
import { html } from "../../http/html.ts";
import { errorSummary, field, pager, select, statusBadge, table } from "./components.ts";
import { type FormErrors, summaryOf, when } from "./format.ts";
import { consolePage, type Viewer } from "./layout.ts";

/** The filter as typed in the form (and kept in the address, so a page can be bookmarked). */
export type AuditQuery = {
  readonly actor: string;
  readonly action: string;
  readonly resourceType: string;
  readonly outcome: "" | "SUCCESS" | "FAILURE";
  readonly from: string;
  readonly to: string;
  readonly page: number;
};

export const auditPageSize = 50;

const labels = {
  actor: "Actor",
  action: "Action",
  resourceType: "Resource type",
  outcome: "Outcome",
  from: "From (UTC)",
  to: "To (UTC)",
};

export const auditHref = (query: AuditQuery, page: number): string => {
  const params = new URLSearchParams();
  for (const key of ["actor", "action", "resourceType", "outcome", "from", "to"] as const)
    if (query[key] !== "") params.set(key, query[key]);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return `/console/audit${text ? `?${text}` : ""}`;
};

const detailText = (event: StoredAuditEvent) => {
  if (event.detail === null) return "";
  const text = JSON.stringify(event.detail);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
};

/** The audit log: who changed what, when; filtered and paged on the server. */
export const auditPage = (o: {
  viewer: Viewer;
  query: AuditQuery;
  errors: FormErrors;
  events: readonly StoredAuditEvent[];
  total: number;
}): string => {
  const filtered = auditHref(o.query, 1) !== "/console/audit";
  return consolePage({
    title: "Audit Log",
    viewer: o.viewer,
    section: "/console/audit",
    body: html`<form method="get" action="/console/audit" class="toolbar filters" role="search" aria-label="Filter the audit log">
${errorSummary(summaryOf(o.errors, labels))}
${field({ label: labels.actor, name: "actor", value: o.query.actor, hint: "An account, or token:<name>." })}
${field({ label: labels.action, name: "action", value: o.query.action, hint: "For example signingKey.generate." })}
${field({ label: labels.resourceType, name: "resourceType", value: o.query.resourceType, hint: "For example spConnection." })}
${select({
  label: labels.outcome,
  name: "outcome",
  value: o.query.outcome,
  options: [
    { value: "", label: "Any" },
    { value: "SUCCESS", label: "Success" },
    { value: "FAILURE", label: "Failure" },
  ],
})}
<div class="field${o.errors.from ? " invalid" : ""}"><label for="f-from">${labels.from}</label>
<input id="f-from" name="from" type="datetime-local" value="${o.query.from}"${o.errors.from ? html` aria-invalid="true" aria-describedby="f-from-error"` : ""}>
${o.errors.from ? html`<p class="error" id="f-from-error">${o.errors.from}</p>` : ""}</div>
<div class="field${o.errors.to ? " invalid" : ""}"><label for="f-to">${labels.to}</label>
<input id="f-to" name="to" type="datetime-local" value="${o.query.to}"${o.errors.to ? html` aria-invalid="true" aria-describedby="f-to-error"` : ""}>
${o.errors.to ? html`<p class="error" id="f-to-error">${o.errors.to}</p>` : ""}</div>
<button type="submit">Filter</button>
${filtered ? html`<a href="/console/audit">Clear the filter</a>` : ""}
</form>
${
  Object.keys(o.errors).length > 0
    ? ""
    : html`${table(
        `${o.total} event${o.total === 1 ? "" : "s"}${filtered ? " match" : ""}, newest first`,
        [
          { header: "When", cell: (e) => when(e.at) },
          { header: "Actor", cell: (e) => e.actor },
          { header: "Action", cell: (e) => html`<code>${e.action}</code>` },
          {
            header: "Resource",
            cell: (e) => html`${e.resourceType}${e.resourceId ? html` <code>${e.resourceId}</code>` : ""}`,
          },
          { header: "Outcome", cell: (e) => statusBadge(e.outcome === "SUCCESS" ? "Success" : "Failure") },
          { header: "Detail", cell: (e) => html`<code class="detail">${detailText(e)}</code>` },
        ],
        o.events,
        filtered ? "No event matches the filter." : "No event yet.",
      )}
${pager({ page: o.query.page, pageSize: auditPageSize, total: o.total, href: (p) => auditHref(o.query, p) })}`
}`,
  });
};
