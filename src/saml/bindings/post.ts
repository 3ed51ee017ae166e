import { AppError } from "../../lib/errors.ts";
import {
  type BindingLimits,
  checkEncodedSize,
  checkRelayState,
  type DecodedMessage,
  defaultBindingLimits,
  type MessageType,
  strictBase64,
  utf8Message,
} from "./message.ts";

/**
 * The HTTP-POST binding (saml-bindings §3.5): the message is base64 in a form field and any
 * signature is an enveloped `ds:Signature` inside it (verify with `verifyEnvelopedSignature`).
 */

/** A parsed urlencoded form body, as @fastify/formbody (querystring) produces it. */
export type PostFields = Readonly<Record<string, string | readonly string[] | undefined>>;

const bindingInvalid = (message: string): AppError => new AppError("SAML_BINDING_INVALID", { message });

/** The one value of `name`, undefined when absent; a repeated field is refused. */
const single = (fields: PostFields, name: string): string | undefined => {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (value === undefined || typeof value === "string") return value;
  // The form parser turns a repeated field into an array; which one counts would be a guess.
  throw bindingInvalid(`The form field ${name} appears more than once.`);
};

// base64 in a form may be wrapped in lines (RFC 2045 style); nothing else may separate it.
const FORM_WHITESPACE = /[\r\n\t ]+/g;

/**
 * Decodes an HTTP-POST message from the form fields. Nothing is trusted yet.
 *
 * Throws SAML_BINDING_INVALID (a repeated field, both SAMLRequest and SAMLResponse, SigAlg or
 * Signature fields of the POST-SimpleSign binding, which Portico does not support, a RelayState
 * over 1024 bytes), SAML_MESSAGE_INVALID (no message, not base64, not UTF-8) and XML_TOO_LARGE.
 */
export const decodePost = (
  fields: PostFields,
  limits: BindingLimits = defaultBindingLimits,
): DecodedMessage => {
  const request = single(fields, "SAMLRequest");
  const response = single(fields, "SAMLResponse");
  const relayState = single(fields, "RelayState");
  if (single(fields, "SigAlg") !== undefined || single(fields, "Signature") !== undefined) {
    // saml-binding-simplesign: a signature over form fields. Not ours to guess at; refuse it
    // rather than treat the message as unsigned.
    throw bindingInvalid("The HTTP-POST-SimpleSign binding (SigAlg and Signature fields) is not supported.");
  }
  if (request !== undefined && response !== undefined) {
    throw bindingInvalid("The form carries both SAMLRequest and SAMLResponse.");
  }
  const [messageType, encoded]: [MessageType, string | undefined] =
    request !== undefined ? ["SAMLRequest", request] : ["SAMLResponse", response];
  if (encoded === undefined) {
    throw new AppError("SAML_MESSAGE_INVALID", {
      message: "The form carries no SAMLRequest or SAMLResponse.",
    });
  }
  checkEncodedSize(messageType, encoded.length, limits);
  const bytes = strictBase64(encoded.replace(FORM_WHITESPACE, ""));
  if (bytes === undefined) {
    throw new AppError("SAML_MESSAGE_INVALID", { message: `The ${messageType} field is not base64.` });
  }
  if (bytes.length > limits.maxXmlBytes) {
    throw new AppError("XML_TOO_LARGE", {
      message: `The XML document is too large: ${bytes.length} bytes, the limit is ${limits.maxXmlBytes}.`,
    });
  }
  return {
    binding: "post",
    messageType,
    xml: utf8Message(bytes),
    ...(relayState === undefined ? {} : { relayState: checkRelayState(relayState) }),
  };
};
