import { AppError } from "../../lib/errors.ts";
import { snippet } from "../../xml/chars.ts";
import { inflateRawCapped } from "../../xml/inflate.ts";
import { allowedSignatureAlgorithm, type VerifyAlgorithms } from "../signing/verify-algorithms.ts";
import { type VerifiedBy, verifyWithPinnedCertificates } from "../signing/verify-raw.ts";
import {
  type BindingLimits,
  checkEncodedSize,
  checkRelayState,
  type DecodedMessage,
  defaultBindingLimits,
  type MessageType,
  type RedirectSignature,
  strictBase64,
  utf8Message,
} from "./message.ts";

/**
 * The HTTP-Redirect binding (saml-bindings §3.4) with the DEFLATE encoding (§3.4.4.1), read from
 * the raw query string. The query is parsed here rather than by URLSearchParams or the web
 * framework because the signature covers the parameters exactly as received, and because a
 * parser that keeps the last of two `SAMLRequest`s while the verifier uses the first is how
 * OpenSAML's CPPOST-126 forged signed messages: a repeated SAML parameter is refused outright.
 */

const DEFLATE_ENCODING = "urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE";

// The parameters the binding defines. Anything else in the query (a cache buster, a tracking
// parameter) is ignored: it is neither signed nor read.
const BINDING_PARAMETERS = [
  "SAMLRequest",
  "SAMLResponse",
  "RelayState",
  "SigAlg",
  "Signature",
  "SAMLEncoding",
] as const;
type BindingParameter = (typeof BINDING_PARAMETERS)[number];
const isBindingParameter = (name: string): name is BindingParameter =>
  (BINDING_PARAMETERS as readonly string[]).includes(name);

// RFC 3986 §3.4: a query is printable ASCII; "#" would start a fragment, which never reaches a
// server. Anything else means the string was decoded or mangled before it got here.
const RAW_QUERY = /^[\x21-\x22\x24-\x7e]*$/;

const bindingInvalid = (message: string): AppError => new AppError("SAML_BINDING_INVALID", { message });

/** application/x-www-form-urlencoded decoding of one name or value; undefined if malformed. */
const formDecode = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
};

/** The binding's parameters, raw (as received), each at most once. */
const readParameters = (rawQuery: string): Map<BindingParameter, string> => {
  const query = rawQuery.startsWith("?") ? rawQuery.slice(1) : rawQuery;
  if (!RAW_QUERY.test(query)) {
    throw bindingInvalid("The query string contains characters a URL query cannot carry unencoded.");
  }
  const found = new Map<BindingParameter, string>();
  for (const part of query.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const rawName = equals === -1 ? part : part.slice(0, equals);
    const rawValue = equals === -1 ? "" : part.slice(equals + 1);
    const name = formDecode(rawName);
    if (name === undefined || !isBindingParameter(name)) continue;
    // `SAMLReques%74` means SAMLRequest to most URL parsers: a second spelling of a signed
    // parameter is smuggling, not an encoding choice.
    if (rawName !== name) throw bindingInvalid(`The parameter ${name} is percent-encoded in its name.`);
    if (found.has(name)) throw bindingInvalid(`The parameter ${name} appears more than once.`);
    found.set(name, rawValue);
  }
  return found;
};

const decodeValue = (
  parameter: BindingParameter,
  raw: string,
  code: "SAML_MESSAGE_INVALID" | "SAML_BINDING_INVALID",
) => {
  const value = formDecode(raw);
  if (value === undefined) {
    throw new AppError(code, { message: `The ${parameter} parameter is not valid percent-encoded UTF-8.` });
  }
  return value;
};

const messageParameter = (parameters: Map<BindingParameter, string>): [MessageType, string] => {
  const request = parameters.get("SAMLRequest");
  const response = parameters.get("SAMLResponse");
  if (request !== undefined && response !== undefined) {
    throw bindingInvalid("The query carries both SAMLRequest and SAMLResponse.");
  }
  if (request !== undefined) return ["SAMLRequest", request];
  if (response !== undefined) return ["SAMLResponse", response];
  throw new AppError("SAML_MESSAGE_INVALID", {
    message: "The query carries no SAMLRequest or SAMLResponse.",
  });
};

const inflateMessage = (parameter: MessageType, raw: string, limits: BindingLimits): string => {
  const bytes = strictBase64(decodeValue(parameter, raw, "SAML_MESSAGE_INVALID"));
  if (bytes === undefined) {
    throw new AppError("SAML_MESSAGE_INVALID", { message: `The ${parameter} parameter is not base64.` });
  }
  let inflated: Buffer;
  try {
    inflated = inflateRawCapped(bytes, limits.maxXmlBytes);
  } catch (cause) {
    // XML_TOO_LARGE (a deflate bomb) keeps its code; corrupt DEFLATE data is a decoding failure.
    if (cause instanceof AppError && cause.code === "XML_MALFORMED") {
      throw new AppError("SAML_MESSAGE_INVALID", {
        message: `The ${parameter} parameter is not DEFLATE-compressed.`,
        cause,
      });
    }
    throw cause;
  }
  return utf8Message(inflated);
};

