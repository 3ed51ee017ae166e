import { html, type SafeHtml } from "../../http/html.ts";
import type { ImportResult } from "../../services/directory/import.ts";
import type { GroupView, UserView } from "../../services/directory/views.ts";
import { actionButton, errorSummary, field, postForm, statusBadge, table } from "./components.ts";
import { type FormErrors, summaryOf } from "./format.ts";
import { consolePage, type Viewer } from "./layout.ts";

export const directoryPageSize = 20;

export type GroupForm = { cn: string; description: string; errors: FormErrors };
/** What an import did, or why it did nothing (each problem names its line and column). */
export type ImportReport =
  | { ok: true; result: ImportResult }
  | { ok: false; problems: readonly { field?: string | undefined; message: string }[] };

const first = (value: string | string[] | boolean | undefined) =>
  Array.isArray(value) ? (value[0] ?? "") : typeof value === "string" ? value : "";

const userHref = (uid: string) => `/console/directory/users/${encodeURIComponent(uid)}`;

/** The create form: outside /console/directory/users/, where every name is a uid. */
export const newUserHref = "/console/directory/new-user";

const listHref = (q: string, after?: string) => {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (after) params.set("after", after);
  const text = params.toString();
  return `/console/directory${text ? `?${text}` : ""}`;
};

const importReport = (report: ImportReport): SafeHtml =>
  report.ok
    ? html`<div class="notice" role="status" id="import-report"><p><strong>Imported ${report.result.imported} user${report.result.imported === 1 ? "" : "s"}</strong>${report.result.users.length > 0 ? html`: ${report.result.users.join(", ")}` : ""}.</p>
${report.result.groupsCreated.length > 0 ? html`<p>Groups created: ${report.result.groupsCreated.join(", ")}.</p>` : ""}</div>`
    : html`<div class="alert" role="alert" id="import-report"><p><strong>Nothing was imported</strong> (all or nothing): fix the file and upload it again.</p>
<ul>${report.problems.map((p) => html`<li>${p.field ? html`<strong>${p.field}</strong>: ` : ""}${p.message}</li>`)}</ul></div>`;

/** The built-in directory: users (searched and paged on the server), groups, and CSV import. */
export const directoryPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  q: string;
  after: string | undefined;
  users: readonly UserView[];
  next: string | undefined;
  groups: readonly GroupView[];
  groupForm?: GroupForm | undefined;
  report?: ImportReport | undefined;
}): string => {
  const isAdmin = o.viewer.role === "ADMIN";
  const groupForm = o.groupForm ?? { cn: "", description: "", errors: {} };
  return consolePage({
    title: "Directory",
    viewer: o.viewer,
    section: "/console/directory",
    notice: o.notice,
    body: html`${o.report ? importReport(o.report) : ""}
<h2>Users</h2>
<form method="get" action="/console/directory" class="toolbar" role="search" aria-label="Search users">
<div class="field"><label for="q">Search by uid, name or email</label>
<input id="q" name="q" type="search" value="${o.q}"></div>
<button type="submit">Search</button>
</form>
${isAdmin ? html`<p class="actions"><a class="button primary" href="${newUserHref}">Create user</a></p>` : ""}
${table(
  o.after ? `Users after "${o.after}"` : `Users${o.q ? ` matching "${o.q}"` : ""}`,
  [
    { header: "User ID", cell: (u) => html`<a href="${userHref(u.uid)}">${u.uid}</a>` },
    {
      header: "Name",
      cell: (u) => first(u.cn) || [first(u.givenName), first(u.sn)].filter(Boolean).join(" "),
    },
    { header: "Email", cell: (u) => first(u.mail) },
    { header: "Groups", cell: (u) => u.groups.join(", ") },
    { header: "Status", cell: (u) => statusBadge(u.enabled ? "Enabled" : "Disabled") },
  ],
  o.users,
  o.q ? "No user matches." : "No user yet.",
)}
<nav class="pager" aria-label="User pages">
${o.after ? html`<a href="${listHref(o.q)}">First page</a>` : ""}
${o.next ? html`<a href="${listHref(o.q, o.next)}" rel="next">Next</a>` : ""}
</nav>
<h2>Groups</h2>
${table(
  `${o.groups.length} group${o.groups.length === 1 ? "" : "s"}`,
  [
    { header: "Group", cell: (g) => g.cn },
    { header: "Description", cell: (g) => g.description ?? "" },
    { header: "Members", cell: (g) => String(g.members.length) },
    {
      header: "Actions",
      cell: (g) =>
        isAdmin
          ? actionButton(o.viewer, `/console/directory/groups/${encodeURIComponent(g.cn)}/delete`, "Delete", {
              danger: true,
              confirm: `Delete the group "${g.cn}"? Its members stay in the directory.`,
            })
          : "—",
    },
  ],
  o.groups,
  "No group yet.",
)}
${
  isAdmin
    ? html`<h3>Create a group</h3>
${postForm(
  o.viewer,
  "/console/directory/groups",
  html`${errorSummary(summaryOf(groupForm.errors, { cn: "Group name (cn)", description: "Description" }))}
${field({ label: "Group name (cn)", name: "cn", value: groupForm.cn, required: true, error: groupForm.errors.cn })}
${field({ label: "Description", name: "description", value: groupForm.description, error: groupForm.errors.description })}
<button type="submit" class="primary">Create group</button>`,
  { class: "card", id: "create-group" },
)}
<h2>Import users from CSV</h2>
${postForm(
  o.viewer,
  "/console/directory/import",
  html`<p class="hint">A header row names the columns: <code>uid</code> (required), <code>password</code>, <code>enabled</code> (true/false), <code>groups</code> and any attribute (<code>mail</code>, <code>givenName</code>, <code>sn</code>…); several values separated by <code>;</code>. All or nothing: only new users; groups named that do not exist are created.</p>
${field({ label: "CSV file", name: "file", type: "file", required: true, id: "f-csv" })}
<button type="submit" class="primary">Import</button>`,
  { class: "card", id: "import-csv", enctype: "multipart/form-data" },
)}`
    : ""
}`,
  });
};
