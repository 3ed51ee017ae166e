import type { AttributeMapping } from "../../domain/channel.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import type { FieldReport } from "../../services/provisioning/field-report.ts";
import { errorSummary, postForm, statusBadge, table } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";
import {
  channelBase,
  failureBox,
  type OutboundConnection,
  outboundTabs,
  outboundTitle,
  type Problem,
} from "./outbound-common.ts";

/**
 * A channel's Attribute Mapping (spec §3.8): Salesforce's fields with the required ones marked,
 * what each is mapped to, Refresh Fields, View Partner Field Specifications, and the channel's
 * activation, refused with the exact fields Salesforce requires and the mapping lacks.
 */

export type FieldSpecView = FieldReport["fields"]["User"][number];

export type MappingRow = {
  /** The mapping's field name: `LastName`, `Contact.Email`, `PermissionSets`. */
  readonly name: string;
  readonly spec?: FieldSpecView | undefined;
  readonly mapping?: AttributeMapping | undefined;
};

/** Salesforce's fields (User, then Contact's as `Contact.<name>`), then mapped ones it lacks. */
export const mappingRows = (
  report: Pick<FieldReport, "fields"> | undefined,
  mapping: readonly AttributeMapping[],
): MappingRow[] => {
  const byName = new Map(mapping.map((m) => [m.fieldName.toLowerCase(), m]));
  const rows: MappingRow[] = [
    ...(report?.fields.User ?? []).map((spec) => ({ name: spec.name, spec })),
    ...(report?.fields.Contact ?? []).map((spec) => ({ name: `Contact.${spec.name}`, spec })),
  ];
  const listed = new Set(rows.map((r) => r.name.toLowerCase()));
  const extra = ["PermissionSets", ...(report?.fields.Contact ? ["AccountId"] : [])];
  for (const name of [...extra, ...mapping.map((m) => m.fieldName)])
    if (!listed.has(name.toLowerCase())) {
      listed.add(name.toLowerCase());
      rows.push({ name });
    }
  return rows.map((r) => ({ ...r, mapping: byName.get(r.name.toLowerCase()) }));
};

/** One mapping in a line: its attributes, default, expression and processing. */
export const mappingSummary = (m: AttributeMapping | undefined): SafeHtml | string => {
  if (m === undefined) return html`<span class="muted">Not mapped</span>`;
  const info = m.saasFieldInfo;
  const parts: SafeHtml[] = [];
  if (info.attributeNames?.length)
    parts.push(html`${info.attributeNames.map((a, i) => html`${i > 0 ? " or " : ""}<code>${a}</code>`)}`);
  if (info.expression) parts.push(html`expression <code>${info.expression}</code>`);
  if (info.defaultValue !== undefined) parts.push(html`default “${info.defaultValue}”`);
  const flags = [
    info.createOnly ? "create only" : "",
    info.trim ? "trim" : "",
    info.masked ? "masked" : "",
    info.characterCase && info.characterCase !== "NONE" ? info.characterCase.toLowerCase() : "",
    info.parser && info.parser !== "NONE" ? info.parser.toLowerCase().replace(/_/g, " ") : "",
  ].filter(Boolean);
  return html`${parts.map((p, i) => html`${i > 0 ? "; " : ""}${p}`)}${flags.length ? html` <span class="muted">(${flags.join(", ")})</span>` : ""}`;
};

export const requiredMark = (required: boolean | undefined): SafeHtml =>
  required
    ? html` <span class="req" title="required by Salesforce">*</span><span class="visually-hidden"> (required)</span>`
    : html``;

export type MappingPageData = {
  readonly viewer: Viewer;
  readonly connection: OutboundConnection;
  readonly channel: {
    readonly name: string;
    readonly active: boolean;
    readonly mapping: readonly AttributeMapping[];
  };
  readonly report?: FieldReport | undefined;
  /** Why Salesforce's fields are not shown (never fetched, the target cannot be read). */
  readonly reportProblem?: { readonly code: string; readonly message: string } | undefined;
  readonly notice?: string | undefined;
  /** A refused activation or refresh. */
  readonly errors?: readonly Problem[] | undefined;
  readonly refreshFailure?: { readonly code: string; readonly message: string } | undefined;
};

