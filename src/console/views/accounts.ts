import { html, type SafeHtml } from "../../http/html.ts";
import { minimumAdminPasswordLength } from "../../lib/password-policy.ts";
import type { AdminAccountView, ApiTokenView } from "../../services/admin-accounts.ts";
import { actionButton, errorSummary, field, postForm, select, table } from "./components.ts";
import { type FormErrors, summaryOf, when } from "./format.ts";
import { consolePage, type Viewer } from "./layout.ts";

export type AccountForm = { username: string; role: "ADMIN" | "AUDITOR"; errors: FormErrors };
export type TokenForm = { name: string; expiresInDays: string; errors: FormErrors };

const accountLabels = { username: "Username", password: "Password", role: "Role" };
const tokenLabels = { name: "Token name", expiresInDays: "Expires after (days)" };

const accountPath = (username: string) => `/console/accounts/${encodeURIComponent(username)}`;

const accountForm = (viewer: Viewer, form: AccountForm): SafeHtml =>
  postForm(
    viewer,
    "/console/accounts",
    html`${errorSummary(summaryOf(form.errors, accountLabels))}
${field({ label: "Username", name: "username", value: form.username, required: true, autocomplete: "off", error: form.errors.username, hint: "Letters, digits, '.', '_', '@' or '-'." })}
${field({ label: "Password", name: "password", type: "password", required: true, autocomplete: "new-password", error: form.errors.password, hint: `At least ${minimumAdminPasswordLength} characters.` })}
${select({
  label: "Role",
  name: "role",
  value: form.role,
  error: form.errors.role,
  hint: "An auditor can see everything and change nothing.",
  options: [
    { value: "ADMIN", label: "Admin" },
    { value: "AUDITOR", label: "Auditor" },
  ],
})}
<button type="submit" class="primary">Create account</button>`,
    { id: "create-account", class: "card" },
  );

const tokenForm = (viewer: Viewer, form: TokenForm): SafeHtml =>
  postForm(
    viewer,
    "/console/accounts/tokens",
    html`${errorSummary(summaryOf(form.errors, tokenLabels))}
${field({ label: "Token name", name: "name", value: form.name, required: true, autocomplete: "off", error: form.errors.name, hint: "What uses it, for example the deployment pipeline." })}
${field({ label: "Expires after (days)", name: "expiresInDays", type: "number", value: form.expiresInDays, error: form.errors.expiresInDays, hint: "Leave empty for a token that does not expire." })}
<button type="submit" class="primary">Create token</button>`,
    { id: "create-token", class: "card" },
  );

/** The token just created: shown on this response only; it is stored as a hash. */
const newToken = (created: ApiTokenView & { token: string }): SafeHtml =>
  html`<section class="card secret" aria-labelledby="new-token-title">
<h2 id="new-token-title">API token "${created.name}" created</h2>
<p>Copy it now: it is shown only this once, and Portico keeps only a hash of it.</p>
<p><code id="new-token" class="token">${created.token}</code>
<button type="button" data-copy="new-token">Copy</button></p>
<p class="hint">Send it as <code>Authorization: Bearer …</code> to the admin API.</p>
</section>`;

/** Admin accounts and API tokens, with their forms; an auditor sees the lists only. */
export const accountsPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  accounts: readonly AdminAccountView[];
  tokens: readonly ApiTokenView[];
  accountForm?: AccountForm | undefined;
  tokenForm?: TokenForm | undefined;
  createdToken?: (ApiTokenView & { token: string }) | undefined;
}): string => {
  const isAdmin = o.viewer.role === "ADMIN";
  return consolePage({
    title: "Accounts",
    viewer: o.viewer,
    section: "/console/accounts",
    notice: o.notice,
    body: html`${o.createdToken ? newToken(o.createdToken) : ""}
<h2>Admin accounts</h2>
${table(
  `${o.accounts.length} admin account${o.accounts.length === 1 ? "" : "s"}`,
  [
    { header: "Username", cell: (a) => a.username },
    { header: "Role", cell: (a) => (a.role === "ADMIN" ? "Admin" : "Auditor") },
    { header: "Created", cell: (a) => when(a.createdAt) },
    { header: "Password changed", cell: (a) => when(a.updatedAt) },
    {
      header: "Actions",
      cell: (a) =>
        isAdmin
          ? html`<a href="${accountPath(a.username)}/password">Change password<span class="visually-hidden"> of ${a.username}</span></a>
${actionButton(o.viewer, `${accountPath(a.username)}/delete`, "Delete", { danger: true, confirm: `Delete the admin account "${a.username}"? Its sessions end at once.` })}`
          : "—",
    },
  ],
  o.accounts,
  "No admin account.",
)}
${isAdmin ? html`<h2>Create an admin account</h2>${accountForm(o.viewer, o.accountForm ?? { username: "", role: "ADMIN", errors: {} })}` : ""}
<h2>API tokens</h2>
${table(
  `${o.tokens.length} API token${o.tokens.length === 1 ? "" : "s"}`,
  [
    { header: "Name", cell: (t) => t.name },
    { header: "Created by", cell: (t) => t.createdBy },
    { header: "Created", cell: (t) => when(t.createdAt) },
    { header: "Last used", cell: (t) => when(t.lastUsedAt, "Never") },
    { header: "Expires", cell: (t) => when(t.expiresAt, "Never") },
    {
      header: "Actions",
      cell: (t) =>
        isAdmin
          ? actionButton(o.viewer, `/console/accounts/tokens/${encodeURIComponent(t.id)}/revoke`, "Revoke", {
              danger: true,
              confirm: `Revoke the API token "${t.name}"? Whatever uses it is refused from now on.`,
            })
          : "—",
    },
  ],
  o.tokens,
  "No API token.",
)}
${isAdmin ? html`<h2>Create an API token</h2>${tokenForm(o.viewer, o.tokenForm ?? { name: "", expiresInDays: "", errors: {} })}` : ""}`,
  });
};

/** Setting an account's password: typed twice, never shown back. */
export const passwordPage = (o: { viewer: Viewer; username: string; errors: FormErrors }): string =>
  consolePage({
    title: `Change the password of ${o.username}`,
    viewer: o.viewer,
    section: "/console/accounts",
    body: postForm(
      o.viewer,
      `${accountPath(o.username)}/password`,
      html`${errorSummary(summaryOf(o.errors, { password: "New password", repeat: "Repeat the new password" }))}
${field({ label: "New password", name: "password", type: "password", required: true, autocomplete: "new-password", error: o.errors.password, hint: `At least ${minimumAdminPasswordLength} characters. The account's console sessions end.` })}
${field({ label: "Repeat the new password", name: "repeat", type: "password", required: true, autocomplete: "new-password", error: o.errors.repeat })}
<p class="actions"><button type="submit" class="primary">Change password</button> <a href="/console/accounts">Cancel</a></p>`,
      { class: "card" },
    ),
  });
