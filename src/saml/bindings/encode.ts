import { createPrivateKey, sign as cryptoSign } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { AppError } from "../../lib/errors.ts";
import { allowedSignatureAlgorithm, verifyAlgorithms } from "../signing/verify-algorithms.ts";
import type { MessageType } from "./message.ts";

/**
 * The sending side of the bindings, for the messages Portico sends (LogoutRequest and
 * LogoutResponse to SPs; a Response goes by HTTP-POST through the response builder).
 */

export type OutgoingMessage = {
  readonly messageType: MessageType;
  /** The serialized message, without a ds:Signature (saml-bindings §3.4.4.1 removes it). */
  readonly xml: string;
  readonly relayState?: string | undefined;
};

export type SignRedirectOptions = OutgoingMessage & {
  /** PKCS#8 (or PKCS#1/SEC1) PEM of the signing key. */
  readonly privateKeyPem: string;
  /** A signature algorithm URI (RSA-SHA1/256/384/512 or ECDSA-SHA256/384/512). */
  readonly algorithmUri: string;
};

const deflated = (xml: string): string =>
  encodeURIComponent(deflateRawSync(Buffer.from(xml, "utf8")).toString("base64"));

/** `SAMLRequest=…[&RelayState=…]`: DEFLATE, base64, percent-encoding (saml-bindings §3.4.4.1). */
export const encodeRedirectQuery = ({ messageType, xml, relayState }: OutgoingMessage): string =>
  `${messageType}=${deflated(xml)}` +
  (relayState === undefined ? "" : `&RelayState=${encodeURIComponent(relayState)}`);

/**
 * The full signed query string (without `?`): `SAMLRequest=…[&RelayState=…]&SigAlg=…&Signature=…`.
 * The signature covers exactly the octets before `&Signature`, so a receiver that follows
 * saml-bindings §3.4.4.1 rebuilds them byte for byte. ECDSA signatures are written DER-encoded, as
 * Java SAML stacks (OpenSAML, Keycloak) expect on this binding.
 *
 * Throws SAML_ALGORITHM_NOT_ALLOWED for an unknown algorithm and SAML_SIGNING_FAILED when the
 * key does not fit it.
 */
export const signRedirectQuery = (options: SignRedirectOptions): string => {
  // The caller chose the algorithm from the connection (SHA-1 only if configured); this only
  // refuses what Portico cannot produce, HMAC included.
  const spec = allowedSignatureAlgorithm(options.algorithmUri, verifyAlgorithms({ allowSha1: true }));
  const octets = `${encodeRedirectQuery(options)}&SigAlg=${encodeURIComponent(spec.uri)}`;
  let signature: Buffer;
  try {
    const key = createPrivateKey(options.privateKeyPem);
    if (key.asymmetricKeyType !== spec.keyType) throw new Error(`the key is ${key.asymmetricKeyType}`);
    signature = cryptoSign(
      spec.hash,
      Buffer.from(octets, "utf8"),
      spec.keyType === "ec" ? { key, dsaEncoding: "der" } : key,
    );
  } catch (cause) {
    throw new AppError("SAML_SIGNING_FAILED", {
      message: "The message could not be signed with the key and algorithm given.",
      cause,
    });
  }
  return `${octets}&Signature=${encodeURIComponent(signature.toString("base64"))}`;
};

/** The form fields of an HTTP-POST message (saml-bindings §3.5.4); the caller renders the form. */
export const encodePostFields = ({
  messageType,
  xml,
  relayState,
}: OutgoingMessage): Record<string, string> => ({
  [messageType]: Buffer.from(xml, "utf8").toString("base64"),
  ...(relayState === undefined ? {} : { RelayState: relayState }),
});
