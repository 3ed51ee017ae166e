import { html } from "../../http/html.ts";
import type { UserView } from "../../services/directory/views.ts";
import { actionButton, checkbox, errorSummary, field, postForm, statusBadge } from "./components.ts";
import { type FormErrors, summaryOf } from "./format.ts";
import { consolePage, type Viewer } from "./layout.ts";

/** The attributes the user form edits, by their LDAP names, in the form's order. */
export const userAttributes = [
  { name: "givenName", label: "First name" },
  { name: "sn", label: "Last name" },
  { name: "cn", label: "Full name" },
  { name: "mail", label: "Email (mail)" },
] as const;
export type UserAttribute = (typeof userAttributes)[number]["name"];

export type UserForm = {
  uid: string;
  attributes: Readonly<Record<UserAttribute, string>>;
  groups: readonly string[];
  enabled: boolean;
  errors: FormErrors;
};

const labels: Record<string, string> = {
  uid: "User ID (uid)",
  password: "Password",
  groups: "Groups",
  ...Object.fromEntries(userAttributes.map((a) => [a.name, a.label])),
};

/** A user's form: new (with a uid) or existing (the uid fixed, the password only when changed). */
export const userPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  existing?: UserView | undefined;
  form: UserForm;
  allGroups: readonly string[];
}): string => {
  const isNew = o.existing === undefined;
  const base = `/console/directory/users/${encodeURIComponent(o.form.uid)}`;
  const editable = o.viewer.role === "ADMIN";
  return consolePage({
    title: isNew ? "Create a user" : `User ${o.form.uid}`,
    viewer: o.viewer,
    section: "/console/directory",
    notice: o.notice,
    body: html`<p><a href="/console/directory">Back to the directory</a></p>
${
  o.existing
    ? html`<p>Status: ${statusBadge(o.existing.enabled ? "Enabled" : "Disabled")} · ${o.existing.hasPassword ? "has a password" : "no password (cannot sign in with one)"}</p>
<p class="actions">${actionButton(o.viewer, `${base}/${o.existing.enabled ? "disable" : "enable"}`, o.existing.enabled ? "Disable" : "Enable")}
${actionButton(o.viewer, `${base}/delete`, "Delete", { danger: true, confirm: `Delete the user "${o.form.uid}"? Provisioning removes them downstream too.` })}</p>`
    : ""
}
${postForm(
  o.viewer,
  isNew ? "/console/directory/users" : base,
  html`${errorSummary(summaryOf(o.form.errors, labels))}
${isNew ? field({ label: labels.uid ?? "", name: "uid", value: o.form.uid, required: true, autocomplete: "off", error: o.form.errors.uid, hint: "Letters, digits, '.', '_', '@' or '-'; it cannot change later." }) : html`<input type="hidden" name="uid" value="${o.form.uid}">`}
${userAttributes.map((a) => field({ label: a.label, name: a.name, value: o.form.attributes[a.name], error: o.form.errors[a.name], readonly: !editable, ...(a.name === "mail" ? { type: "email" as const } : {}) }))}
${editable ? field({ label: isNew ? "Password" : "New password", name: "password", type: "password", autocomplete: "new-password", error: o.form.errors.password, hint: isNew ? "Optional: without one, the user cannot sign in with a password." : "Leave empty to keep the current password." }) : ""}
<fieldset class="field${o.form.errors.groups ? " invalid" : ""}"><legend>Groups</legend>
${o.allGroups.length === 0 ? html`<p class="hint">No group yet.</p>` : ""}
${o.allGroups.map((cn) => checkbox({ label: cn, name: "groups", value: cn, checked: o.form.groups.includes(cn) }))}
${o.form.errors.groups ? html`<p class="error">${o.form.errors.groups}</p>` : ""}
</fieldset>
${isNew ? checkbox({ label: "Enabled (may sign in)", name: "enabled", checked: o.form.enabled }) : ""}
${editable ? html`<button type="submit" class="primary">${isNew ? "Create user" : "Save"}</button>` : ""}`,
  { class: "card", id: "user-form" },
)}`,
  });
};
