import type { SpConnection } from "../../domain/sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { confirmDeletion, errorSummary, field, postForm, textarea } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";

/** Problems with a form, each naming its field (the form's own name for it when it has one). */
export type FormErrors = readonly { field?: string | undefined; message: string }[];

/** The messages for one field, joined, or undefined when it has none. */
export const errorFor = (errors: FormErrors, name: string): string | undefined =>
  errors
    .filter((e) => e.field === name)
    .map((e) => e.message)
    .join("; ") || undefined;

/** The summary above a form names fields by their labels; details from the services keep their paths. */
export const labelled = (errors: FormErrors, labels: Readonly<Record<string, string>>): FormErrors =>
  errors.map((e) => ({ ...e, field: e.field === undefined ? undefined : (labels[e.field] ?? e.field) }));

const connectionPath = (c: SpConnection) => `/console/connections/${encodeURIComponent(c.id ?? "")}`;

/** A file input with its label, hint and error, as `field` draws the others. */
export const fileField = (o: {
  label: string;
  name: string;
  accept: string;
  hint?: string;
  error?: string | undefined;
  required?: boolean;
}): SafeHtml => {
  const id = `f-${o.name}`;
  const described = [o.hint ? `${id}-hint` : "", o.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return html`<div class="field${o.error ? " invalid" : ""}">
<label for="${id}">${o.label}${o.required ? html` <span class="req" aria-hidden="true">*</span>` : ""}</label>
<input id="${id}" name="${o.name}" type="file" accept="${o.accept}"${o.required ? html` required aria-required="true"` : ""}${o.error ? html` aria-invalid="true"` : ""}${described ? html` aria-describedby="${described}"` : ""}>
${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ""}${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : ""}
</div>`;
};

/** Copy: a new entity ID and name; the copy is inactive and has no outbound provisioning. */
export const copyPage = (o: {
  viewer: Viewer;
  source: SpConnection;
  values: { entityId: string; name: string };
  errors: FormErrors;
}): string =>
  consolePage({
    title: "Copy Connection",
    viewer: o.viewer,
    section: "/console/connections",
    body: html`<p>Copying <strong>${o.source.name}</strong> (<code>${o.source.entityId}</code>). The copy is
<strong>inactive</strong> and has <strong>no outbound provisioning</strong>, as in PingFederate: its channels and
Salesforce credentials stay with the original.</p>
${errorSummary(labelled(o.errors, { entityId: "Partner's Entity ID", name: "Connection Name" }))}
${postForm(
  o.viewer,
  `${connectionPath(o.source)}/copy`,
  html`${field({
    label: "Partner's Entity ID (Connection ID)",
    name: "entityId",
    value: o.values.entityId,
    required: true,
    hint: "Each connection needs its own entity ID.",
    error: errorFor(o.errors, "entityId"),
  })}
${field({ label: "Connection Name", name: "name", value: o.values.name, required: true, error: errorFor(o.errors, "name") })}
<p class="actions"><button type="submit" class="primary">Copy</button> <a href="/console/connections">Cancel</a></p>`,
  { class: "card" },
)}`,
  });

/** Delete asks first, on a page of its own (so it asks without script too). */
export const deletePage = (o: { viewer: Viewer; connection: SpConnection }): string =>
  consolePage({
    title: "Delete Connection",
    viewer: o.viewer,
    section: "/console/connections",
    body: o.connection.active
      ? html`<div class="alert" role="alert"><p><strong>${o.connection.name}</strong> is active. Only an inactive
connection can be deleted: deactivate it on its Activation &amp; Summary tab first.</p></div>
<p><a href="/console/connections">Back to the connections</a></p>`
      : confirmDeletion(o.viewer, {
          question: html`Delete the connection <strong>${o.connection.name}</strong> (<code>${o.connection.entityId}</code>)?
Its browser SSO and its provisioning channels go with it. This cannot be undone; export it first to keep a copy.`,
          action: `${connectionPath(o.connection)}/delete`,
          button: "Delete connection",
          also: html`<a href="${connectionPath(o.connection)}/export">Export it first</a>`,
          cancel: "/console/connections",
        }),
  });

/** Import: a JSON file or pasted JSON, as the admin API's POST /idp/spConnections takes it. */
export const importPage = (o: { viewer: Viewer; errors: FormErrors }): string =>
  consolePage({
    title: "Import Connection",
    viewer: o.viewer,
    section: "/console/connections",
    body: html`<p>A connection document in the admin API's JSON shape: one exported here, or a PingFederate SP connection
(<code>GET /pf-admin-api/v1/idp/spConnections/{id}</code>). Parts Portico stores but does not serve are listed after
the import. A connection imported as active is checked as one.</p>
${errorSummary(labelled(o.errors, { file: "Connection file", document: "Pasted JSON" }))}
${postForm(
  o.viewer,
  "/console/connections/import",
  html`${fileField({
    label: "Connection file",
    name: "file",
    accept: ".json,application/json",
    hint: "A .json file; or paste the document below.",
    error: errorFor(o.errors, "file"),
  })}
${textarea({
  label: "Or paste the connection's JSON",
  name: "document",
  rows: 12,
  hint:
    o.errors.length > 0
      ? "For the sake of the secrets it may hold, a refused document is not shown again."
      : undefined,
  error: errorFor(o.errors, "document"),
})}
<p class="actions"><button type="submit" class="primary">Import</button> <a href="/console/connections">Cancel</a></p>`,
  { class: "card", enctype: "multipart/form-data" },
)}`,
  });

/** After an import: what was created, and what of it Portico keeps without serving. */
export const importedPage = (o: {
  viewer: Viewer;
  connection: SpConnection;
  warnings: readonly string[];
}): string =>
  consolePage({
    title: "Connection Imported",
    viewer: o.viewer,
    section: "/console/connections",
    notice: `Imported "${o.connection.name}" (${o.connection.entityId}), ${o.connection.active ? "active" : "inactive"}.`,
    body: html`${
      o.warnings.length > 0
        ? html`<section class="card" aria-labelledby="warnings-h"><h2 id="warnings-h">${o.warnings.length} warning${o.warnings.length === 1 ? "" : "s"}</h2>
<ul>${o.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`
        : html`<p>Portico serves everything in it.</p>`
    }
<p class="actions"><a class="button primary" href="/console/connections">Back to the connections</a>
<a href="${connectionPath(o.connection)}/export">Export it</a></p>`,
  });
