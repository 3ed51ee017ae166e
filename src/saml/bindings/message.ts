import { AppError } from "../../lib/errors.ts";

/**
 * What the HTTP-Redirect and HTTP-POST bindings (saml-bindings §3.4, §3.5) deliver, decoded but
 * not yet trusted: the XML has not been parsed, nor any signature checked.
 */

/** The form field or query parameter that carried the message. */
export type MessageType = "SAMLRequest" | "SAMLResponse";

/** Caps applied before anything is parsed. */
export type BindingLimits = {
  /** Largest accepted `SAMLRequest`/`SAMLResponse` value as received (percent- or base64-encoded). */
  readonly maxEncodedBytes: number;
  /** Largest accepted XML after base64 decoding and (Redirect) inflating, in bytes. */
  readonly maxXmlBytes: number;
};

/**
 * Defaults: Salesforce's signed AuthnRequest is about 2 kB encoded; a LogoutRequest even less.
 * 64 kB of query string is more than browsers reliably carry, and 256 kB of XML is generous for
 * any request an SP sends while keeping a deflate bomb (1:1000) from costing more than that.
 */
export const defaultBindingLimits: BindingLimits = { maxEncodedBytes: 64 * 1024, maxXmlBytes: 256 * 1024 };

/**
 * RelayState cap. saml-bindings §3.4.3 and §3.5.3 say RelayState "MUST NOT exceed 80 bytes", but
 * Salesforce sends its start URL (a path with a query) as RelayState and many SPs send opaque
 * tokens longer than 80 bytes; refusing them would break sign-in. 1024 bytes keeps every such
 * value while bounding what we echo back in the response form.
 */
export const MAX_RELAY_STATE_BYTES = 1024;

/** The detached signature of the HTTP-Redirect binding (saml-bindings §3.4.4.1). */
export type RedirectSignature = {
  /** The SigAlg parameter, percent-decoded. */
  readonly sigAlg: string;
  /** The Signature parameter, percent- and base64-decoded. */
  readonly signature: Buffer;
  /**
   * Exactly the octets the signature covers: `SAMLRequest=…[&RelayState=…]&SigAlg=…`, each value
   * as received (still URL-encoded), in that order whatever order the query had.
   */
  readonly signedOctets: string;
};

/** A message as a binding delivered it. */
export type DecodedMessage = {
  readonly binding: "redirect" | "post";
  readonly messageType: MessageType;
  /** The message, UTF-8 decoded; not parsed yet. */
  readonly xml: string;
  /** Percent-decoded (Redirect) or as posted; at most MAX_RELAY_STATE_BYTES bytes. */
  readonly relayState?: string;
  /** Redirect binding only, when the query carried SigAlg and Signature. */
  readonly signature?: RedirectSignature;
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict base64 (RFC 4648 §4): the standard alphabet with padding. Node's Buffer.from(…, "base64")
 * skips any character it does not know, which would let two different strings decode to the same
 * message; we refuse instead. Returns undefined when `text` is not base64.
 */
export const strictBase64 = (text: string): Buffer | undefined =>
  text !== "" && BASE64.test(text) ? Buffer.from(text, "base64") : undefined;

/** UTF-8 bytes → string, refusing invalid sequences (SAML_MESSAGE_INVALID). */
export const utf8Message = (bytes: Uint8Array): string => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new AppError("SAML_MESSAGE_INVALID", { message: "The decoded SAML message is not UTF-8.", cause });
  }
};

/** The RelayState cap, SAML_BINDING_INVALID beyond it. */
export const checkRelayState = (relayState: string): string => {
  const bytes = Buffer.byteLength(relayState, "utf8");
  if (bytes > MAX_RELAY_STATE_BYTES) {
    throw new AppError("SAML_BINDING_INVALID", {
      message: `RelayState is ${bytes} bytes long; at most ${MAX_RELAY_STATE_BYTES} are accepted.`,
    });
  }
  return relayState;
};

/** XML_TOO_LARGE when the encoded message is over the cap. */
export const checkEncodedSize = (parameter: MessageType, length: number, limits: BindingLimits): void => {
  if (length > limits.maxEncodedBytes) {
    throw new AppError("XML_TOO_LARGE", {
      message: `${parameter} is ${length} bytes long encoded; the limit is ${limits.maxEncodedBytes}.`,
    });
  }
};
