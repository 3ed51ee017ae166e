import { NS, URN } from "./constants.ts";
import { certificateBody } from "./keys.ts";
import type { SamlOrgView } from "./types.ts";
import { allAcs, sloUrl } from "./urls.ts";
import { el } from "./xml.ts";

export type MetadataInput = {
  view: SamlOrgView;
  entityId: string;
  spCertificatePem: string;
  /** Publish an encryption KeyDescriptor (Assertion Decryption Certificate configured). */
  encryption: boolean;
};

const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000;

function keyDescriptor(use: "signing" | "encryption", certBody: string) {
  return el(
    "md:KeyDescriptor",
    { use },
    el("ds:KeyInfo", {}, el("ds:X509Data", {}, el("ds:X509Certificate", {}, certBody))),
  );
}

/**
 * SP metadata shaped like Salesforce's `SAMLSP-<id>.xml` (salesforce-api.md §5.4): md and ds
 * namespaces on the root, `validUntil` with milliseconds, one HTTP-POST ACS for the org at
 * index 0 (default) and one per Experience Cloud site after it.
 */
export function buildSpMetadata(input: MetadataInput): string {
  const { view, entityId, spCertificatePem, encryption } = input;
  const certBody = certificateBody(spCertificatePem);
  const validUntil = new Date(view.now().getTime() + TEN_YEARS_MS).toISOString();
  const acs = allAcs(view).map((endpoint, index) =>
    el("md:AssertionConsumerService", {
      Binding: URN.postBinding,
      Location: endpoint.url,
      index: String(index),
      isDefault: index === 0 ? "true" : undefined,
    }),
  );
  const descriptor = el(
    "md:SPSSODescriptor",
    {
      AuthnRequestsSigned: "true",
      WantAssertionsSigned: "true",
      protocolSupportEnumeration: NS.protocol,
    },
    keyDescriptor("signing", certBody),
    ...(encryption ? [keyDescriptor("encryption", certBody)] : []),
    el("md:SingleLogoutService", { Binding: URN.redirectBinding, Location: sloUrl(view) }),
    el("md:SingleLogoutService", { Binding: URN.postBinding, Location: sloUrl(view) }),
    el("md:NameIDFormat", {}, URN.unspecifiedNameId),
    ...acs,
  );
  const root = el(
    "md:EntityDescriptor",
    { "xmlns:md": NS.metadata, "xmlns:ds": NS.dsig, entityID: entityId, validUntil },
    descriptor,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.raw}\n`;
}
