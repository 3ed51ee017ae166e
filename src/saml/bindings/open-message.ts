import { AppError } from "../../lib/errors.ts";
import { type ParseXmlOptions, parseXml } from "../../xml/parse.ts";
import { rootElement } from "../../xml/select.ts";
import type { VerifyAlgorithms } from "../signing/verify-algorithms.ts";
import { hasXmlSignature, messageCode, verifyEnvelopedSignature } from "../signing/verify-enveloped.ts";
import type { VerifiedBy } from "../signing/verify-raw.ts";
import type { DecodedMessage } from "./message.ts";
import { expectRoot, type ProtocolMessageName } from "./message-fields.ts";
import { verifyRedirectSignature } from "./redirect.ts";

/** What the connection found by the (untrusted) Issuer says about trusting its messages. */
export type MessageTrust = {
  /** The connection's pinned verification certificates (PEM). Never KeyInfo's. */
  readonly certificatesPem: readonly string[];
  /** The connection requires signed messages (e.g. `requireSignedAuthnRequests`). */
  readonly requireSignature: boolean;
  readonly allowed: VerifyAlgorithms;
  readonly xmlLimits?: ParseXmlOptions;
};

/** A message whose signature, if any, has been verified. */
export type OpenedMessage = {
  /**
   * The root element to read. For a signed POST message it is parsed from the signed bytes only;
   * for a Redirect message the signature covers the whole encoded XML, so it is the XML itself.
   */
  readonly root: Element;
  readonly isSigned: boolean;
  readonly verifiedBy?: VerifiedBy;
};

const required = (): AppError =>
  new AppError("SAML_SIGNATURE_REQUIRED", {
    message: "The connection requires signed messages; this one is not signed.",
  });

/**
 * Verifies a decoded message as its binding says and returns the root element that may be read:
 * - Redirect: signed when the query carried SigAlg and Signature; a ds:Signature inside the XML
 *   does not count (saml-bindings §3.4.4.1 says the sender removes it) and is never verified.
 * - POST: signed when the XML holds a ds:Signature anywhere; it is then verified whether or not
 *   the connection requires it, and only the signed bytes are returned.
 * An unsigned message is refused with SAML_SIGNATURE_REQUIRED when `requireSignature`.
 *
 * Throws as `verifyRedirectSignature` and `verifyEnvelopedSignature` do, the parser's XML_*
 * codes, and SAML_REQUEST_INVALID / SAML_LOGOUT_INVALID when the root is not `expected`.
 */
export const openMessage = (
  decoded: DecodedMessage,
  expected: ProtocolMessageName,
  trust: MessageTrust,
): OpenedMessage => {
  const code = messageCode(expected);
  if (decoded.binding === "redirect") {
    const verifiedBy =
      decoded.signature === undefined
        ? undefined
        : verifyRedirectSignature(decoded, trust.certificatesPem, trust.allowed);
    if (verifiedBy === undefined && trust.requireSignature) throw required();
    const root = rootElement(parseXml(decoded.xml, trust.xmlLimits));
    expectRoot(root, expected, code);
    return { root, isSigned: verifiedBy !== undefined, ...(verifiedBy === undefined ? {} : { verifiedBy }) };
  }

  const doc = parseXml(decoded.xml, trust.xmlLimits);
  if (!hasXmlSignature(doc)) {
    if (trust.requireSignature) throw required();
    const root = rootElement(doc);
    expectRoot(root, expected, code);
    return { root, isSigned: false };
  }
  const verified = verifyEnvelopedSignature(decoded.xml, {
    certificatesPem: trust.certificatesPem,
    allowed: trust.allowed,
    rootLocalName: expected,
    ...(trust.xmlLimits === undefined ? {} : { xmlLimits: trust.xmlLimits }),
  });
  return { root: verified.root, isSigned: true, verifiedBy: verified.verifiedBy };
};

/**
 * The Issuer read from the opened (verified) message must be the connection that was looked up
 * by the untrusted peek. They can only differ when the verified bytes are not the bytes peeked
 * at — a wrapping attempt — or when the caller looked the connection up by something else.
 */
export const expectIssuer = (issuer: string, entityId: string, isSigned: boolean): void => {
  if (issuer === entityId) return;
  throw new AppError(isSigned ? "SAML_SIGNATURE_WRAPPING" : "SAML_SP_UNKNOWN", {
    message: "The message's Issuer is not the entity ID of the connection it was checked against.",
  });
};
