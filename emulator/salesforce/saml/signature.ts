import { createPublicKey, sign, verify } from "node:crypto";
import { SignedXml } from "xml-crypto";
import { ALGORITHM, NS } from "./constants.ts";
import { attr, child, children } from "./xml.ts";

export type Verified = { ok: true; signedXml: string; algorithm: string } | { ok: false; reason: string };

const SIGNATURE_METHODS = new Set<string>([ALGORITHM.rsaSha1, ALGORITHM.rsaSha256]);
const DIGEST_METHODS = new Set<string>([ALGORITHM.sha1, ALGORITHM.sha256]);
const CANONICALIZATIONS = new Set<string>([ALGORITHM.excC14n, ALGORITHM.c14n]);
const TRANSFORMS = new Set<string>([ALGORITHM.enveloped, ALGORITHM.excC14n, ALGORITHM.c14n]);

/**
 * Checks the shape of a `<ds:Signature>` before any cryptography: one SignedInfo, one
 * Reference to `#expectedId`, the enveloped transform, and only allowed algorithms.
 * Returns a reason when the shape is refused.
 */
function refuseShape(signature: Element, expectedId: string): string | undefined {
  const signedInfos = children(signature, NS.dsig, "SignedInfo");
  const signedInfo = signedInfos[0];
  if (signedInfos.length !== 1 || !signedInfo) return "Signature must have one SignedInfo";
  const c14n = child(signedInfo, NS.dsig, "CanonicalizationMethod");
  if (!c14n || !CANONICALIZATIONS.has(attr(c14n, "Algorithm") ?? "")) {
    return "CanonicalizationMethod not allowed";
  }
  const method = child(signedInfo, NS.dsig, "SignatureMethod");
  if (!method || !SIGNATURE_METHODS.has(attr(method, "Algorithm") ?? "")) {
    return `SignatureMethod not allowed: ${method ? attr(method, "Algorithm") : "missing"}`;
  }
  const references = children(signedInfo, NS.dsig, "Reference");
  const reference = references[0];
  if (references.length !== 1 || !reference) return "Signature must have exactly one Reference";
  if (reference.getAttribute("URI") !== `#${expectedId}`) {
    return `Reference URI ${reference.getAttribute("URI")} does not point at the signed element #${expectedId}`;
  }
  const transformList = child(reference, NS.dsig, "Transforms");
  const transforms = transformList ? children(transformList, NS.dsig, "Transform") : [];
  const algorithms = transforms.map((t) => attr(t, "Algorithm") ?? "");
  if (!algorithms.includes(ALGORITHM.enveloped)) return "Reference lacks the enveloped-signature transform";
  if (algorithms.some((a) => !TRANSFORMS.has(a))) return "Transform not allowed";
  const digest = child(reference, NS.dsig, "DigestMethod");
  if (!digest || !DIGEST_METHODS.has(attr(digest, "Algorithm") ?? "")) return "DigestMethod not allowed";
  return undefined;
}

/** Elements in the document whose ID-like attribute equals `id`. */
function countIds(doc: Document, id: string): number {
  let count = 0;
  const walk = (node: Node) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      const e = c as Element;
      for (const name of ["ID", "Id", "id"]) if (e.getAttribute(name) === id) count++;
      walk(e);
    }
  };
  walk(doc);
  return count;
}

/**
 * Verifies the enveloped signature `signature` of the element whose ID is `expectedId`
 * against `certificatePem` ONLY (KeyInfo is ignored), and returns the canonical bytes the
 * signature covers. Callers read the signed element from those bytes, never from `doc`.
 */
export function verifyEnvelopedSignature(
  xml: string,
  doc: Document,
  signature: Element,
  expectedId: string,
  certificatePem: string,
): Verified {
  const refused = refuseShape(signature, expectedId);
  if (refused) return { ok: false, reason: refused };
  if (countIds(doc, expectedId) !== 1) {
    return { ok: false, reason: `ID ${expectedId} is not unique in the document` };
  }
  const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
  try {
    verifier.loadSignature(signature);
    if (!verifier.checkSignature(xml)) {
      return { ok: false, reason: "signature does not verify with the Identity Provider Certificate" };
    }
  } catch (error) {
    const message = (error as Error).message;
    // xml-crypto puts the whole SignatureValue in this message; the short form reads better.
    if (/signature value .* is incorrect/.test(message)) {
      return { ok: false, reason: "signature does not verify with the Identity Provider Certificate" };
    }
    return { ok: false, reason: `signature does not verify: ${message}` };
  }
  const signed = verifier.getSignedReferences();
  const signedXml = signed[0];
  if (signed.length !== 1 || signedXml === undefined) {
    return { ok: false, reason: "signature must cover exactly one element" };
  }
  const method = child(signature, NS.dsig, "SignedInfo");
  const algorithm = method ? attr(child(method, NS.dsig, "SignatureMethod") ?? method, "Algorithm") : "";
  return { ok: true, signedXml, algorithm: algorithm ?? "" };
}

