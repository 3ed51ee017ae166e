import { X509Certificate } from "node:crypto";
import { type EncryptOptions, encrypt } from "xml-encryption";
import { AppError } from "../../lib/errors.ts";
import { el, type XmlElement } from "../../xml/build.ts";
import { parseXml } from "../../xml/parse.ts";
import { attr, isNamed, onlyChild, optionalChild, rootElement, textOf } from "../../xml/select.ts";
import { digestAlgorithm, encryptionAlgorithm, ns } from "../urn.ts";

/** PingFederate's `blockEncryptionAlgorithm` values that Portico encrypts with. */
export type BlockEncryptionAlgorithm = "AES_256_GCM" | "AES_128_GCM" | "AES_256" | "AES_128";
/** PingFederate's `keyTransportAlgorithm` values that Portico encrypts with. */
export type KeyTransportAlgorithm = "RSA_OAEP" | "RSA_OAEP_256";

/** Whom to encrypt an assertion for, and how. */
export type EncryptionInput = {
  /** The SP's encryption certificate (PEM); its key must be RSA. */
  readonly certificatePem: string;
  /** AES_256_GCM unless the SP cannot read it. */
  readonly blockAlgorithm: BlockEncryptionAlgorithm;
  readonly keyTransport: KeyTransportAlgorithm;
};

/** xmlenc-core1 namespace (MGF), not in urn.ts because only this file writes it. */
const XMLENC11_NS = "http://www.w3.org/2009/xmlenc11#";
const MGF1_SHA256 = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
/** xmlenc-core §3.5.1: the EncryptedData replaces an element. */
const TYPE_ELEMENT = "http://www.w3.org/2001/04/xmlenc#Element";

const blockUris: Readonly<Record<BlockEncryptionAlgorithm, EncryptOptions["encryptionAlgorithm"]>> = {
  AES_256_GCM: encryptionAlgorithm.aes256Gcm,
  AES_128_GCM: encryptionAlgorithm.aes128Gcm,
  AES_256: encryptionAlgorithm.aes256Cbc,
  AES_128: encryptionAlgorithm.aes128Cbc,
};

/** xml-encryption 6 accepts more than its DefinitelyTyped types (1.2) know. */
type Options = Omit<EncryptOptions, "keyEncryptionAlgorithm"> & {
  keyEncryptionAlgorithm: string;
  keyEncryptionDigest?: "sha1" | "sha256";
  keyEncryptionMgf?: string;
};

const failed = (message: string, cause?: unknown): AppError =>
  new AppError("SAML_ENCRYPTION_FAILED", { message, ...(cause === undefined ? {} : { cause }) });

const keyTransportOptions = (
  keyTransport: KeyTransportAlgorithm,
): Pick<Options, "keyEncryptionAlgorithm" | "keyEncryptionDigest" | "keyEncryptionMgf"> =>
  keyTransport === "RSA_OAEP"
    ? // xmlenc-core §5.4.2: OAEP with SHA-1 and MGF1-SHA1, the one every SP reads.
      { keyEncryptionAlgorithm: encryptionAlgorithm.rsaOaepMgf1p, keyEncryptionDigest: "sha1" }
    : // xmlenc-core1 §5.5.2: OAEP with SHA-256 and MGF1-SHA256 (JOSE's "RSA-OAEP-256").
      {
        keyEncryptionAlgorithm: encryptionAlgorithm.rsaOaep,
        keyEncryptionDigest: "sha256",
        keyEncryptionMgf: "sha256",
      };

const run = (content: string, options: Options): Promise<string> =>
  new Promise((resolve, reject) => {
    try {
      // The DefinitelyTyped signature lags behind; the options are what xml-encryption 6 reads.
      encrypt(content, options as unknown as EncryptOptions, (error: Error | null, result: string) => {
        if (error) reject(failed("The assertion could not be encrypted.", error));
        else resolve(result);
      });
    } catch (cause) {
      reject(failed("The assertion could not be encrypted.", cause));
    }
  });

const base64Text = (element: Element): string => textOf(element).replace(/[ \t\r\n]+/g, "");

/**
 * Reads what xml-encryption wrote (through the hardened parser) and checks that it used the
 * algorithms asked for; the values then go into an EncryptedAssertion written by the builder.
 */
