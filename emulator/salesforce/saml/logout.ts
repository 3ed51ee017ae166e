import { randomBytes } from "node:crypto";
import { decodePostMessage, decodeRedirectMessage } from "./bindings.ts";
import { NS, URN } from "./constants.ts";
import type { SsoSettings } from "./settings.ts";
import { type RedirectMessage, verifyEnvelopedSignature, verifyRedirectQuery } from "./signature.ts";
import { attr, child, children, el, parseXml, text } from "./xml.ts";

export function newMessageId(): string {
  return `_${randomBytes(20).toString("hex")}`;
}

/** saml-core §3.7.1, as Salesforce sends it at logout (signed, HTTP-Redirect). */
export function buildLogoutRequest(input: {
  id: string;
  issueInstant: Date;
  destination: string;
  issuer: string;
  nameId: string;
  sessionIndex?: string;
}): string {
  return el(
    "samlp:LogoutRequest",
    {
      "xmlns:samlp": NS.protocol,
      "xmlns:saml": NS.assertion,
      ID: input.id,
      Version: "2.0",
      IssueInstant: input.issueInstant.toISOString(),
      Destination: input.destination,
    },
    el("saml:Issuer", {}, input.issuer),
    el("saml:NameID", { Format: URN.unspecifiedNameId }, input.nameId),
    ...(input.sessionIndex !== undefined ? [el("samlp:SessionIndex", {}, input.sessionIndex)] : []),
  ).raw;
}

/** saml-core §3.7.2: the answer to an IdP's LogoutRequest. */
export function buildLogoutResponse(input: {
  id: string;
  issueInstant: Date;
  destination: string;
  issuer: string;
  inResponseTo: string;
  statusCode: string;
}): string {
  return el(
    "samlp:LogoutResponse",
    {
      "xmlns:samlp": NS.protocol,
      "xmlns:saml": NS.assertion,
      ID: input.id,
      Version: "2.0",
      IssueInstant: input.issueInstant.toISOString(),
      Destination: input.destination,
      InResponseTo: input.inResponseTo,
    },
    el("saml:Issuer", {}, input.issuer),
    el("samlp:Status", {}, el("samlp:StatusCode", { Value: input.statusCode })),
  ).raw;
}

export type InboundLogout = {
  message: "LogoutRequest" | "LogoutResponse";
  id: string;
  issuer: string;
  nameId?: string;
  sessionIndexes: string[];
  inResponseTo?: string;
  statusCode?: string;
};

export type InboundLogoutResult = { ok: true; logout: InboundLogout } | { ok: false; reason: string };

/**
 * Reads an IdP's LogoutRequest or LogoutResponse from the Redirect binding (query signature
 * over the raw octets) or the POST binding (enveloped signature), and checks the Issuer.
 * An unsigned message is refused: anyone could otherwise end a user's session.
 */
export function readInboundLogout(input: {
  binding: "HTTP-Redirect" | "HTTP-POST";
  param: RedirectMessage;
  value: string;
  rawQuery: string;
  settings: SsoSettings;
  sloUrl: string;
}): InboundLogoutResult {
  const expected = input.param === "SAMLRequest" ? "LogoutRequest" : "LogoutResponse";
  let root: Element;
  try {
    const xml =
      input.binding === "HTTP-Redirect" ? decodeRedirectMessage(input.value) : decodePostMessage(input.value);
    const doc = parseXml(xml);
    const parsedRoot = doc.documentElement;
    if (!parsedRoot || parsedRoot.namespaceURI !== NS.protocol || parsedRoot.localName !== expected) {
      return { ok: false, reason: `expected samlp:${expected}` };
    }
    root = parsedRoot;
    const id = attr(root, "ID");
    if (id === undefined) return { ok: false, reason: `${expected} has no ID` };
    if (input.binding === "HTTP-Redirect") {
      const verified = verifyRedirectQuery(input.rawQuery, input.param, input.settings.idpCertificate);
      if (!verified.ok) return { ok: false, reason: verified.reason };
    } else {
      const signature = child(root, NS.dsig, "Signature");
      if (!signature) return { ok: false, reason: `${expected} is not signed` };
      const verified = verifyEnvelopedSignature(xml, doc, signature, id, input.settings.idpCertificate);
      if (!verified.ok) return { ok: false, reason: verified.reason };
      const signedRoot = parseXml(verified.signedXml).documentElement;
      if (!signedRoot || signedRoot.localName !== expected || attr(signedRoot, "ID") !== id) {
        return { ok: false, reason: "signature covers another element" };
      }
      root = signedRoot;
    }
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }

  const id = attr(root, "ID") ?? "";
  const issuer = text(child(root, NS.assertion, "Issuer"));
  if (issuer !== input.settings.issuer) {
    return { ok: false, reason: `Issuer "${issuer ?? ""}" is not the configured "${input.settings.issuer}"` };
  }
  const destination = attr(root, "Destination");
  if (destination !== undefined && destination !== input.sloUrl) {
    return { ok: false, reason: `Destination "${destination}" is not ${input.sloUrl}` };
  }
  const nameId = text(child(root, NS.assertion, "NameID"));
  const inResponseTo = attr(root, "InResponseTo");
  const status = child(child(root, NS.protocol, "Status") ?? root, NS.protocol, "StatusCode");
  const statusCode = status ? attr(status, "Value") : undefined;
  return {
    ok: true,
    logout: {
      message: expected,
      id,
      issuer,
      ...(nameId !== undefined ? { nameId } : {}),
      sessionIndexes: children(root, NS.protocol, "SessionIndex").map((s) => text(s) ?? ""),
      ...(inResponseTo !== undefined ? { inResponseTo } : {}),
      ...(statusCode !== undefined ? { statusCode } : {}),
    },
  };
}
