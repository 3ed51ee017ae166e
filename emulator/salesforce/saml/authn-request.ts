import { randomBytes } from "node:crypto";
import { autoPostPage, encodePostMessage, encodeRedirectMessage } from "./bindings.ts";
import { NS, URN } from "./constants.ts";
import type { SpKeys } from "./keys.ts";
import type { SsoSettings } from "./settings.ts";
import { signEnveloped, signedRedirectQuery } from "./signature.ts";
import { el } from "./xml.ts";

export const AUTHN_REQUEST_ID_LENGTH = 300;

/**
 * Salesforce's request IDs start `_2CAAAA` and run to about 300 characters of base64url over
 * an opaque blob that embeds the org id (salesforce-api.md §5.3). IdPs have broken on them,
 * so the emulator sends ones just as long. base64url characters keep it an NCName.
 */
export function newAuthnRequestId(orgId: string, now: Date): string {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(now.getTime()));
  const blob = Buffer.concat([time.subarray(2), Buffer.from(`0O${orgId}`, "ascii"), randomBytes(240)]);
  return `_2CAAAA${blob.toString("base64url")}`.slice(0, AUTHN_REQUEST_ID_LENGTH);
}

export type AuthnRequestInput = {
  id: string;
  issueInstant: Date;
  settings: SsoSettings & { idpLoginUrl: string };
  acsUrl: string;
};

/** The AuthnRequest of salesforce-api.md §5.3: no NameIDPolicy, HTTP-POST ProtocolBinding. */
export function buildAuthnRequest(input: AuthnRequestInput): string {
  return el(
    "samlp:AuthnRequest",
    {
      "xmlns:samlp": NS.protocol,
      AssertionConsumerServiceURL: input.acsUrl,
      Destination: input.settings.idpLoginUrl,
      ID: input.id,
      IssueInstant: input.issueInstant.toISOString(),
      ProtocolBinding: URN.postBinding,
      Version: "2.0",
    },
    el("saml:Issuer", { "xmlns:saml": NS.assertion }, input.settings.entityId),
  ).raw;
}

export type Outbound = { kind: "redirect"; location: string } | { kind: "post"; html: string };

/**
 * Sends a SAML message to `destination` with the configured binding, signed with the SP key
 * when `settings.signRequests` (query signature for Redirect, enveloped for POST).
 */
export function sendToIdp(input: {
  xml: string;
  rootLocalName: string;
  param: "SAMLRequest" | "SAMLResponse";
  destination: string;
  binding: SsoSettings["requestBinding"];
  relayState?: string;
  settings: SsoSettings;
  keys: SpKeys;
}): Outbound {
  const { settings, keys } = input;
  if (input.binding === "HTTP-Redirect") {
    const query = signedRedirectQuery({
      param: input.param,
      encodedMessage: encodeRedirectMessage(input.xml),
      ...(input.relayState !== undefined ? { relayState: input.relayState } : {}),
      ...(settings.signRequests
        ? { sign: { privateKeyPem: keys.privateKeyPem, method: settings.requestSignatureMethod } }
        : {}),
    });
    const separator = input.destination.includes("?") ? "&" : "?";
    return { kind: "redirect", location: `${input.destination}${separator}${query}` };
  }
  const xml = settings.signRequests
    ? signEnveloped(input.xml, input.rootLocalName, keys, settings.requestSignatureMethod)
    : input.xml;
  return {
    kind: "post",
    html: autoPostPage(input.destination, {
      [input.param]: encodePostMessage(xml),
      RelayState: input.relayState,
    }),
  };
}
