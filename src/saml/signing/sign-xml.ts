import { createHash, sign } from "node:crypto";
import { ExclusiveCanonicalization } from "xml-crypto";
import { AppError } from "../../lib/errors.ts";
import { buildDocument, el, type XmlElement } from "../../xml/build.ts";
import { elementChildren, isNamed, onlyChild, rootElement } from "../../xml/select.ts";
import { ns, transform } from "../urn.ts";
import { type SignatureSuite, type SigningAlgorithm, signatureSuites } from "./algorithms.ts";
import { keyInfoElement } from "./key-info.ts";
import type { SigningCredentials } from "./signing-key.ts";

/** How a connection signs (PingFederate's `signingSettings`). */
export type SignatureOptions = {
  readonly algorithm: SigningAlgorithm;
  /** Put the signing certificate in `<ds:KeyInfo><ds:X509Data>`. */
  readonly includeCertInSignature: boolean;
  /** Put the bare public key in `<ds:KeyInfo><ds:KeyValue>`. */
  readonly includeRawKeyInSignature: boolean;
};

const failed = (message: string, cause?: unknown): AppError =>
  new AppError("SAML_SIGNING_FAILED", { message, ...(cause === undefined ? {} : { cause }) });

/**
 * Exclusive XML canonicalization without comments (xml-exc-c14n), by xml-crypto — the same code
 * its verifier runs. Our documents never contain comments; "without" is still the only form we
 * name, so that a comment could never hide inside a signed value (CVE-2025-29775).
 */
const canonicalize = (element: Element): string => {
  try {
    const out = new ExclusiveCanonicalization().process(element, {});
    if (typeof out !== "string") throw new TypeError("the canonicalizer returned a node");
    return out;
  } catch (cause) {
    throw failed("The element could not be canonicalized for signing.", cause);
  }
};

const signatureValueOf = (data: string, credentials: SigningCredentials, suite: SignatureSuite): string => {
  try {
    // xmldsig-core1 §6.4.3: an ECDSA SignatureValue is r || s, each padded to the curve size,
    // not the DER SEQUENCE that OpenSSL produces by default.
    const key =
      suite.keyAlgorithm === "EC"
        ? { key: credentials.privateKey, dsaEncoding: "ieee-p1363" as const }
        : credentials.privateKey;
    return sign(suite.hash, Buffer.from(data, "utf8"), key).toString("base64");
  } catch (cause) {
    throw failed("The signing key refused to sign.", cause);
  }
};

/** `<ds:SignedInfo>` with the one Reference to `#id` (xmldsig-core §4.3, saml-core §5.4). */
const signedInfoElement = (id: string, digestValue: string, suite: SignatureSuite): XmlElement =>
  el(ns.xmldsig, "ds:SignedInfo", {}, [
    el(ns.xmldsig, "ds:CanonicalizationMethod", { Algorithm: transform.exclusiveC14n }),
    el(ns.xmldsig, "ds:SignatureMethod", { Algorithm: suite.signatureUri }),
    el(ns.xmldsig, "ds:Reference", { URI: `#${id}` }, [
      // saml-core §5.4.4: enveloped-signature, then exclusive c14n, and no other transform.
      el(ns.xmldsig, "ds:Transforms", {}, [
        el(ns.xmldsig, "ds:Transform", { Algorithm: transform.envelopedSignature }),
        el(ns.xmldsig, "ds:Transform", { Algorithm: transform.exclusiveC14n }),
      ]),
      el(ns.xmldsig, "ds:DigestMethod", { Algorithm: suite.digestUri }),
      el(ns.xmldsig, "ds:DigestValue", {}, [digestValue]),
    ]),
  ]);

/**
 * Signs `element` with an enveloped XML signature (saml-core §5.4) and inserts the
 * `<ds:Signature>` where the SAML schemas want it: right after the element's `<saml:Issuer>`
 * (Response, Assertion, LogoutRequest, …), or as the first child when there is none
 * (EntityDescriptor). The element must carry its `ID`, and everything it will contain when sent
 * must already be in place: the signature covers exactly the element's current content.
 *
 * The digest is taken over the element before the signature exists, which is what the
 * enveloped-signature transform gives a verifier once it removes the signature again. The
 * `<ds:Signature>` itself is written by the builder like every other element.
 *
 * Throws SAML_SIGNING_FAILED when the key does not fit the algorithm, the element has no ID or is
 * already signed, or signing fails.
 */
export const signElement = (
  element: Element,
  credentials: SigningCredentials,
  options: SignatureOptions,
): void => {
  const suite = signatureSuites[options.algorithm];
  if (suite.keyAlgorithm !== credentials.keyType.keyAlgorithm) {
    throw failed(
      `The algorithm ${options.algorithm} needs an ${suite.keyAlgorithm} key, but the signing key is ${credentials.keyType.keyAlgorithm}.`,
    );
  }
  const id = element.getAttribute("ID") ?? "";
  if (id === "") throw failed(`<${element.nodeName}> has no ID to sign.`);
  const children = elementChildren(element);
  if (children.some((child) => isNamed(child, ns.xmldsig, "Signature"))) {
    throw failed(`<${element.nodeName}> is already signed.`);
  }
  // Every suite digests with its own signature hash (algorithms.ts).
  const digestValue = createHash(suite.hash).update(canonicalize(element), "utf8").digest("base64");
  const signature = rootElement(
    buildDocument(el(ns.xmldsig, "ds:Signature", {}, [signedInfoElement(id, digestValue, suite)])),
  );
  const signedInfo = onlyChild(signature, ns.xmldsig, "SignedInfo", "SAML_SIGNING_FAILED");
  // Exclusive c14n renders only the namespaces a subtree uses, so SignedInfo canonicalizes the
  // same here as inside the document the verifier reads.
  const signatureValue = signatureValueOf(canonicalize(signedInfo), credentials, suite);
  const keyInfo = keyInfoElement(credentials, options);
  // Appending or inserting an element built in another document adopts it (DOM Standard,
  // "insert"; xmldom 0.8.15 does so): unlike importNode it does not copy node by node.
  signature.appendChild(
    rootElement(buildDocument(el(ns.xmldsig, "ds:SignatureValue", {}, [signatureValue]))),
  );
  if (keyInfo !== undefined) signature.appendChild(rootElement(buildDocument(keyInfo)));

  const first = children[0];
  const after =
    first !== undefined && isNamed(first, ns.assertion, "Issuer") ? first.nextSibling : element.firstChild;
  element.insertBefore(signature, after);
};
