import { AppError } from "../../lib/errors.ts";
import type { DecodedMessage } from "../bindings/message.ts";
import { expectIssuer, type MessageTrust, openMessage } from "../bindings/open-message.ts";
import { type AuthnRequest, parseAuthnRequest } from "./parse-authn-request.ts";

/** The connection's trust settings plus its entity ID, which the Issuer must equal. */
export type SpTrust = MessageTrust & { readonly entityId: string };

/**
 * Opens (verifies) and parses an AuthnRequest delivered by either binding, for the connection
 * found by `peekIssuer`: `openMessage` → `parseAuthnRequest` on the verified root → the Issuer
 * must be the connection's entity ID. Throws what those throw, and SAML_BINDING_INVALID when the
 * message came as SAMLResponse.
 */
export const readAuthnRequest = (decoded: DecodedMessage, trust: SpTrust): AuthnRequest => {
  if (decoded.messageType !== "SAMLRequest") {
    throw new AppError("SAML_BINDING_INVALID", { message: "An AuthnRequest must be sent as SAMLRequest." });
  }
  const opened = openMessage(decoded, "AuthnRequest", trust);
  const request = parseAuthnRequest(opened.root, { isSigned: opened.isSigned });
  expectIssuer(request.issuer, trust.entityId, opened.isSigned);
  return request;
};
