import { type ConnectionCert, type SpConnection, signingAlgorithms } from "../../domain/sp-connection.ts";
import { parseCertificate } from "../../domain/validate-sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { actionButton, checkbox, postForm, select, statusBadge, table } from "./components.ts";
import { errorFor, type FormErrors, fileField } from "./connection-actions.ts";
import type { Viewer } from "./layout.ts";

/** A signing key pair as the Signing Certificate list shows it. */
export type KeyChoice = {
  readonly id: string;
  readonly keyAlgorithm: "RSA" | "EC";
  readonly subjectDn: string;
  readonly expires: string;
};

export const credentialsLabels = {
  certificate: "Verification Certificate",
  signingKeyPairId: "Signing Certificate",
  algorithm: "Signing Algorithm",
} as const;

/** The Credentials tab (§3.7): Digital Signature Settings, and the SP's certificates. */
export const credentialsBody = (o: {
  viewer: Viewer;
  document: SpConnection;
  keys: readonly KeyChoice[];
  action: string;
  errors: FormErrors;
  submitLabel: string;
  certsAction: string;
  certErrors: FormErrors;
  now: Date;
}): SafeHtml => {
  const signing = o.document.credentials?.signingSettings;
  const certs = o.document.credentials?.certs ?? [];
  return html`${postForm(
    o.viewer,
    o.action,
    html`<fieldset><legend>Digital Signature Settings</legend>
${select({
  label: "Signing Certificate",
  name: "signingKeyPairId",
  value: signing?.signingKeyPairRef.id,
  options: [
    ...(signing ? [] : [{ value: "", label: "Choose a signing certificate" }]),
    ...o.keys.map((k) => ({
      value: k.id,
      label: `${k.id}: ${k.subjectDn} (${k.keyAlgorithm}, expires ${k.expires.slice(0, 10)})`,
    })),
  ],
  hint: "One of this server's signing key pairs (Signing Keys).",
  error: errorFor(o.errors, "signingKeyPairId"),
})}
${checkbox({ label: "Include the certificate in the signature <KeyInfo> element", name: "includeCertInSignature", checked: signing?.includeCertInSignature === true, hint: "Salesforce's guide asks for it." })}
${checkbox({ label: "Include the raw key in the signature <KeyValue> element", name: "includeRawKeyInSignature", checked: signing?.includeRawKeyInSignature === true })}
${select({
  label: "Signing Algorithm",
  name: "algorithm",
  value: signing?.algorithm ?? "SHA256withRSA",
  options: signingAlgorithms.map((a) => ({ value: a, label: a.replace("with", " with ") })),
  error: errorFor(o.errors, "algorithm"),
})}
</fieldset>
${o.viewer.role === "ADMIN" ? html`<p class="actions"><button type="submit" class="primary">${o.submitLabel}</button> <a href="/console/connections">Cancel</a></p>` : ""}`,
    { class: "card" },
  )}
${certificatesCard(o.viewer, certs, o.certsAction, o.certErrors, o.now)}`;
};

const certUse = (c: ConnectionCert) =>
  [
    c.primaryVerificationCert ? "primary verification" : "",
    c.secondaryVerificationCert ? "secondary verification" : "",
    c.encryptionCert ? "encryption" : "",
  ]
    .filter(Boolean)
    .join(", ") || "verification";

/** The SP's certificates: each with its subject, expiry and use; upload one, remove one. */
const certificatesCard = (
  viewer: Viewer,
  certs: readonly ConnectionCert[],
  action: string,
  errors: FormErrors,
  now: Date,
): SafeHtml => {
  const rows = certs.map((c, row) => {
    const parsed = parseCertificate(c.x509File.fileData);
    const subject = parsed ? parsed.subject.replace(/\n/g, ", ") : "(unreadable certificate)";
    const expires = parsed ? new Date(parsed.validTo) : undefined;
    return { row, subject, expires, use: certUse(c) };
  });
  return html`<section class="card" aria-labelledby="certs-h"><h3 id="certs-h">Signature Verification and Encryption Certificates</h3>
${table(
  "The SP's certificates",
  [
    { header: "Subject", cell: (r) => r.subject },
    {
      header: "Expires",
      cell: (r) =>
        r.expires === undefined
          ? ""
          : html`${r.expires.toISOString().slice(0, 10)}${r.expires < now ? html` ${statusBadge("Expired")}` : ""}`,
    },
    { header: "Use", cell: (r) => r.use },
    {
      header: "Action",
      cell: (r) =>
        actionButton(viewer, action, "Remove", {
          hidden: { op: "remove", row: String(r.row) },
          confirm: `Remove the certificate of ${r.subject}?`,
        }),
    },
  ],
  rows,
  "None yet: the SP's metadata published no certificate.",
)}
${
  viewer.role === "ADMIN"
    ? postForm(
        viewer,
        action,
        html`<input type="hidden" name="op" value="add">
${fileField({ label: "Verification Certificate", name: "certificate", accept: ".pem,.crt,.cer,.der", hint: "The SP's signing certificate, PEM or DER: it checks the SP's signed AuthnRequests and logout messages.", error: errorFor(errors, "certificate"), required: true })}
<p class="actions"><button type="submit">Upload certificate</button></p>`,
        { enctype: "multipart/form-data" },
      )
    : ""
}</section>`;
};
