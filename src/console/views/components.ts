import { html, type SafeHtml } from "../../http/html.ts";
import { csrfField, type Viewer } from "./layout.ts";

/**
 * The pieces pages are made of. Every field has a label tied to it; an error is announced and
 * tied to its field with aria-describedby; a required field says so to assistive technology.
 */

export type FieldOptions = {
  readonly label: string;
  readonly name: string;
  readonly value?: string | undefined;
  readonly type?: "text" | "password" | "url" | "email" | "number" | "search" | "file" | undefined;
  readonly required?: boolean | undefined;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  readonly autocomplete?: string | undefined;
  readonly readonly?: boolean | undefined;
  readonly id?: string | undefined;
};

const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;

const describedBy = (id: string, o: { hint?: string | undefined; error?: string | undefined }) => {
  const ids = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids ? html` aria-describedby="${ids}"` : "";
};

const notes = (id: string, o: { hint?: string | undefined; error?: string | undefined }) =>
  html`${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ""}${
    o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : ""
  }`;

export const field = (o: FieldOptions): SafeHtml => {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.error ? " invalid" : ""}">
<label for="${id}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ""}</label>
<input id="${id}" name="${o.name}" type="${o.type ?? "text"}" value="${o.value ?? ""}"${o.required ? html` required aria-required="true"` : ""}${o.readonly ? html` readonly` : ""}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ""}${o.error ? html` aria-invalid="true"` : ""}${describedBy(id, o)}>
${notes(id, o)}
</div>`;
};

export const textarea = (o: Omit<FieldOptions, "type"> & { rows?: number }): SafeHtml => {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.error ? " invalid" : ""}">
<label for="${id}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ""}</label>
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 6}"${o.required ? html` required aria-required="true"` : ""}${o.error ? html` aria-invalid="true"` : ""}${describedBy(id, o)}>${o.value ?? ""}</textarea>
${notes(id, o)}
</div>`;
};

export const checkbox = (o: {
  label: string;
  name: string;
  checked: boolean;
  value?: string;
  hint?: string;
  id?: string;
}): SafeHtml => {
  const id = o.id ?? fieldId(`${o.name}-${o.value ?? "on"}`);
  return html`<div class="check">
<input type="checkbox" id="${id}" name="${o.name}" value="${o.value ?? "on"}"${o.checked ? html` checked` : ""}${describedBy(id, o)}>
<label for="${id}">${o.label}</label>
${notes(id, o)}
</div>`;
};

export const select = (o: {
  label: string;
  name: string;
  options: readonly { value: string; label: string }[];
  value?: string | undefined;
  hint?: string | undefined;
  error?: string | undefined;
  id?: string | undefined;
}): SafeHtml => {
  const id = o.id ?? fieldId(o.name);
  return html`<div class="field${o.error ? " invalid" : ""}">
<label for="${id}">${o.label}</label>
<select id="${id}" name="${o.name}"${describedBy(id, o)}>
${o.options.map((opt) => html`<option value="${opt.value}"${opt.value === o.value ? html` selected` : ""}>${opt.label}</option>`)}
</select>
${notes(id, o)}
</div>`;
};

/** A form that changes something: POST, with the session's form token. */
export const postForm = (
  viewer: Viewer,
  action: string,
  body: SafeHtml,
  options: { class?: string; confirm?: string; id?: string; enctype?: "multipart/form-data" } = {},
): SafeHtml =>
  html`<form method="post" action="${action}"${options.class ? html` class="${options.class}"` : ""}${options.id ? html` id="${options.id}"` : ""}${options.confirm ? html` data-confirm="${options.confirm}"` : ""}${options.enctype ? html` enctype="${options.enctype}"` : ""}>
${csrfField(viewer)}${body}
</form>`;

/** A one-button form (delete, run now…); hidden from auditors, who may not change anything. */
export const actionButton = (
  viewer: Viewer,
  action: string,
  label: string,
  options: {
    confirm?: string;
    danger?: boolean;
    hidden?: Readonly<Record<string, string>>;
    /** Keeps the focus on the button when htmx swaps the part of the page around it. */
    id?: string;
  } = {},
): SafeHtml =>
  viewer.role === "AUDITOR"
    ? html``
    : postForm(
        viewer,
        action,
        html`${Object.entries(options.hidden ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit"${options.id ? html` id="${options.id}"` : ""}${options.danger ? html` class="danger"` : ""}>${label}</button>`,
        { class: "inline", ...(options.confirm ? { confirm: options.confirm } : {}) },
      );

/**
 * A deletion asked on a page of its own (its list links here), so that it asks without script
 * too, where a `data-confirm` dialog would not: the question, the button that posts, and Cancel.
 */
export const confirmDeletion = (
  viewer: Viewer,
  o: { question: SafeHtml; action: string; button: string; cancel: string; also?: SafeHtml },
): SafeHtml =>
  html`<p>${o.question}</p>
${postForm(
  viewer,
  o.action,
  html`<p class="actions"><button type="submit" class="danger">${o.button}</button>
${o.also ?? ""} <a href="${o.cancel}">Cancel</a></p>`,
)}`;

/** Problems with what was sent, above a form: each names its field. */
export const errorSummary = (errors: readonly { field?: string | undefined; message: string }[]): SafeHtml =>
  errors.length === 0
    ? html``
    : html`<div class="alert" role="alert" tabindex="-1" id="errors"><p>Please fix the following:</p><ul>${errors.map(
        (e) => html`<li>${e.field ? html`<strong>${e.field}</strong>: ` : ""}${e.message}</li>`,
      )}</ul></div>`;

export type Column<T> = { readonly header: string; readonly cell: (row: T) => SafeHtml | string | number };

export const table = <T>(
  caption: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  empty: string,
): SafeHtml =>
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<div class="table-wrap"><table><caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c.header}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${c.cell(r)}</td>`)}</tr>`)}</tbody>
</table></div>`;

/** Previous / next links for a list paged on the server; `href` builds a page's address. */
export const pager = (o: {
  page: number;
  pageSize: number;
  total: number;
  href: (page: number) => string;
}): SafeHtml => {
  const pages = Math.max(1, Math.ceil(o.total / o.pageSize));
  if (pages <= 1) return html``;
  return html`<nav class="pager" aria-label="Pages">
${o.page > 1 ? html`<a href="${o.href(o.page - 1)}" rel="prev">Previous</a>` : ""}
<span>Page ${o.page} of ${pages}</span>
${o.page < pages ? html`<a href="${o.href(o.page + 1)}" rel="next">Next</a>` : ""}
</nav>`;
};

/** A status shown as a word and a colour, never the colour alone. */
export const statusBadge = (status: string): SafeHtml =>
  html`<span class="status status-${status.toLowerCase().replace(/[^a-z]/g, "")}">${status}</span>`;