export const mappingPage = (o: MappingPageData): string => {
  const base = channelBase(o.connection.id, o.channel.name);
  const isAdmin = o.viewer.role === "ADMIN";
  const rows = mappingRows(o.report, o.channel.mapping);
  const pending = o.report?.channels.find((c) => c.name === o.channel.name)?.problems ?? [];
  return consolePage({
    title: outboundTitle(o.connection, `Attribute Mapping of ${o.channel.name}`),
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`${outboundTabs(o.connection, "channels")}
<p class="actions"><a href="${base}">Channel settings</a> <span aria-hidden="true">·</span> <a href="${base}/fields">View Partner Field Specifications</a></p>
${o.refreshFailure ? failureBox("Refresh Fields failed", o.refreshFailure) : ""}
${o.errors && o.errors.length > 0 ? html`<h2>Activation refused</h2>${errorSummary(o.errors)}` : ""}
<section class="card" aria-labelledby="activation-h"><h2 id="activation-h">Channel Status</h2>
<p>This channel is ${statusBadge(o.channel.active ? "Active" : "Inactive")}.${o.connection.active ? "" : " It runs only once the connection is active too."}</p>
${
  pending.length > 0
    ? html`<div class="warning" role="note"><p>Before this channel can be active:</p><ul>${pending.map((p) => html`<li>${p.message}</li>`)}</ul></div>`
    : ""
}
${
  isAdmin
    ? postForm(
        o.viewer,
        `${base}/activation`,
        html`<fieldset class="inline-choice"><legend>Channel Status</legend>
<label><input type="radio" name="status" value="active"${o.channel.active ? html` checked` : ""}> Active</label>
<label><input type="radio" name="status" value="inactive"${o.channel.active ? "" : html` checked`}> Inactive</label>
</fieldset><button type="submit" class="primary">Save status</button>`,
      )
    : ""
}
</section>
${
  o.report
    ? html`<p class="muted">Salesforce's fields as read ${o.report.fetchedAt}. Fields marked * are required by Salesforce; custom fields come last.</p>`
    : o.reportProblem
      ? html`<div class="warning" role="note"><p>${o.reportProblem.message}</p><p class="muted">Code <code>${o.reportProblem.code}</code></p></div>`
      : ""
}
${isAdmin ? html`<div class="actions">${postForm(o.viewer, `${base}/mapping/refresh`, html`<button type="submit">Refresh Fields</button>`, { class: "inline" })}</div>` : ""}
${table(
  "Attribute Mapping",
  [
    {
      header: "Field Name",
      cell: (r) =>
        html`${r.spec?.label ?? r.name}${requiredMark(r.spec?.required)}<br><code class="muted">${r.name}</code>`,
    },
    { header: "Mapped to", cell: (r) => mappingSummary(r.mapping) },
    {
      header: "Action",
      cell: (r) =>
        html`<a href="${base}/mapping/${encodeURIComponent(r.name)}" aria-label="${isAdmin ? "Edit" : "View"} ${r.name}">${isAdmin ? "Edit" : "View"}</a>`,
    },
  ],
  rows,
  "No field mapped yet: Refresh Fields to list Salesforce's fields.",
)}`,
  });
};

const yes = (b: boolean) => (b ? "yes" : "no");

/** View Partner Field Specifications: each field's requirements as Salesforce reported them. */
export const fieldSpecsPage = (o: {
  viewer: Viewer;
  connection: OutboundConnection;
  channel: string;
  report?: FieldReport | undefined;
  problem?: { code: string; message: string } | undefined;
}): string => {
  const base = channelBase(o.connection.id, o.channel);
  const objects: [string, readonly FieldSpecView[]][] = o.report
    ? [
        ["User", o.report.fields.User],
        ...(o.report.fields.Contact
          ? ([["Contact", o.report.fields.Contact]] as [string, readonly FieldSpecView[]][])
          : []),
      ]
    : [];
  return consolePage({
    title: outboundTitle(o.connection, "Partner Field Specifications"),
    viewer: o.viewer,
    section: "/console/connections",
    body: html`${outboundTabs(o.connection, "channels")}
<p class="actions"><a href="${base}/mapping">Back to the Attribute Mapping of ${o.channel}</a></p>
${o.problem ? failureBox("Salesforce's fields are not known", o.problem) : html`<p class="muted">As read ${o.report?.fetchedAt ?? ""}.</p>`}
${objects.map(([object, specs]) =>
  table(
    `${object} fields`,
    [
      { header: "Field", cell: (f) => html`${f.label}${requiredMark(f.required)}<br><code>${f.name}</code>` },
      { header: "Type", cell: (f) => `${f.type}${f.length > 0 ? ` (${f.length})` : ""}` },
      { header: "Required", cell: (f) => yes(f.required) },
      { header: "Createable", cell: (f) => yes(f.createable) },
      { header: "Updateable", cell: (f) => yes(f.updateable) },
      { header: "Custom", cell: (f) => yes(f.custom) },
      {
        header: "Values",
        cell: (f) =>
          f.picklistValues
            ? `${f.picklistValues.slice(0, 12).join(", ")}${f.picklistValues.length > 12 ? ` … (${f.picklistValues.length})` : ""}`
            : "",
      },
    ],
    specs,
    "No field.",
  ),
)}`,
  });
};
