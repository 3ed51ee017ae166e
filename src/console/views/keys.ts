import { html, type SafeHtml } from "../../http/html.ts";
import type { SigningKeyView } from "../../services/keys.ts";
import {
  actionButton,
  checkbox,
  errorSummary,
  field,
  postForm,
  select,
  statusBadge,
  table,
} from "./components.ts";
import { type FormErrors, summaryOf, when } from "./format.ts";
import { consolePage, type Viewer } from "./layout.ts";

export const keyTypes = ["RSA-2048", "RSA-3072", "EC-256"] as const;
export type KeyType = (typeof keyTypes)[number];

export type GenerateForm = {
  commonName: string;
  organization: string;
  organizationUnit: string;
  city: string;
  state: string;
  country: string;
  keyType: KeyType;
  validDays: string;
  id: string;
  makeDefault: boolean;
  errors: FormErrors;
};
export type ImportForm = { format: "PKCS12" | "PEM"; id: string; makeDefault: boolean; errors: FormErrors };

export const emptyGenerateForm: GenerateForm = {
  commonName: "",
  organization: "",
  organizationUnit: "",
  city: "",
  state: "",
  country: "",
  keyType: "RSA-2048",
  validDays: "1095",
  id: "",
  makeDefault: false,
  errors: {},
};

export const generateLabels = {
  commonName: "Common name (CN)",
  organization: "Organization (O)",
  organizationUnit: "Organization unit (OU)",
  city: "City (L)",
  state: "State (ST)",
  country: "Country (C)",
  keyType: "Key type",
  validDays: "Valid for (days)",
  id: "Key pair ID",
};
const importLabels = { format: "File format", file: "File", password: "Password", id: "Key pair ID" };

const keyPath = (id: string) => `/console/keys/${encodeURIComponent(id)}`;

const validity = (k: SigningKeyView) =>
  k.status === "EXPIRED"
    ? statusBadge("Expired")
    : k.status === "NOT_YET_VALID"
      ? statusBadge("Not yet valid")
      : k.expiryWarning
        ? statusBadge("Expires soon")
        : statusBadge("Valid");

const keyTable = (viewer: Viewer, keys: readonly SigningKeyView[]): SafeHtml =>
  table(
    `${keys.length} signing key pair${keys.length === 1 ? "" : "s"}`,
    [
      {
        header: "Key pair",
        cell: (k) =>
          html`<code>${k.id}</code>${k.isDefault ? html` <span class="badge">default</span>` : ""}<br><span class="muted">${k.subjectDN}</span>`,
      },
      {
        header: "Algorithm",
        cell: (k) => `${k.keyAlgorithm} ${k.keyAlgorithm === "EC" ? "P-256" : k.keySize}`,
      },
      { header: "Expires", cell: (k) => html`${when(k.expires)}<br>${validity(k)}` },
      {
        header: "Used by",
        cell: (k) =>
          k.usedBy.length === 0
            ? "—"
            : html`${k.usedBy.map((c, i) => html`${i > 0 ? ", " : ""}<a href="/console/connections/${encodeURIComponent(c.id)}">${c.name}</a>`)}`,
      },
      {
        header: "Actions",
        cell: (
          k,
        ) => html`<a href="${keyPath(k.id)}/certificate" download>Download certificate<span class="visually-hidden"> of ${k.id}</span></a>
${k.isDefault ? "" : actionButton(viewer, `${keyPath(k.id)}/default`, "Make default")}
${k.isDefault || k.usedBy.length > 0 ? "" : actionButton(viewer, `${keyPath(k.id)}/delete`, "Delete", { danger: true, confirm: `Delete the signing key pair "${k.id}"? Its private key is gone for good.` })}`,
      },
    ],
    keys,
    "No signing key pair yet: generate one, or import one.",
  );

