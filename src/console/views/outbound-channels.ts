import { html } from "../../http/html.ts";
import {
  checkbox,
  confirmDeletion,
  errorSummary,
  field,
  postForm,
  select,
  statusBadge,
  table,
} from "./components.ts";
import { consolePage, type Viewer } from "./layout.ts";
import {
  channelBase,
  type OutboundConnection,
  outboundBase,
  outboundTabs,
  outboundTitle,
  type Problem,
} from "./outbound-common.ts";

/**
 * Manage Channels: the connection's channels, and one channel's Channel Info, Source, Source
 * Settings and Source Location (PingFederate's channel wizard, spec §3.8). The form's field names
 * are those of `ChannelForm`; the route turns them into a channel document and back.
 */

export type ChannelRow = {
  readonly name: string;
  readonly active: boolean;
  readonly source: string;
  readonly mapped: number;
};

export type DataStoreOption = { readonly id: string; readonly label: string };

export const channelsPage = (o: {
  viewer: Viewer;
  connection: OutboundConnection;
  configured: boolean;
  rows: readonly ChannelRow[];
  notice?: string | undefined;
}): string => {
  const base = outboundBase(o.connection.id);
  const isAdmin = o.viewer.role === "ADMIN";
  return consolePage({
    title: outboundTitle(o.connection, "Manage Channels"),
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`${outboundTabs(o.connection, "channels")}
${
  o.configured
    ? html`${isAdmin ? html`<p class="actions"><a class="button primary" href="${base}/new-channel">Create Channel</a></p>` : ""}
${table(
  "Channels",
  [
    {
      header: "Channel Name",
      cell: (c) => html`<a href="${channelBase(o.connection.id, c.name)}">${c.name}</a>`,
    },
    { header: "Source", cell: (c) => c.source },
    { header: "Mapped fields", cell: (c) => c.mapped },
    { header: "Status", cell: (c) => statusBadge(c.active ? "Active" : "Inactive") },
    {
      header: "Actions",
      // Delete asks on a page of its own, so that it asks without script too.
      cell: (c) =>
        html`<a href="${channelBase(o.connection.id, c.name)}/mapping">Attribute Mapping</a>${
          isAdmin
            ? html` · <a href="${channelBase(o.connection.id, c.name)}/copy" aria-label="Copy ${c.name}">Copy</a> · <a href="${channelBase(o.connection.id, c.name)}/delete" aria-label="Delete ${c.name}">Delete</a>`
            : ""
        }`,
    },
  ],
  o.rows,
  "No channel yet: create one to provision users from a directory.",
)}`
    : html`<p>Set the <a href="${base}">Target</a> first: channels provision into its Salesforce org.</p>`
}`,
  });
};

/** Delete Channel: asked on a page of its own, as a connection's delete is. */
export const deleteChannelPage = (o: {
  viewer: Viewer;
  connection: OutboundConnection;
  channel: { readonly name: string; readonly active: boolean };
}): string =>
  consolePage({
    title: outboundTitle(o.connection, `Delete Channel ${o.channel.name}`),
    viewer: o.viewer,
    section: "/console/connections",
    body: html`${outboundTabs(o.connection, "channels")}
${confirmDeletion(o.viewer, {
  question: html`Delete the channel <strong>${o.channel.name}</strong>${o.channel.active ? " (active)" : ""}? Provisioning through
it stops; users already in Salesforce stay. This cannot be undone.`,
  action: `${channelBase(o.connection.id, o.channel.name)}/delete`,
  button: "Delete channel",
  cancel: `${outboundBase(o.connection.id)}/channels`,
})}`,
  });

/**
 * Copy a channel: the copy takes a new name and keeps the source, its settings and the attribute
 * mapping; it starts inactive, so it provisions nobody until its mapping is checked and it is
 * activated.
 */
export const channelCopyPage = (o: {
  viewer: Viewer;
  connection: OutboundConnection;
  channel: string;
  name: string;
  errors: readonly Problem[];
}): string => {
  const error = o.errors.find((e) => e.field === "name")?.message;
  return consolePage({
    title: outboundTitle(o.connection, `Copy Channel ${o.channel}`),
    viewer: o.viewer,
    section: "/console/connections",
    body: html`${outboundTabs(o.connection, "channels")}
${errorSummary(o.errors.filter((e) => e.field !== "name"))}
${postForm(
  o.viewer,
  `${channelBase(o.connection.id, o.channel)}/copy`,
  html`<p>The copy has the same source, source settings, source location and attribute mapping as
"${o.channel}". It is created inactive.</p>
${field({ label: "New Channel Name", name: "name", value: o.name, required: true, error })}
<p class="actions"><button type="submit" class="primary">Copy channel</button> <a href="${outboundBase(o.connection.id)}/channels">Cancel</a></p>`,
  { class: "card" },
)}`,
  });
};

/** The channel form's values by field name, as stored or as typed. */
export type ChannelForm = Readonly<Record<string, string>>;

const algorithms = ["ACTIVE_DIRECTORY_USN", "TIMESTAMP", "TIMESTAMP_NO_NEGATION"];
const statusAlgorithms = ["ACCOUNT_STATUS_ALGORITHM_AD", "ACCOUNT_STATUS_ALGORITHM_FLAG"];

