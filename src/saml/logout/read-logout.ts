import { AppError } from "../../lib/errors.ts";
import type { SpTrust } from "../authn-request/read-authn-request.ts";
import type { DecodedMessage } from "../bindings/message.ts";
import { expectIssuer, openMessage } from "../bindings/open-message.ts";
import {
  type LogoutRequest,
  type LogoutResponse,
  parseLogoutRequest,
  parseLogoutResponse,
} from "./parse-logout.ts";

/** A logout message read from verified bytes, and whether it was signed. */
export type ReadLogout<T> = { readonly message: T; readonly isSigned: boolean };

const expectType = (
  decoded: DecodedMessage,
  messageType: DecodedMessage["messageType"],
  name: string,
): void => {
  if (decoded.messageType !== messageType) {
    throw new AppError("SAML_BINDING_INVALID", { message: `A ${name} must be sent as ${messageType}.` });
  }
};

/** `openMessage` → `parseLogoutRequest` → Issuer is the connection. See readAuthnRequest. */
export const readLogoutRequest = (decoded: DecodedMessage, trust: SpTrust): ReadLogout<LogoutRequest> => {
  expectType(decoded, "SAMLRequest", "LogoutRequest");
  const opened = openMessage(decoded, "LogoutRequest", trust);
  const message = parseLogoutRequest(opened.root);
  expectIssuer(message.issuer, trust.entityId, opened.isSigned);
  return { message, isSigned: opened.isSigned };
};

/** `openMessage` → `parseLogoutResponse` → Issuer is the connection. */
export const readLogoutResponse = (decoded: DecodedMessage, trust: SpTrust): ReadLogout<LogoutResponse> => {
  expectType(decoded, "SAMLResponse", "LogoutResponse");
  const opened = openMessage(decoded, "LogoutResponse", trust);
  const message = parseLogoutResponse(opened.root);
  expectIssuer(message.issuer, trust.entityId, opened.isSigned);
  return { message, isSigned: opened.isSigned };
};
