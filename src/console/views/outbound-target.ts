import { html, type SafeHtml } from "../../http/html.ts";
import type { ConnectionTestResult } from "../../services/provisioning/connection-test.ts";
import { checkbox, errorSummary, field, postForm, select } from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";
import {
  type CheckOutcome,
  failureBox,
  type OutboundConnection,
  outboundBase,
  outboundTabs,
  outboundTitle,
  type Problem,
} from "./outbound-common.ts";

/**
 * The Target tab: where and how Portico reaches the Salesforce org (the seed's Client ID, Client
 * Secret, OAuth Access Token and Refresh Token, or client credentials, or a JWT), Enable
 * Communities, the Provisioning Options, Connect to Salesforce and Test connection. Fields come
 * from the connector's descriptor; secrets are never shown back, only whether one is set.
 */

export type SettingField = {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly type: string;
  readonly defaultValue?: string | undefined;
  readonly optionValues?: readonly { readonly name: string; readonly value: string }[] | undefined;
  readonly requiredFor: readonly string[];
};

export type TargetForm = {
  /** Plain values as stored or as typed (never a secret). */
  readonly values: Readonly<Record<string, string>>;
  /** The secrets a value is stored for. */
  readonly secretsSet: ReadonlySet<string>;
};

export type TargetPage = {
  readonly viewer: Viewer;
  readonly connection: OutboundConnection;
  readonly fields: readonly SettingField[];
  readonly form: TargetForm;
  /** RSA signing key pairs, for the JWT bearer flow. */
  readonly keys: readonly { readonly id: string; readonly subjectDN: string }[];
  readonly configured: boolean;
  readonly notice?: string | undefined;
  readonly errors?: readonly Problem[] | undefined;
  readonly test?: CheckOutcome<ConnectionTestResult> | undefined;
  readonly connect?:
    | CheckOutcome<{ authorizeUrl: string; redirectUri: string; expiresAt: string }>
    | undefined;
};

const groups = [
  { legend: "Salesforce org", names: ["SALESFORCE_DOMAIN", "API_VERSION"] },
  {
    legend: "Authentication",
    names: [
      "AUTH_METHOD",
      "CLIENT_ID",
      "CLIENT_SECRET",
      "OAUTH_ACCESS_TOKEN",
      "OAUTH_REFRESH_TOKEN",
      "JWT_USERNAME",
      "JWT_SIGNING_CERTIFICATE",
      "JWT_AUDIENCE",
    ],
  },
  { legend: "Communities", names: ["ENABLE_COMMUNITIES", "ACCOUNT_ID", "PROFILE_ID"] },
  {
    legend: "Provisioning Options",
    names: [
      "CREATE_USERS",
      "UPDATE_USERS",
      "DISABLE_USERS",
      "PROVISION_DISABLED_USERS",
      "FREEZE_USER_FLAG",
      "PERMISSION_SET_MANAGEMENT",
    ],
  },
] as const;

/** A setting whose value is sealed: the form asks for a replacement, never shows it. */
export const isSecretSetting = (f: Pick<SettingField, "type">): boolean => f.type === "HASHED_TEXT";

const methodNames: Readonly<Record<string, string>> = {
  REFRESH_TOKEN: "refresh token",
  CLIENT_CREDENTIALS: "client credentials",
  JWT_BEARER: "JWT bearer",
};

const neededBy = (f: SettingField) =>
  f.requiredFor.length === 0 || f.requiredFor.length === 3
    ? ""
    : ` Needed for: ${f.requiredFor.map((m) => methodNames[m] ?? m).join(", ")}.`;

const errorOf = (errors: readonly Problem[], name: string) =>
  errors
    .filter((e) => e.field?.endsWith(`(${name})`))
    .map((e) => e.message)
    .join("; ") || undefined;

const settingInput = (o: TargetPage, f: SettingField, errors: readonly Problem[]): SafeHtml => {
  const value = o.form.values[f.name] ?? f.defaultValue ?? "";
  const error = errorOf(errors, f.name);
  const required = f.requiredFor.length === 3;
  const hint = `${f.description}${neededBy(f)}`;
  if (f.type === "CHECK_BOX")
    return checkbox({ label: f.label, name: f.name, value: "true", checked: value === "true", hint });
  if (f.type === "SELECT")
    return select({
      label: f.label,
      name: f.name,
      value,
      options: (f.optionValues ?? []).map((v) => ({ value: v.value, label: v.name })),
      hint,
      error,
    });
  if (f.name === "JWT_SIGNING_CERTIFICATE")
    return select({
      label: f.label,
      name: f.name,
      value,
      options: [
        { value: "", label: "— none —" },
        ...o.keys.map((k) => ({ value: k.id, label: `${k.id} (${k.subjectDN})` })),
        ...(value !== "" && !o.keys.some((k) => k.id === value) ? [{ value, label: value }] : []),
      ],
      hint,
      error,
    });
  if (isSecretSetting(f)) {
    const set = o.form.secretsSet.has(f.name);
    return html`${field({
      label: f.label,
      name: f.name,
      type: "password",
      autocomplete: "new-password",
      hint: `${set ? "Set (not shown). Leave blank to keep it, or type a new one to replace it." : "Not set."} ${hint}`,
      error,
      required: required && !set,
    })}${set ? checkbox({ label: `Remove the stored ${f.label}`, name: `clear_${f.name}`, value: "true", checked: false }) : ""}`;
  }
  return field({ label: f.label, name: f.name, value, hint, error, required });
};