export type RedirectMessage = "SAMLRequest" | "SAMLResponse";

function hashFor(sigAlg: string): "sha1" | "sha256" | undefined {
  if (sigAlg === ALGORITHM.rsaSha1) return "sha1";
  if (sigAlg === ALGORITHM.rsaSha256) return "sha256";
  return undefined;
}

export function sigAlgFor(method: "RSA-SHA256" | "RSA-SHA1"): string {
  return method === "RSA-SHA1" ? ALGORITHM.rsaSha1 : ALGORITHM.rsaSha256;
}

/**
 * Builds a signed HTTP-Redirect query (saml-bindings §3.4.4.1): the signature covers the
 * exact octets `SAMLRequest=…&RelayState=…&SigAlg=…` as they appear in the URL.
 */
export function signedRedirectQuery(input: {
  param: RedirectMessage;
  encodedMessage: string;
  relayState?: string;
  sign?: { privateKeyPem: string; method: "RSA-SHA256" | "RSA-SHA1" };
}): string {
  let query = `${input.param}=${encodeURIComponent(input.encodedMessage)}`;
  if (input.relayState !== undefined && input.relayState !== "") {
    query += `&RelayState=${encodeURIComponent(input.relayState)}`;
  }
  if (!input.sign) return query;
  const sigAlg = sigAlgFor(input.sign.method);
  query += `&SigAlg=${encodeURIComponent(sigAlg)}`;
  const signatureValue = sign(
    hashFor(sigAlg) ?? "sha256",
    Buffer.from(query, "utf8"),
    input.sign.privateKeyPem,
  ).toString("base64");
  return `${query}&Signature=${encodeURIComponent(signatureValue)}`;
}

export type RedirectCheck = { ok: true; signed: boolean } | { ok: false; reason: string };

/**
 * Verifies an HTTP-Redirect signature over the raw query octets (saml-bindings §3.4.4.1),
 * re-assembled from the URL exactly as received, never from decoded values.
 */
export function verifyRedirectQuery(
  rawQuery: string,
  param: RedirectMessage,
  certificatePem: string,
): RedirectCheck {
  const raw = new Map<string, string>();
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = eq === -1 ? part : part.slice(0, eq);
    if (raw.has(key)) return { ok: false, reason: `parameter ${key} repeated` };
    raw.set(key, eq === -1 ? "" : part.slice(eq + 1));
  }
  const message = raw.get(param);
  const sigAlgRaw = raw.get("SigAlg");
  const signatureRaw = raw.get("Signature");
  if (message === undefined) return { ok: false, reason: `${param} missing` };
  if (sigAlgRaw === undefined || signatureRaw === undefined) {
    return { ok: false, reason: "message is not signed (SigAlg and Signature required)" };
  }
  let octets = `${param}=${message}`;
  const relayState = raw.get("RelayState");
  if (relayState !== undefined) octets += `&RelayState=${relayState}`;
  octets += `&SigAlg=${sigAlgRaw}`;
  try {
    const hash = hashFor(decodeURIComponent(sigAlgRaw));
    if (!hash) return { ok: false, reason: "SigAlg not allowed" };
    const signatureValue = Buffer.from(decodeURIComponent(signatureRaw), "base64");
    const ok = verify(hash, Buffer.from(octets, "utf8"), createPublicKey(certificatePem), signatureValue);
    return ok ? { ok: true, signed: true } : { ok: false, reason: "query signature does not verify" };
  } catch (error) {
    return { ok: false, reason: `query signature does not verify: ${(error as Error).message}` };
  }
}

/** Signs `xml` with an enveloped signature placed after its root's `<saml:Issuer>`. */
export function signEnveloped(
  xml: string,
  rootLocalName: string,
  keys: { privateKeyPem: string; certificatePem: string },
  method: "RSA-SHA256" | "RSA-SHA1",
): string {
  const signer = new SignedXml({
    privateKey: keys.privateKeyPem,
    publicCert: keys.certificatePem,
    signatureAlgorithm: sigAlgFor(method),
    canonicalizationAlgorithm: ALGORITHM.excC14n,
  });
  signer.addReference({
    xpath: `/*[local-name(.)='${rootLocalName}']`,
    transforms: [ALGORITHM.enveloped, ALGORITHM.excC14n],
    digestAlgorithm: method === "RSA-SHA1" ? ALGORITHM.sha1 : ALGORITHM.sha256,
  });
  signer.computeSignature(xml, {
    prefix: "ds",
    location: {
      reference: `/*[local-name(.)='${rootLocalName}']/*[local-name(.)='Issuer']`,
      action: "after",
    },
  });
  return signer.getSignedXml();
}