const generateForm = (viewer: Viewer, f: GenerateForm): SafeHtml =>
  postForm(
    viewer,
    "/console/keys/generate",
    html`${errorSummary(summaryOf(f.errors, generateLabels))}
${field({ label: generateLabels.commonName, name: "commonName", value: f.commonName, error: f.errors.commonName, hint: "Empty: this server's host name." })}
${field({ label: generateLabels.organization, name: "organization", value: f.organization, error: f.errors.organization })}
${field({ label: generateLabels.organizationUnit, name: "organizationUnit", value: f.organizationUnit, error: f.errors.organizationUnit })}
${field({ label: generateLabels.city, name: "city", value: f.city, error: f.errors.city })}
${field({ label: generateLabels.state, name: "state", value: f.state, error: f.errors.state })}
${field({ label: generateLabels.country, name: "country", value: f.country, error: f.errors.country, hint: "Two capital letters, for example US." })}
${select({
  label: generateLabels.keyType,
  name: "keyType",
  value: f.keyType,
  error: f.errors.keyType,
  options: [
    { value: "RSA-2048", label: "RSA 2048 bits" },
    { value: "RSA-3072", label: "RSA 3072 bits" },
    { value: "EC-256", label: "EC P-256" },
  ],
})}
${field({ label: generateLabels.validDays, name: "validDays", type: "number", value: f.validDays, required: true, error: f.errors.validDays })}
${field({ label: generateLabels.id, name: "id", value: f.id, error: f.errors.id, hint: "Empty: one is made up." })}
${checkbox({ label: "Make it the server's default signing key", name: "makeDefault", checked: f.makeDefault, id: "generate-default" })}
<button type="submit" class="primary">Generate</button>`,
    { id: "generate-key", class: "card" },
  );

const importForm = (viewer: Viewer, f: ImportForm): SafeHtml =>
  postForm(
    viewer,
    "/console/keys/import",
    html`${errorSummary(summaryOf(f.errors, importLabels))}
${select({
  label: importLabels.format,
  name: "format",
  value: f.format,
  options: [
    { value: "PKCS12", label: "PKCS#12 (.p12, .pfx)" },
    { value: "PEM", label: "PEM: the private key and the certificate in one file" },
  ],
})}
${field({ label: importLabels.file, name: "file", type: "file", required: true, error: f.errors.file })}
${field({ label: importLabels.password, name: "password", type: "password", autocomplete: "off", error: f.errors.password, hint: "The PKCS#12 file's password, or the PEM private key's if it is encrypted." })}
${field({ label: importLabels.id, name: "id", value: f.id, error: f.errors.id, id: "import-id", hint: "Empty: one is made up." })}
${checkbox({ label: "Make it the server's default signing key", name: "makeDefault", checked: f.makeDefault, id: "import-default" })}
<button type="submit" class="primary">Import</button>`,
    { id: "import-key", class: "card", enctype: "multipart/form-data" },
  );

/** The signing key pairs, their expiry, and the forms to generate or import one. */
export const keysPage = (o: {
  viewer: Viewer;
  notice?: string | undefined;
  keys: readonly SigningKeyView[];
  generate?: GenerateForm | undefined;
  import?: ImportForm | undefined;
}): string => {
  const warnings = o.keys.filter((k) => k.expiryWarning !== null);
  return consolePage({
    title: "Signing Keys",
    viewer: o.viewer,
    section: "/console/keys",
    notice: o.notice,
    body: html`${
      warnings.length > 0
        ? html`<div class="alert warning" id="expiry-warnings"><p><strong>Certificates to renew</strong></p><ul>${warnings.map((k) => html`<li><code>${k.id}</code>: ${k.expiryWarning}</li>`)}</ul></div>`
        : ""
    }
${keyTable(o.viewer, o.keys)}
<p class="hint">To roll over: generate or import the new key pair, give its certificate to the service providers, then make it the default (or pick it on a connection's Credentials tab). A key pair still in use cannot be deleted.</p>
${
  o.viewer.role === "ADMIN"
    ? html`<h2>Generate a key pair</h2>
${generateForm(o.viewer, o.generate ?? emptyGenerateForm)}
<h2>Import a key pair</h2>
${importForm(o.viewer, o.import ?? { format: "PKCS12", id: "", makeDefault: false, errors: {} })}`
    : ""
}`,
  });
};
