import { AppError } from "../../lib/errors.ts";
import { type ParseXmlOptions, parseXml } from "../../xml/parse.ts";
import { displayName, rootElement } from "../../xml/select.ts";
import { ns } from "../urn.ts";
import { type ProtocolMessageName, readIssuer } from "./message-fields.ts";

/** What can be read of a message before anything about it is trusted. */
export type UntrustedPeek = {
  /** The root element's local name, in the SAML protocol namespace. */
  readonly messageName: ProtocolMessageName;
  /** The `saml:Issuer`: UNVERIFIED, good only for finding the connection whose keys verify it. */
  readonly issuer: string;
};

const RECEIVED: ReadonlySet<string> = new Set<ProtocolMessageName>([
  "AuthnRequest",
  "LogoutRequest",
  "LogoutResponse",
]);

/**
 * Parses a decoded message with the hardened parser and reads its root name and Issuer WITHOUT
 * trusting either: the endpoint needs the Issuer to find the connection whose pinned certificates
 * then verify the message. Nothing else may be read before that verification.
 *
 * Throws the parser's XML_* codes (DOCTYPE, two roots, size, depth, malformed; a comment inside
 * the Issuer is XML_MALFORMED) and SAML_REQUEST_INVALID (not a SAML 2.0 AuthnRequest,
 * LogoutRequest or LogoutResponse; no or several Issuers).
 */
export const peekIssuer = (xml: string, options: ParseXmlOptions = {}): UntrustedPeek => {
  const root = rootElement(parseXml(xml, options));
  if (root.namespaceURI !== ns.protocol || !RECEIVED.has(root.localName)) {
    throw new AppError("SAML_REQUEST_INVALID", {
      message: `<${displayName(root)}> is not a message this endpoint accepts.`,
    });
  }
  return {
    messageName: root.localName as ProtocolMessageName,
    issuer: readIssuer(root, "SAML_REQUEST_INVALID"),
  };
};
