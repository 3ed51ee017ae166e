import type { SpConnection } from "../../domain/sp-connection.ts";
import { html, type SafeHtml } from "../../http/html.ts";

/**
 * The summary of a connection, section by section as its tabs are (Activation & Summary,
 * pingfederate-salesforce-spec.md §3.9): each heading links back to the tab that edits it.
 */

const yesNo = (value: boolean | undefined) => (value ? "Yes" : "No");

const profileLabels: Readonly<Record<string, string>> = {
  IDP_INITIATED_SSO: "IdP-Initiated SSO",
  SP_INITIATED_SSO: "SP-Initiated SSO",
  IDP_INITIATED_SLO: "IdP-Initiated SLO",
  SP_INITIATED_SLO: "SP-Initiated SLO",
};

const section = (title: string, href: string | undefined, rows: readonly [string, SafeHtml | string][]) =>
  html`<section class="card summary-section"><h3>${href ? html`<a href="${href}">${title}</a>` : title}</h3>
<dl class="summary">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>`;

/** Where each part of the document is edited: a tab's slug for a field path (errors name paths). */
export const tabOfField = (field: string | undefined): string => {
  if (field === undefined) return "general";
  if (field.startsWith("spBrowserSso")) return "browser-sso";
  if (field.startsWith("credentials")) return "credentials";
  if (field.startsWith("outboundProvision")) return "provisioning";
  return "general";
};

export const connectionSummary = (c: SpConnection, href: (tab: string) => string | undefined): SafeHtml => {
  const sso = c.spBrowserSso;
  const signing = c.credentials?.signingSettings;
  const provision = c.outboundProvision;
  const contact = c.contactInfo;
  const mapping = sso?.adapterMappings[0] ?? sso?.authenticationPolicyContractAssertionMappings?.[0];
  const contract = [
    ...(sso?.attributeContract.coreAttributes ?? []),
    ...(sso?.attributeContract.extendedAttributes ?? []),
  ];
  return html`${section("General Info", href("general"), [
    ["Partner's Entity ID", html`<code>${c.entityId}</code>`],
    ["Connection Name", c.name],
    ["Virtual Server IDs", (c.virtualEntityIds ?? []).join(", ") || "None"],
    ["Base URL", c.baseUrl || "None"],
    [
      "Contact",
      [contact?.firstName, contact?.lastName, contact?.company, contact?.phone, contact?.email]
        .filter(Boolean)
        .join(", ") || "None",
    ],
    ["Transaction Logging", c.loggingMode ?? "STANDARD"],
  ])}
${
  sso
    ? section("Browser SSO", href("browser-sso"), [
        ["SAML Profiles", sso.enabledProfiles.map((p) => profileLabels[p] ?? p).join(", ")],
        [
          "Assertion Lifetime",
          `${sso.assertionLifetime.minutesBefore} minutes before, ${sso.assertionLifetime.minutesAfter} after`,
        ],
        ["Identity Mapping", sso.spSamlIdentityMapping ?? "STANDARD"],
        ["Attribute Contract", contract.map((a) => a.name).join(", ") || "None"],
        [
          "Attribute Contract Fulfillment",
          html`<ul class="plain">${Object.entries(mapping?.attributeContractFulfillment ?? {}).map(
            ([name, f]) => html`<li><code>${name}</code> ← ${f.source.type} <code>${f.value}</code></li>`,
          )}</ul>`,
        ],
        [
          "Assertion Consumer Service URLs",
          html`<ul class="plain">${sso.ssoServiceEndpoints.map(
            (e) =>
              html`<li><code>${e.url}</code> (${e.binding}, index ${e.index}${e.isDefault ? ", default" : ""})</li>`,
          )}</ul>`,
        ],
        ["Allowable SAML Bindings", (sso.incomingBindings ?? []).join(", ") || "None"],
        [
          "Signature Policy",
          [
            sso.requireSignedAuthnRequests ? "AuthnRequests must be signed" : "",
            sso.signAssertions ? "always sign the assertion" : "",
            sso.signResponseAsRequired !== false ? "sign the response" : "",
          ]
            .filter(Boolean)
            .join("; "),
        ],
        [
          "Encryption Policy",
          sso.encryptionPolicy?.encryptAssertion ? "Encrypt the entire assertion" : "None",
        ],
      ])
    : ""
}
${
  sso
    ? section("Credentials", href("credentials"), [
        ["Signing Certificate", signing ? html`<code>${signing.signingKeyPairRef.id}</code>` : "None"],
        ["Signing Algorithm", signing?.algorithm ?? "default"],
        ["Include the certificate in KeyInfo", yesNo(signing?.includeCertInSignature)],
        ["Include the raw key in KeyValue", yesNo(signing?.includeRawKeyInSignature)],
        [
          "Verification certificates",
          String((c.credentials?.certs ?? []).filter((x) => !x.encryptionCert).length),
        ],
      ])
    : ""
}
${provision ? provisioningSummary(provision, href("provisioning")) : ""}`;
};

/** The Outbound Provisioning section: the type, whether the target has credentials, the channels. */
export const provisioningSummary = (
  provision: NonNullable<SpConnection["outboundProvision"]>,
  href: string | undefined,
): SafeHtml =>
  section("Outbound Provisioning", href, [
    ["Type", provision.type],
    [
      "Target",
      provision.targetSettings.some((s) => s.name === "CLIENT_ID" && s.value)
        ? "Credentials entered"
        : "Credentials not entered yet",
    ],
    [
      "Channels",
      provision.channels.length === 0
        ? "None yet"
        : provision.channels.map((ch) => `${ch.name} (${ch.active ? "active" : "inactive"})`).join(", "),
    ],
  ]);
