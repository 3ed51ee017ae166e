import { html, type SafeHtml } from "../../http/html.ts";
import type { ConnectionDraft } from "../../services/console/connection-drafts.ts";
import { type GeneralInfo, loggingModes } from "../../services/console/general-info.ts";
import { field, postForm, select, textarea } from "./components.ts";
import { errorFor, type FormErrors } from "./connection-actions.ts";
import { draftPath, wizardButtons, wizardPage } from "./connection-wizard.ts";
import type { Viewer } from "./layout.ts";

/** The General Info fields' labels, as PingFederate's tab names them (§3.5). */
export const generalLabels = {
  entityId: "Partner's Entity ID (Connection ID)",
  name: "Connection Name",
  virtualEntityIds: "Virtual Server IDs",
  defaultVirtualEntityId: "Default Virtual Server ID",
  baseUrl: "Base URL",
  company: "Company",
  firstName: "Contact First Name",
  lastName: "Contact Last Name",
  phone: "Contact Number",
  email: "Contact Email",
  applicationName: "Application Name",
  applicationIconUrl: "Application Icon URL",
  loggingMode: "Transaction Logging",
} as const;

const loggingLabels: Readonly<Record<(typeof loggingModes)[number], string>> = {
  NONE: "None",
  STANDARD: "Standard",
  ENHANCED: "Enhanced",
  FULL: "Full",
};

/** The General Info fields (inside a form the page provides). */
export const generalFields = (info: GeneralInfo, errors: FormErrors): SafeHtml => {
  const error = (name: keyof typeof generalLabels) => errorFor(errors, name);
  const text = (
    name: Exclude<keyof typeof generalLabels, "virtualEntityIds" | "loggingMode">,
    o: { required?: boolean; hint?: string; type?: "url" | "email" | "text" } = {},
  ) =>
    field({
      label: generalLabels[name],
      name,
      value: info[name],
      required: o.required,
      hint: o.hint,
      type: o.type === "url" ? "text" : o.type,
      error: error(name),
    });
  return html`${text("entityId", {
    required: true,
    hint: "What Salesforce's SSO settings call its Entity ID: the My Domain URL, or the community's URL.",
  })}
${text("name", { required: true, hint: "Your choice: how the console lists this connection." })}
${textarea({
  label: generalLabels.virtualEntityIds,
  name: "virtualEntityIds",
  value: info.virtualEntityIds.join("\n"),
  rows: 3,
  hint: "One per line. If Salesforce's Issuer is a custom entity ID, enter it here: Portico then sends it as the issuer.",
  error: error("virtualEntityIds"),
})}
${text("defaultVirtualEntityId", { hint: "The one sent by default, when there are virtual server IDs (one of them)." })}
${text("baseUrl", { hint: "The partner's base URL; endpoints may then be given as paths." })}
<fieldset><legend>Contact</legend><div class="field-row">
${text("company")}${text("firstName")}${text("lastName")}${text("phone")}${text("email", { type: "email" })}
</div></fieldset>
<div class="field-row">${text("applicationName")}${text("applicationIconUrl")}</div>
${select({
  label: generalLabels.loggingMode,
  name: "loggingMode",
  value: info.loggingMode,
  options: loggingModes.map((m) => ({ value: m, label: loggingLabels[m] })),
  error: error("loggingMode"),
})}`;
};

/** General Info in the Create Connection wizard. */
export const newGeneralTab = (o: {
  viewer: Viewer;
  draft: ConnectionDraft;
  info: GeneralInfo;
  errors: FormErrors;
  notice?: string | undefined;
}): string =>
  wizardPage({
    viewer: o.viewer,
    draft: o.draft,
    notice: o.notice,
    tab: "general",
    errors: o.errors,
    labels: generalLabels,
    body: postForm(
      o.viewer,
      draftPath(o.draft, "general"),
      html`${generalFields(o.info, o.errors)}
${wizardButtons()}`,
      { class: "card" },
    ),
  });
