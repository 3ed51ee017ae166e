import { html, type SafeHtml } from "../../http/html.ts";
import type { SsoTestResult } from "../../services/sso/test-sso.ts";
import { errorSummary, field, postForm, select, statusBadge, table } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";

/**
 * The SSO test (`portico sso test`, `POST /sso/test`): the Response a directory user would get
 * from a connection, checked as the SP would check it. The page shows the verdicts, the NameID
 * and the attributes; it never shows the Response itself, and never one signed with the
 * connection's key (the service signs the one it returns with a throwaway key anyway).
 */

export type SsoTestForm = {
  readonly connection?: string | undefined;
  readonly username?: string | undefined;
  readonly errors?: { readonly connection?: string; readonly username?: string; readonly other?: string };
};

export type SsoTestChoice = { readonly entityId: string; readonly name: string; readonly active: boolean };

const form = (viewer: Viewer, choices: readonly SsoTestChoice[], f: SsoTestForm) =>
  postForm(
    viewer,
    "/console/sso-test",
    html`${select({
      label: "Connection",
      name: "connection",
      value: f.connection,
      error: f.errors?.connection,
      options: [
        { value: "", label: "Choose a connection" },
        ...choices.map((c) => ({
          value: c.entityId,
          label: `${c.name} (${c.entityId})${c.active ? "" : " — inactive"}`,
        })),
      ],
    })}
${field({
  label: "Username",
  name: "username",
  value: f.username,
  required: true,
  autocomplete: "off",
  hint: "The uid of a user of the directory the sign-in form checks passwords against.",
  error: f.errors?.username,
})}
<button type="submit" class="primary">Run the test</button>`,
    { class: "card" },
  );

const verdict = (result: SsoTestResult) => {
  const failing = result.checks.filter((c) => !c.ok);
  return failing.length === 0
    ? html`<p class="notice" role="status">All ${result.checks.length} checks pass: ${result.connection.name} would accept this sign-in for ${result.user}.</p>`
    : html`<p class="alert" role="status">${failing.length} of ${result.checks.length} checks fail${
        failing.length === 1 ? "s" : ""
      }: ${failing.map((c) => c.name).join(", ")}.</p>`;
};

const checksTable = (result: SsoTestResult) =>
  table(
    "Checks, as the service provider makes them",
    [
      { header: "Check", cell: (c: SsoTestResult["checks"][number]) => c.name },
      { header: "Result", cell: (c) => statusBadge(c.ok ? "Pass" : "Fail") },
      {
        header: "What was found",
        cell: (c) => html`${c.detail}${c.warning ? html`<p class="warning">Note: ${c.warning}</p>` : ""}`,
      },
    ],
    result.checks,
    "No checks ran.",
  );

const subject = (result: SsoTestResult): SafeHtml => {
  const a = result.summary.assertion;
  if (!a) return html`<p class="muted">The Response carries no assertion.</p>`;
  if (a.encrypted)
    return html`<p class="muted">The assertion is encrypted for the service provider, so its NameID and attributes are not shown here.</p>`;
  return html`<dl class="summary">
<dt>NameID</dt><dd><code id="sso-name-id">${a.nameId ?? "—"}</code></dd>
<dt>NameID format</dt><dd><code>${a.nameIdFormat ?? "—"}</code></dd>
<dt>Issuer</dt><dd><code>${a.issuer ?? "—"}</code></dd>
<dt>Audience</dt><dd>${a.audiences.length > 0 ? html`<code>${a.audiences.join(", ")}</code>` : "—"}</dd>
<dt>Recipient (ACS)</dt><dd><code>${result.acsUrl}</code></dd>
<dt>Valid</dt><dd>${a.notBefore ?? "—"} to ${a.notOnOrAfter ?? "—"}</dd>
<dt>Authentication context</dt><dd><code>${a.authnContextClassRef ?? "—"}</code></dd>
</dl>
${table(
  "Attributes",
  [
    { header: "Name", cell: (x: (typeof a.attributes)[number]) => html`<code>${x.name}</code>` },
    {
      header: "Values",
      cell: (x) => (x.values.length > 0 ? x.values.join(", ") : html`<span class="muted">none</span>`),
    },
  ],
  a.attributes,
  "The assertion carries no attributes.",
)}`;
};

const jit = (result: SsoTestResult) =>
  result.jit === null
    ? html``
    : html`<h3>Salesforce Just-in-Time provisioning</h3>
${
  result.jit.missing.length > 0
    ? html`<p class="alert">The user has no value for ${result.jit.missing.join(", ")}.</p>`
    : ""
}${table(
  "JIT attributes",
  [
    {
      header: "Attribute",
      cell: (x: { name: string; values: readonly string[] }) => html`<code>${x.name}</code>`,
    },
    { header: "Values", cell: (x) => x.values.join(", ") },
  ],
  result.jit.attributes,
  "None.",
)}`;

const resultView = (result: SsoTestResult) =>
  html`<section class="card result" aria-labelledby="sso-result-title">
<h2 id="sso-result-title">${result.user} at ${result.connection.name}</h2>
${verdict(result)}
${checksTable(result)}
<h3>The assertion</h3>
${subject(result)}
${jit(result)}
</section>`;

export const ssoTestPage = (o: {
  viewer: Viewer;
  choices: readonly SsoTestChoice[];
  form?: SsoTestForm;
  result?: SsoTestResult | undefined;
}): string => {
  const f = o.form ?? {};
  const errors = [
    ...(f.errors?.connection ? [{ field: "Connection", message: f.errors.connection }] : []),
    ...(f.errors?.username ? [{ field: "Username", message: f.errors.username }] : []),
    ...(f.errors?.other ? [{ message: f.errors.other }] : []),
  ];
  return consolePage({
    title: "SSO Test",
    viewer: o.viewer,
    section: "/console/sso-test",
    body: html`<p class="muted">Builds the Response a user would get from a connection, exactly as sign-in would, and checks it as the service provider would — without signing anyone in.</p>
${
  o.viewer.role === "AUDITOR"
    ? html`<p class="muted">Auditor accounts cannot run the test: it signs a Response with the connection's key.</p>`
    : o.choices.length === 0
      ? html`<p class="empty">No connection has Browser SSO yet.</p>`
      : html`${errorSummary(errors)}${form(o.viewer, o.choices, f)}`
}
${o.result ? resultView(o.result) : ""}`,
  });
};
