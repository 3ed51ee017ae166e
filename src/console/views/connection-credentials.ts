import { type SpConnection, signingAlgorithms } from "../../domain/sp-connection.ts";
import { parseCertificate } from "../../domain/validate-sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";
import { checkbox, postForm, select } from "./components.ts";
import { errorFor, type FormErrors } from "./connection-actions.ts";
import type { Viewer } from "./layout.ts";

/** A signing key pair as the Signing Certificate list shows it. */
export type KeyChoice = {
  readonly id: string;
  readonly keyAlgorithm: "RSA" | "EC";
  readonly subjectDn: string;
  readonly expires: string;
};

export const credentialsLabels = {
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
<section class="card" aria-labelledby="certs-h"><h3 id="certs-h">Signature Verification and Encryption Certificates</h3>
${
  certs.length === 0
    ? html`<p class="empty">None: the SP's metadata published no certificate.</p>`
    : html`<ul>${certs.map((c) => {
        const parsed = parseCertificate(c.x509File.fileData);
        const use = [
          c.primaryVerificationCert ? "primary verification" : "",
          c.secondaryVerificationCert ? "secondary verification" : "",
          c.encryptionCert ? "encryption" : "",
        ]
          .filter(Boolean)
          .join(", ");
        return html`<li>${parsed ? parsed.subject.replace(/\n/g, ", ") : "(unreadable certificate)"}: ${use || "verification"}${parsed ? `, expires ${new Date(parsed.validTo).toISOString().slice(0, 10)}` : ""}</li>`;
      })}</ul>`
}
<p class="hint">These come from the SP's metadata: they check its signed AuthnRequests, and encrypt for it.</p></section>`;
};