const testResult = (test: CheckOutcome<ConnectionTestResult>): SafeHtml => {
  if (!test.ok) return failureBox("Test connection failed", test);
  const r = test.result;
  const yes = (b: boolean) => (b ? "yes" : "NO");
  return html`<div class="notice" role="status"><p><strong>Test connection succeeded.</strong></p>
<dl class="summary">
<dt>Organization ID</dt><dd><code>${r.organizationId}</code></dd>
<dt>Instance</dt><dd><code>${r.instanceUrl}</code></dd>
<dt>Authentication</dt><dd>${methodNames[r.authMethod] ?? r.authMethod} at <code>${r.salesforceDomain}</code></dd>
<dt>API version</dt><dd>${r.apiVersion}</dd>
<dt>Acting as</dt><dd>${r.user.name} (<code>${r.user.username}</code>), profile ${r.user.profile}</dd>
<dt>API Enabled</dt><dd>${yes(r.permissions.apiEnabled)}</dd>
<dt>Manage Users</dt><dd>${yes(r.permissions.manageUsers)}</dd>
${r.apiUsage ? html`<dt>API requests today</dt><dd>${r.apiUsage.used} of ${r.apiUsage.max}</dd>` : ""}
${r.jwtSigningCertificate ? html`<dt>JWT certificate</dt><dd><code>${r.jwtSigningCertificate.keyPairId}</code>, SHA-256 <code>${r.jwtSigningCertificate.sha256Fingerprint}</code></dd>` : ""}
</dl></div>`;
};

const connectBox = (connect: NonNullable<TargetPage["connect"]>): SafeHtml =>
  connect.ok
    ? html`<div class="notice" role="status"><p><strong>Ready to connect.</strong> Make sure the connected app lists this Callback URL:
<code id="callback-url">${connect.result.redirectUri}</code></p>
<p><a class="button primary" href="${connect.result.authorizeUrl}" target="_blank" rel="noopener noreferrer">Continue to Salesforce (opens a new window)</a></p>
<p class="muted">Sign in there as the API user and allow access; the link works once, until ${connect.result.expiresAt}. Then test the connection here.</p></div>`
    : failureBox("Could not start Connect to Salesforce", connect);

export const targetPage = (o: TargetPage): string => {
  const errors = o.errors ?? [];
  const byName = new Map(o.fields.map((f) => [f.name, f]));
  const grouped = new Set<string>(groups.flatMap((g) => g.names));
  const others = o.fields.filter((f) => !grouped.has(f.name));
  const fieldset = (legend: string, fields: readonly SettingField[]) =>
    fields.length === 0
      ? ""
      : html`<fieldset class="card"><legend>${legend}</legend>${fields.map((f) => settingInput(o, f, errors))}</fieldset>`;
  const base = outboundBase(o.connection.id);
  const isAdmin = o.viewer.role === "ADMIN";
  return consolePage({
    title: outboundTitle(o.connection, "Target"),
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`${outboundTabs(o.connection, "target")}
${o.test ? testResult(o.test) : ""}
${o.connect ? connectBox(o.connect) : ""}
${errorSummary(errors)}
${o.configured ? "" : html`<p class="muted">This connection does not provision yet: save a target to start.</p>`}
${postForm(
  o.viewer,
  `${base}/target`,
  html`${groups.map((g) =>
    fieldset(
      g.legend,
      g.names.flatMap((n) => byName.get(n) ?? []),
    ),
  )}
${fieldset("Other settings", others)}
${isAdmin ? html`<p class="actions"><button type="submit" class="primary">Save</button></p>` : ""}`,
  { id: "target-form" },
)}
${
  isAdmin && o.configured
    ? html`<section class="card" aria-labelledby="check-h"><h2 id="check-h">Check the saved target</h2>
<p class="muted">Test connection gets a new token the saved way and reads who Portico acts as. Connect to Salesforce gets a refresh token by signing in to Salesforce (saved Client ID and Secret needed).</p>
<div class="actions">
${postForm(o.viewer, `${base}/test`, html`<button type="submit">Test connection</button>`, { class: "inline" })}
${postForm(o.viewer, `${base}/connect`, html`<button type="submit">Connect to Salesforce</button>`, { class: "inline" })}
</div></section>`
    : ""
}`,
  });
};
