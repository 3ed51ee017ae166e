import type { JsonWebKey } from "node:crypto";
import { AppError } from "../../lib/errors.ts";
import { el, type XmlElement } from "../../xml/build.ts";
import { ns } from "../urn.ts";
import type { SigningCredentials } from "./signing-key.ts";

/** XML Signature 1.1 namespace, home of `ECKeyValue` (xmldsig-core1 §4.5.2.3). */
const XMLDSIG11_NS = "http://www.w3.org/2009/xmldsig11#";

// xmldsig-core1 §4.5.2.3.1: named curves are identified by their OID as a URN (RFC 3279 names).
const curveUris: Readonly<Record<string, string>> = {
  "P-256": "urn:oid:1.2.840.10045.3.1.7",
  "P-384": "urn:oid:1.3.132.0.34",
  "P-521": "urn:oid:1.3.132.0.35",
};

/** base64url (JWK) to base64 (XML-DSig CryptoBinary: big-endian, no leading zero octets). */
const base64Of = (base64url: string | undefined): string =>
  Buffer.from(base64url ?? "", "base64url").toString("base64");

const keyValue = (credentials: SigningCredentials): XmlElement => {
  const jwk: JsonWebKey = credentials.publicKey.export({ format: "jwk" });
  if (credentials.keyType.keyAlgorithm === "RSA") {
    // xmldsig-core §4.4.2.2
    return el(ns.xmldsig, "ds:KeyValue", {}, [
      el(ns.xmldsig, "ds:RSAKeyValue", {}, [
        el(ns.xmldsig, "ds:Modulus", {}, [base64Of(jwk.n)]),
        el(ns.xmldsig, "ds:Exponent", {}, [base64Of(jwk.e)]),
      ]),
    ]);
  }
  const curve = curveUris[jwk.crv ?? ""];
  if (curve === undefined) {
    throw new AppError("SAML_SIGNING_FAILED", {
      message: "The signing key's curve cannot be named in KeyValue.",
    });
  }
  // The uncompressed point, 0x04 || X || Y (SEC 1 §2.3.3), as ECKeyValue's PublicKey wants it.
  const point = Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x ?? "", "base64url"),
    Buffer.from(jwk.y ?? "", "base64url"),
  ]);
  return el(ns.xmldsig, "ds:KeyValue", {}, [
    el(XMLDSIG11_NS, "dsig11:ECKeyValue", { "xmlns:dsig11": XMLDSIG11_NS }, [
      el(XMLDSIG11_NS, "dsig11:NamedCurve", { URI: curve }),
      el(XMLDSIG11_NS, "dsig11:PublicKey", {}, [point.toString("base64")]),
    ]),
  ]);
};

/**
 * `<ds:KeyInfo>` as the connection asks for it: the signing certificate (`X509Data`) when
 * includeCertInSignature, the bare public key (`KeyValue`) when includeRawKeyInSignature, or
 * nothing at all — a verifier pins the certificate it trusts and needs neither.
 */
export const keyInfoElement = (
  credentials: SigningCredentials,
  options: { readonly includeCertInSignature: boolean; readonly includeRawKeyInSignature: boolean },
): XmlElement | undefined => {
  if (!options.includeCertInSignature && !options.includeRawKeyInSignature) return undefined;
  return el(ns.xmldsig, "ds:KeyInfo", {}, [
    options.includeCertInSignature &&
      el(ns.xmldsig, "ds:X509Data", {}, [
        el(ns.xmldsig, "ds:X509Certificate", {}, [credentials.certificateBase64]),
      ]),
    options.includeRawKeyInSignature && keyValue(credentials),
  ]);
};