const readSignature = (
  parameters: Map<BindingParameter, string>,
  messageType: MessageType,
  rawMessage: string,
): RedirectSignature | undefined => {
  const rawSigAlg = parameters.get("SigAlg");
  const rawSignature = parameters.get("Signature");
  if (rawSigAlg === undefined && rawSignature === undefined) return undefined;
  if (rawSigAlg === undefined || rawSignature === undefined) {
    throw bindingInvalid("Signature and SigAlg must be sent together.");
  }
  const signature = strictBase64(decodeValue("Signature", rawSignature, "SAML_BINDING_INVALID"));
  if (signature === undefined) {
    throw new AppError("SAML_SIGNATURE_INVALID", { message: "The Signature parameter is not base64." });
  }
  const rawRelayState = parameters.get("RelayState");
  // saml-bindings §3.4.4.1: the octets are rebuilt from the values as received, in this order.
  const signedOctets =
    `${messageType}=${rawMessage}` +
    (rawRelayState === undefined ? "" : `&RelayState=${rawRelayState}`) +
    `&SigAlg=${rawSigAlg}`;
  return { sigAlg: decodeValue("SigAlg", rawSigAlg, "SAML_BINDING_INVALID"), signature, signedOctets };
};

/**
 * Decodes an HTTP-Redirect message from the raw query string (everything after `?`, exactly as
 * received; a leading `?` is tolerated). Nothing is trusted yet: call `verifyRedirectSignature`
 * (when signed or required) before reading the XML.
 *
 * Throws SAML_BINDING_INVALID (a repeated or percent-encoded binding parameter, both SAMLRequest
 * and SAMLResponse, Signature without SigAlg or the reverse, an unsupported SAMLEncoding, a
 * RelayState over 1024 bytes), SAML_MESSAGE_INVALID (no message, not base64, not DEFLATE, not
 * UTF-8), XML_TOO_LARGE (over `maxEncodedBytes` as received or `maxXmlBytes` inflated) and
 * SAML_SIGNATURE_INVALID (a Signature that is not base64).
 */
export const decodeRedirect = (
  rawQuery: string,
  limits: BindingLimits = defaultBindingLimits,
): DecodedMessage => {
  const parameters = readParameters(rawQuery);
  const [messageType, rawMessage] = messageParameter(parameters);
  checkEncodedSize(messageType, rawMessage.length, limits);
  const encoding = parameters.get("SAMLEncoding");
  if (encoding !== undefined && formDecode(encoding) !== DEFLATE_ENCODING) {
    throw bindingInvalid(
      `SAMLEncoding ${JSON.stringify(snippet(encoding))} is not supported; only DEFLATE is.`,
    );
  }
  const signature = readSignature(parameters, messageType, rawMessage);
  const rawRelayState = parameters.get("RelayState");
  const relayState =
    rawRelayState === undefined
      ? undefined
      : checkRelayState(decodeValue("RelayState", rawRelayState, "SAML_BINDING_INVALID"));
  const xml = inflateMessage(messageType, rawMessage, limits);
  return {
    binding: "redirect",
    messageType,
    xml,
    ...(relayState === undefined ? {} : { relayState }),
    ...(signature === undefined ? {} : { signature }),
  };
};

/**
 * Verifies the detached signature of a decoded Redirect message with the connection's pinned
 * certificates, trying each in turn (two during a key rollover). Returns the one that verified.
 *
 * Throws SAML_SIGNATURE_REQUIRED (the query had no Signature), SAML_ALGORITHM_NOT_ALLOWED (SigAlg
 * not in `allowed`: unknown, HMAC, or RSA-SHA1 without allowSha1) and SAML_SIGNATURE_INVALID (no
 * certificate verifies it).
 */
export const verifyRedirectSignature = (
  decoded: DecodedMessage,
  certificatesPem: readonly string[],
  allowed: VerifyAlgorithms,
): VerifiedBy => {
  const signature = decoded.signature;
  if (signature === undefined) {
    throw new AppError("SAML_SIGNATURE_REQUIRED", {
      message: "The connection requires signed messages; this one has no Signature parameter.",
    });
  }
  const spec = allowedSignatureAlgorithm(signature.sigAlg, allowed);
  const verified = verifyWithPinnedCertificates(
    spec,
    Buffer.from(signature.signedOctets, "utf8"),
    signature.signature,
    certificatesPem,
    ["der", "ieee-p1363"],
  );
  if (verified === undefined) throw new AppError("SAML_SIGNATURE_INVALID");
  return verified;
};