export const channelFormPage = (o: {
  viewer: Viewer;
  connection: OutboundConnection;
  /** Undefined for a new channel. */
  existing?: string | undefined;
  form: ChannelForm;
  dataStores: readonly DataStoreOption[];
  isLdap: boolean;
  errors?: readonly Problem[] | undefined;
  /** Errors by form field name. */
  fieldErrors?: Readonly<Record<string, string>> | undefined;
  notice?: string | undefined;
}): string => {
  const v = (name: string) => o.form[name] ?? "";
  const err = (name: string) => o.fieldErrors?.[name];
  const text = (label: string, name: string, hint?: string, required = false) =>
    field({ label, name, value: v(name), hint, error: err(name), required });
  const yesNo = (label: string, name: string, hint?: string) =>
    select({
      label,
      name,
      value: v(name),
      options: [
        { value: "true", label: "Enabled" },
        { value: "false", label: "Disabled" },
      ],
      hint,
      error: err(name),
    });
  const isNew = o.existing === undefined;
  const action = isNew
    ? `${outboundBase(o.connection.id)}/new-channel`
    : channelBase(o.connection.id, o.existing ?? "");
  const sourceSettings = html`<fieldset class="card"><legend>Source Settings</legend>
<p class="muted">Pre-filled for this kind of directory; change only what differs.</p>
${text("Entry GUID Attribute", "guidAttributeName", "objectGUID on Active Directory, entryUUID elsewhere.")}
${checkbox({ label: "GUID is binary", name: "guidBinary", value: "true", checked: v("guidBinary") === "true" })}
${text("User Object Class", "userObjectClass")}
${text("Group Object Class", "groupObjectClass")}
${select({ label: "Changed Users Algorithm", name: "changedUsersAlgorithm", value: v("changedUsersAlgorithm"), options: algorithms.map((a) => ({ value: a, label: a })), error: err("changedUsersAlgorithm") })}
${text("USN Attribute", "usnAttributeName", "Active Directory: uSNChanged.")}
${text("Timestamp Attribute", "timeStampAttributeName", "modifyTimestamp on most directories.")}
${text("Member of Group Attribute", "memberOfGroupAttributeName", "On the user: memberOf, isMemberOf.")}
${text("Group Member Attribute", "groupMemberAttributeName", "On the group: member, uniqueMember.")}
${text("Account Status Attribute", "accountStatusAttributeName")}
${select({ label: "Account Status Algorithm", name: "accountStatusAlgorithm", value: v("accountStatusAlgorithm"), options: statusAlgorithms.map((a) => ({ value: a, label: a })), error: err("accountStatusAlgorithm") })}
${text("Flag Comparison Value", "flagComparisonValue", "The value that marks the account (e.g. true for nsaccountlock).")}
${yesNo("Status when the flag matches", "flagComparisonStatus")}
${yesNo("Default status", "defaultStatus", "When the attribute is absent or does not match.")}
</fieldset>`;
  return consolePage({
    title: outboundTitle(o.connection, isNew ? "Create Channel" : `Channel ${o.existing}`),
    viewer: o.viewer,
    section: "/console/connections",
    notice: o.notice,
    body: html`${outboundTabs(o.connection, "channels")}
${isNew ? "" : html`<p class="actions"><a href="${channelBase(o.connection.id, o.existing ?? "")}/mapping">Attribute Mapping and activation</a></p>`}
${errorSummary(o.errors ?? [])}
<form method="get" action="${isNew ? action : channelBase(o.connection.id, o.existing ?? "")}" class="card toolbar" aria-label="Source">
${select({ label: "Source (data store)", name: "dataStore", value: v("dataSource"), options: o.dataStores.map((d) => ({ value: d.id, label: d.label })), hint: "Choosing another source pre-fills its settings.", error: err("dataSource") })}
<button type="submit">Use this source</button>
<a href="/console/datastores">Manage Data Stores</a>
</form>
${postForm(
  o.viewer,
  action,
  html`<input type="hidden" name="dataSource" value="${v("dataSource")}">
<fieldset class="card"><legend>Channel Info</legend>
${isNew ? text("Channel Name", "name", undefined, true) : html`<input type="hidden" name="name" value="${v("name")}"><p><strong>Channel Name:</strong> ${v("name")}</p>`}
${field({ label: "Max Threads", name: "maxThreads", type: "number", value: v("maxThreads"), hint: "Workers pushing changes to Salesforce (1–16).", error: err("maxThreads") })}
${field({ label: "Timeout (seconds)", name: "timeout", type: "number", value: v("timeout"), hint: "Per user or group operation (1–3600).", error: err("timeout") })}
</fieldset>
${o.isLdap ? sourceSettings : ""}
<fieldset class="card"><legend>Source Location</legend>
${o.isLdap ? text("Base DN", "baseDn", "Users and groups are searched under it.", true) : ""}
<h2 class="sub">Users</h2>
${text("Users Group DN", "usersGroupDN", o.isLdap ? "Members of this group are provisioned…" : "Members of this directory group (cn=…,ou=groups) are provisioned…")}
${checkbox({ label: "Users Nested Search (members of member groups too)", name: "usersNested", value: "true", checked: v("usersNested") === "true" })}
${text("Users Filter", "usersFilter", "…or the entries this LDAP filter matches, e.g. (department=Sales).")}
<h2 class="sub">Groups</h2>
${text("Groups Group DN", "groupsGroupDN", o.isLdap ? "The base DN groups are searched under (leave both blank to provision no groups)." : "A group provisioned as a Salesforce public group (leave both blank for none).")}
${checkbox({ label: "Groups Nested Search", name: "groupsNested", value: "true", checked: v("groupsNested") === "true" })}
${text("Groups Filter", "groupsFilter", "Groups this filter matches, e.g. (cn=sales-*).")}
</fieldset>
${o.viewer.role === "ADMIN" ? html`<p class="actions"><button type="submit" class="primary">${isNew ? "Create channel" : "Save channel"}</button></p>` : ""}`,
)}`,
  });
};