const rebuild = (encryptedXml: string, options: Options, certificate: X509Certificate): XmlElement => {
  const encryptedData = rootElement(parseXml(encryptedXml));
  if (!isNamed(encryptedData, ns.xmlenc, "EncryptedData"))
    throw failed("xml-encryption wrote no EncryptedData.");
  const method = onlyChild(encryptedData, ns.xmlenc, "EncryptionMethod");
  const keyInfo = onlyChild(encryptedData, ns.xmldsig, "KeyInfo");
  const encryptedKey = onlyChild(keyInfo, ns.xmlenc, "EncryptedKey");
  const keyMethod = onlyChild(encryptedKey, ns.xmlenc, "EncryptionMethod");
  if (
    attr(method, "Algorithm") !== options.encryptionAlgorithm ||
    attr(keyMethod, "Algorithm") !== options.keyEncryptionAlgorithm
  ) {
    throw failed("xml-encryption did not use the algorithms asked for.");
  }
  const digestMethod = optionalChild(keyMethod, ns.xmldsig, "DigestMethod");
  const mgf = optionalChild(keyMethod, XMLENC11_NS, "MGF");
  const expectedDigest =
    options.keyEncryptionDigest === "sha256" ? digestAlgorithm.sha256 : digestAlgorithm.sha1;
  if (digestMethod !== undefined && attr(digestMethod, "Algorithm") !== expectedDigest) {
    throw failed("xml-encryption did not use the OAEP digest asked for.");
  }
  if (
    options.keyEncryptionMgf !== undefined &&
    (mgf === undefined || attr(mgf, "Algorithm") !== MGF1_SHA256)
  ) {
    throw failed("xml-encryption did not use the mask generation function asked for.");
  }
  const keyCipher = base64Text(
    onlyChild(onlyChild(encryptedKey, ns.xmlenc, "CipherData"), ns.xmlenc, "CipherValue"),
  );
  const dataCipher = base64Text(
    onlyChild(onlyChild(encryptedData, ns.xmlenc, "CipherData"), ns.xmlenc, "CipherValue"),
  );

  // saml-core §2.3.4, xmlenc-core §3.
  return el(ns.assertion, "saml:EncryptedAssertion", {}, [
    el(ns.xmlenc, "xenc:EncryptedData", { "xmlns:xenc": ns.xmlenc, Type: TYPE_ELEMENT }, [
      el(ns.xmlenc, "xenc:EncryptionMethod", { Algorithm: options.encryptionAlgorithm }),
      el(ns.xmldsig, "ds:KeyInfo", { "xmlns:ds": ns.xmldsig }, [
        el(ns.xmlenc, "xenc:EncryptedKey", {}, [
          el(ns.xmlenc, "xenc:EncryptionMethod", { Algorithm: options.keyEncryptionAlgorithm }, [
            options.keyEncryptionMgf !== undefined &&
              el(XMLENC11_NS, "xenc11:MGF", { Algorithm: MGF1_SHA256 }),
            el(ns.xmldsig, "ds:DigestMethod", { Algorithm: expectedDigest }),
          ]),
          // Names the SP's certificate, so an SP holding several keys knows which one decrypts.
          el(ns.xmldsig, "ds:KeyInfo", {}, [
            el(ns.xmldsig, "ds:X509Data", {}, [
              el(ns.xmldsig, "ds:X509Certificate", {}, [certificate.raw.toString("base64")]),
            ]),
          ]),
          el(ns.xmlenc, "xenc:CipherData", {}, [el(ns.xmlenc, "xenc:CipherValue", {}, [keyCipher])]),
        ]),
      ]),
      el(ns.xmlenc, "xenc:CipherData", {}, [el(ns.xmlenc, "xenc:CipherValue", {}, [dataCipher])]),
    ]),
  ]);
};

/**
 * Encrypts a serialized `<saml:Assertion>` for an SP with xml-encryption: a fresh AES key
 * (GCM by default) wrapped with RSA-OAEP for the SP's certificate. Returns the
 * `<saml:EncryptedAssertion>` to put in the Response in the assertion's place.
 *
 * AES-CBC (`AES_256`, `AES_128`) is open to padding-oracle attacks on the SP's side
 * (xmlenc-core1 §6.1) and xml-encryption refuses it by default; Portico allows it only because a
 * connection names it explicitly, for SPs that cannot read GCM.
 *
 * Throws SAML_ENCRYPTION_FAILED when the certificate is unusable (not RSA) or encryption fails.
 */
export const encryptAssertion = async (
  assertionXml: string,
  encryption: EncryptionInput,
): Promise<XmlElement> => {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(encryption.certificatePem);
  } catch (cause) {
    throw failed("The SP's encryption certificate could not be parsed.", cause);
  }
  if (certificate.publicKey.asymmetricKeyType !== "rsa") {
    throw failed("The SP's encryption certificate must carry an RSA key (RSA-OAEP key transport).");
  }
  const encryptionAlgorithmUri = blockUris[encryption.blockAlgorithm];
  const isCbc = encryption.blockAlgorithm === "AES_256" || encryption.blockAlgorithm === "AES_128";
  const options: Options = {
    rsa_pub: certificate.publicKey.export({ type: "spki", format: "pem" }).toString(),
    pem: certificate.toString(),
    encryptionAlgorithm: encryptionAlgorithmUri,
    ...keyTransportOptions(encryption.keyTransport),
    disallowEncryptionWithInsecureAlgorithm: !isCbc,
    // xml-encryption would print a warning to the console for CBC; the choice is the connection's.
    warnInsecureAlgorithm: false,
  };
  const encrypted = await run(assertionXml, options);
  try {
    return rebuild(encrypted, options, certificate);
  } catch (cause) {
    if (cause instanceof AppError && cause.code === "SAML_ENCRYPTION_FAILED") throw cause;
    throw failed("xml-encryption wrote an EncryptedData Portico cannot read.", cause);
  }
};
