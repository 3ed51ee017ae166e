import { html, type SafeHtml } from "../../http/html.ts";
import type { testExpression } from "../../services/provisioning/expression-test.ts";
import { actionButton, checkbox, errorSummary, field, postForm, select, textarea } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";
import {
  type CheckOutcome,
  channelBase,
  failureBox,
  type OutboundConnection,
  outboundTabs,
  outboundTitle,
  type Problem,
} from "./outbound-common.ts";
import type { FieldSpecView } from "./outbound-mapping.ts";
import { requiredMark } from "./outbound-mapping.ts";

/**
 * The mapping editor for one Salesforce field (PingFederate's Edit sub-page): the source
 * attributes, a default value (a pick-list's values offered), an expression, and the processing
 * options; with the expression tried on a directory user, step by step.
 */

export type FieldForm = {
  readonly attributes: string;
  readonly defaultValue: string;
  readonly expression: string;
  readonly createOnly: boolean;
  readonly trim: boolean;
  readonly masked: boolean;
  readonly characterCase: string;
  readonly parser: string;
  readonly subject: string;
};

export type ExpressionResult = Awaited<ReturnType<typeof testExpression>>;

const testSteps = (test: CheckOutcome<ExpressionResult>): SafeHtml => {
  if (!test.ok) return failureBox("Expression test failed", test);
  const r = test.result;
  return html`<section class="notice" role="status" aria-labelledby="test-h"><h2 id="test-h">Tried on ${r.subject}</h2>
<ol class="steps">
<li>Read the directory user <code>${r.subject}</code>.</li>
${r.sources.map(
  (s) =>
    html`<li>Attribute <code>${s.attribute}</code>: ${s.values.length === 0 ? html`<em>no value</em>` : s.values.map((v, i) => html`${i > 0 ? ", " : ""}“${v}”`)}</li>`,
)}
<li>Evaluated <code>${r.expression}</code> in ${r.steps} step${r.steps === 1 ? "" : "s"}.</li>
<li>Result: ${r.values.length === 0 ? html`<em>no value</em> (the field would not be sent)` : r.values.map((v, i) => html`${i > 0 ? ", " : ""}<strong>“${v}”</strong>`)}</li>
</ol></section>`;
};

export const fieldEditorPage = (o: {
  viewer: Viewer;
  connection: OutboundConnection;
  channel: string;
  fieldName: string;
  spec?: FieldSpecView | undefined;
  isMapped: boolean;
  form: FieldForm;
  errors?: readonly Problem[] | undefined;
  test?: CheckOutcome<ExpressionResult> | undefined;
  notice?: string | undefined;
}): string => {
  const base = `${channelBase(o.connection.id, o.channel)}/mapping/${encodeURIComponent(o.fieldName)}`;
  const isAdmin = o.viewer.role === "ADMIN";
  const picklist = o.spec?.picklistValues ?? [];
  const errorFor = (suffix: string) =>
    (o.errors ?? [])
      .filter((e) => e.field?.endsWith(suffix))
      .map((e) => e.message)
      .join("; ") || undefined;
  const spec = o.spec;
  return consolePage({
    title: outboundTitle(o.connection, `Mapping of ${o.fieldName}`),
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`${outboundTabs(o.connection, "channels")}
<p class="actions"><a href="${channelBase(o.connection.id, o.channel)}/mapping">Back to the Attribute Mapping of ${o.channel}</a></p>
${o.test ? testSteps(o.test) : ""}
${errorSummary(o.errors ?? [])}
<section class="card" aria-labelledby="spec-h"><h2 id="spec-h">${spec?.label ?? o.fieldName}${requiredMark(spec?.required)}</h2>
${
  spec
    ? html`<dl class="summary"><dt>API name</dt><dd><code>${o.fieldName}</code></dd><dt>Type</dt><dd>${spec.type}${spec.length > 0 ? ` (${spec.length})` : ""}</dd>
<dt>Required by Salesforce</dt><dd>${spec.required ? "yes: map it or give a default" : "no"}</dd>
<dt>Updateable</dt><dd>${spec.updateable ? "yes" : "no: sent on create only"}</dd></dl>`
    : html`<p class="muted"><code>${o.fieldName}</code> is not among Salesforce's fields as last read.</p>`
}
</section>
${postForm(
  o.viewer,
  base,
  html`<fieldset class="card"><legend>Value</legend>
${textarea({ label: "Source attributes", name: "attributes", value: o.form.attributes, rows: 3, hint: "One directory attribute per line; the first with a value is used (e.g. mail, uid, sn).", error: errorFor("attributeNames") })}
${
  picklist.length > 0
    ? select({
        label: "Default Value",
        name: "defaultValue",
        value: o.form.defaultValue,
        options: [
          { value: "", label: "— none —" },
          ...picklist.map((v) => ({ value: v, label: v })),
          ...(o.form.defaultValue !== "" && !picklist.includes(o.form.defaultValue)
            ? [{ value: o.form.defaultValue, label: `${o.form.defaultValue} (not one of the org's values)` }]
            : []),
        ],
        hint: "Used when no attribute has a value: one of the org's values.",
        error: errorFor("defaultValue"),
      })
    : field({
        label: "Default Value",
        name: "defaultValue",
        value: o.form.defaultValue,
        hint: "Used when no attribute has a value.",
        error: errorFor("defaultValue"),
      })
}
${textarea({ label: "Expression", name: "expression", value: o.form.expression, rows: 3, hint: "Portico's expression language, e.g. Left([uid], 8). Used instead of the attributes when given.", error: errorFor("expression") })}
</fieldset>
<fieldset class="card"><legend>Processing</legend>
${checkbox({ label: "Create Only (never updated)", name: "createOnly", value: "true", checked: o.form.createOnly })}
${checkbox({ label: "Trim", name: "trim", value: "true", checked: o.form.trim })}
${checkbox({ label: "Mask Log Values", name: "masked", value: "true", checked: o.form.masked })}
${select({
  label: "Case",
  name: "characterCase",
  value: o.form.characterCase,
  options: [
    { value: "NONE", label: "None" },
    { value: "UPPER", label: "Upper" },
    { value: "LOWER", label: "Lower" },
  ],
})}
${select({
  label: "Parsing",
  name: "parser",
  value: o.form.parser,
  options: [
    { value: "NONE", label: "None" },
    { value: "EXTRACT_CN_FROM_DN", label: "Extract CN from DN" },
    { value: "EXTRACT_USERNAME_FROM_EMAIL", label: "Extract Username from Email" },
  ],
})}
</fieldset>
${
  isAdmin
    ? html`<fieldset class="card"><legend>Test the expression</legend>
${field({ label: "Directory user (uid)", name: "subject", value: o.form.subject, hint: "A user of the built-in directory; nothing is written.", error: errorFor("subject") })}
<button type="submit" formaction="${base}/test">Test expression</button>
</fieldset>`
    : ""
}
${isAdmin ? html`<p class="actions"><button type="submit" class="primary">Save mapping</button></p>` : ""}`,
)}
${o.isMapped ? actionButton(o.viewer, `${base}/remove`, "Remove mapping", { danger: true, confirm: `Remove the mapping of ${o.fieldName}?` }) : ""}`,
  });
};
