import { html, type SafeHtml } from "../../http/html.ts";
import type { previewChannel } from "../../services/provisioning/channels.ts";
import { checkbox, errorSummary, field, postForm, table } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";
import {
  type ChannelPanel,
  channelActions,
  channelBase,
  channelHeading,
  channelStatusFragment,
} from "./provisioning.ts";

/**
 * One channel: its live status and actions, and the two things done by user: a preview of the
 * next cycle (or of one user) field by field, writing nothing, and provisioning one user now,
 * step by step. Their results are shown below the forms on the same page.
 */

export type PreviewResult = Awaited<ReturnType<typeof previewChannel>>;
export type UserStep = { readonly step: string; readonly detail: Readonly<Record<string, unknown>> };

export type ChannelResult =
  | { readonly kind: "preview"; readonly preview: PreviewResult }
  | { readonly kind: "provision"; readonly user: string; readonly steps: readonly UserStep[] };

export type ChannelForms = {
  readonly previewUser?: string | undefined;
  readonly previewFull?: boolean | undefined;
  readonly provisionUser?: string | undefined;
  readonly provisionError?: string | undefined;
};

/** Any JSON-like detail of a step, as nested lists a person can read. */
const detail = (value: unknown): SafeHtml | string => {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "none";
    if (value.every((v) => typeof v !== "object" || v === null))
      return value.map((v) => String(v)).join(", ");
    return html`<ol class="plain">${value.map((v) => html`<li>${detail(v)}</li>`)}</ol>`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "—";
  return html`<dl class="detail">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${detail(v)}</dd>`)}</dl>`;
};

type FieldTrace = {
  field?: unknown;
  from?: unknown;
  sources?: { attribute: string; values: string[] }[];
  expression?: unknown;
  value?: unknown;
  error?: { message?: unknown };
};

const isTraceList = (value: unknown): value is FieldTrace[] =>
  Array.isArray(value) && value.every((v) => typeof v === "object" && v !== null && "field" in v);

const traceTable = (fields: readonly FieldTrace[]) =>
  table(
    "The mapping, field by field",
    [
      { header: "Salesforce field", cell: (f: FieldTrace) => html`<code>${String(f.field)}</code>` },
      {
        header: "From the directory",
        cell: (f) =>
          html`${(f.sources ?? []).map((s) => html`<div><code>${s.attribute}</code> = ${detail(s.values)}</div>`)}${
            typeof f.expression === "string"
              ? html`<div class="muted">expression <code>${f.expression}</code></div>`
              : ""
          }<div class="muted">(${String(f.from)})</div>`,
      },
      {
        header: "Value sent",
        cell: (f) =>
          html`${detail(f.value)}${f.error ? html`<p class="error">${String(f.error.message)}</p>` : ""}`,
      },
    ],
    fields,
    "The mapping has no fields.",
  );

const stepNames: Record<string, string> = {
  read: "Read from the directory",
  trace: "Mapping",
  map: "What the mapping makes of the user",
  match: "Match in Salesforce",
  plan: "The plan",
  apply: "Sent to Salesforce",
  record: "Recorded",
};

const steps = (list: readonly UserStep[]) =>
  html`<ol class="steps">${list.map(
    (s) =>
      html`<li><h3>${stepNames[s.step] ?? s.step}</h3>${
        s.step === "trace" && isTraceList(s.detail.fields) ? traceTable(s.detail.fields) : detail(s.detail)
      }</li>`,
  )}</ol>`;

const operation = (op: Record<string, unknown>) => {
  const { type, sourceId, username, ...rest } = op;
  return { type: String(type), sourceId: String(sourceId ?? ""), username, rest };
};

const planView = (preview: Exclude<PreviewResult, { kind: "user" }>) => {
  const ops = preview.operations.map(operation);
  return html`<p>A${preview.kind === "full" ? " full pass" : "n incremental cycle"} would make ${preview.total} change${preview.total === 1 ? "" : "s"}${
    preview.total > 0
      ? html` (${Object.entries(preview.counts)
          .map(([t, n]) => `${t} ${n}`)
          .join(", ")})`
      : ""
  }, with ${preview.apiCalls} read-only call${preview.apiCalls === 1 ? "" : "s"} to Salesforce. Nothing was written.</p>
${preview.held > 0 ? html`<p class="alert">${preview.held} deactivation${preview.held === 1 ? "" : "s"} would be held until confirmed.</p>` : ""}
${table(
  ops.length < preview.total
    ? `The first ${ops.length} of ${preview.total} operations`
    : "Operations, field by field",
  [
    { header: "Operation", cell: (o: ReturnType<typeof operation>) => o.type },
    { header: "User", cell: (o) => html`<code>${o.sourceId}</code>` },
    { header: "Username", cell: (o) => detail(o.username) },
    { header: "Fields", cell: (o) => detail(o.rest.fields ?? o.rest) },
  ],
  ops,
  "Nothing to do: Salesforce already matches the directory.",
)}`;
};

const resultView = (result: ChannelResult) =>
  result.kind === "provision"
    ? html`<section class="card result" aria-labelledby="result-title"><h2 id="result-title" tabindex="-1">Provisioned ${result.user}</h2>${steps(result.steps)}</section>`
    : html`<section class="card result" aria-labelledby="result-title"><h2 id="result-title" tabindex="-1">Preview</h2>${
        result.preview.kind === "user" ? steps(result.preview.steps) : planView(result.preview)
      }</section>`;

const forms = (viewer: Viewer, panel: ChannelPanel, f: ChannelForms) => {
  if (viewer.role === "AUDITOR")
    return html`<p class="muted">Auditor accounts can look, but not preview or provision (both use the channel's Salesforce credentials).</p>`;
  const base = channelBase(panel.status);
  return html`<div class="columns">
${postForm(
  viewer,
  `${base}/preview`,
  html`<h2>Preview</h2>
<p class="hint">The next cycle's plan, field by field; nothing is written to Salesforce.</p>
${field({ label: "Only this user (uid)", name: "user", value: f.previewUser, hint: "Leave empty for the whole cycle.", id: "preview-user" })}
${checkbox({ label: "As a full pass", name: "full", value: "true", checked: f.previewFull === true, id: "preview-full" })}
<button type="submit" class="primary">Preview</button>`,
  { class: "card" },
)}
${postForm(
  viewer,
  `${base}/provision-user`,
  html`<h2>Provision one user</h2>
<p class="hint">Now, whatever the schedule, showing each step.</p>
${field({ label: "User (uid)", name: "user", value: f.provisionUser, required: true, error: f.provisionError, id: "provision-user" })}
<button type="submit" class="primary">Provision</button>`,
  { class: "card" },
)}
</div>`;
};

export const channelPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  panel: ChannelPanel;
  forms?: ChannelForms;
  result?: ChannelResult | undefined;
  errors?: readonly { field?: string | undefined; message: string }[];
}): string =>
  consolePage({
    title: channelHeading(o.panel.status),
    viewer: o.viewer,
    section: "/console/provisioning",
    notice: o.notice,
    body: html`<p><a href="/console/provisioning">All channels</a></p>
${errorSummary(o.errors ?? [])}
<section class="card channel" aria-label="Status">
${channelStatusFragment(o.viewer, o.panel, { onChannelPage: true })}
${channelActions(o.viewer, o.panel.status, { onChannelPage: true })}
</section>
${forms(o.viewer, o.panel, o.forms ?? {})}
${o.result ? resultView(o.result) : ""}`,
  });
