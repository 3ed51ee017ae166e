import { decrypt } from "xml-encryption";
import { generateSigningKeyPair, type KeyPairPem } from "../../src/crypto/keys.ts";
import {
  type BlockEncryptionAlgorithm,
  encryptAssertion,
  type KeyTransportAlgorithm,
} from "../../src/saml/encryption/encrypt-assertion.ts";
import {
  type AssertionAttribute,
  buildResponse,
  type ResponseInput,
  type SigningInput,
} from "../../src/saml/response/build-response.ts";
import type { SigningAlgorithm } from "../../src/saml/signing/algorithms.ts";
import { attrnameFormat, nameIdFormat } from "../../src/saml/urn.ts";
import { buildXml } from "../../src/xml/build.ts";

/** The kinds of Response Portico emits, as the peers see them. Pure data; see response.test.ts. */

export const idpEntityId = "https://portico.example.com";
export const spEntityId = "https://acme.my.salesforce.com";
/** Salesforce's Login URL shape (salesforce-api.md §5.2). */
export const acsUrl = "https://acme.my.salesforce.com?so=00D5g000004AbCd";
export const requestId = "_2CAAAAZxq7vBvME8wMDAwMDAwMDAwMDAwAAAAZlZ8oXh0Ue2T0pFbYe4b1c6Q";
export const nameIdValue = "ada.lovelace@acme.example.com";

/** Includes values that would break naive XML writers (samlify's 2026 attribute injection). */
export const attributes: readonly AssertionAttribute[] = [
  { name: "mail", values: [nameIdValue] },
  { name: "memberOf", nameFormat: attrnameFormat.unspecified, values: ["engineers", "admins"] },
  {
    name: "title",
    values: ['Head of R&D </saml:AttributeValue><saml:AttributeValue>admin "quoted" ]]>'],
  },
];

export type ResponseCase = {
  readonly name: string;
  readonly key: "rsa" | "ec";
  readonly algorithm: SigningAlgorithm;
  readonly signResponse: boolean;
  readonly signAssertion: boolean;
  readonly spInitiated: boolean;
  readonly withAttributes: boolean;
  readonly includeCertInSignature?: boolean;
  readonly includeRawKeyInSignature?: boolean;
  readonly encryption?: {
    readonly block: BlockEncryptionAlgorithm;
    readonly transport: KeyTransportAlgorithm;
  };
  /** Why OneLogin (on Debian 12) cannot take part for this case; its other checkers still run. */
  readonly oneLoginCannot?: string;
};

export const responseCases: readonly ResponseCase[] = [
  {
    name: "signed Response, SP-initiated, RSA-SHA256 (Salesforce's default)",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: true,
    signAssertion: false,
    spInitiated: true,
    withAttributes: true,
  },
  {
    name: "signed Assertion, IdP-initiated, RSA-SHA256, no attributes",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: false,
    signAssertion: true,
    spInitiated: false,
    withAttributes: false,
  },
  {
    name: "both signed, SP-initiated, RSA-SHA256, certificate and key value in KeyInfo",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: true,
    signAssertion: true,
    spInitiated: true,
    withAttributes: true,
    includeCertInSignature: true,
    includeRawKeyInSignature: true,
  },
  {
    name: "signed Response, IdP-initiated, RSA-SHA512",
    key: "rsa",
    algorithm: "SHA512withRSA",
    signResponse: true,
    signAssertion: false,
    spInitiated: false,
    withAttributes: true,
  },
  {
    name: "both signed, SP-initiated, RSA-SHA384",
    key: "rsa",
    algorithm: "SHA384withRSA",
    signResponse: true,
    signAssertion: true,
    spInitiated: true,
    withAttributes: true,
  },
  {
    name: "both signed, SP-initiated, ECDSA-SHA256 on P-256, certificate and ECKeyValue in KeyInfo",
    key: "ec",
    algorithm: "SHA256withECDSA",
    signResponse: true,
    signAssertion: true,
    spInitiated: true,
    withAttributes: true,
    includeCertInSignature: true,
    includeRawKeyInSignature: true,
  },
  {
    name: "signed Response, SP-initiated, RSA-SHA1 (explicit per-connection opt-in)",
    key: "rsa",
    algorithm: "SHA1withRSA",
    signResponse: true,
    signAssertion: false,
    spInitiated: true,
    withAttributes: true,
  },
  {
    name: "encrypted (AES-256-GCM, RSA-OAEP), both signed, SP-initiated",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: true,
    signAssertion: true,
    spInitiated: true,
    withAttributes: true,
    encryption: { block: "AES_256_GCM", transport: "RSA_OAEP" },
  },
  {
    name: "encrypted (AES-256-GCM, RSA-OAEP), signed Assertion only, IdP-initiated",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: false,
    signAssertion: true,
    spInitiated: false,
    withAttributes: true,
    encryption: { block: "AES_256_GCM", transport: "RSA_OAEP" },
  },
  {
    name: "encrypted (AES-128-GCM, RSA-OAEP-256), signed Response, SP-initiated — OneLogin cannot decrypt xmlenc11#rsa-oaep (xmlsec 1.2.37)",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: true,
    signAssertion: false,
    spInitiated: true,
    withAttributes: true,
    encryption: { block: "AES_128_GCM", transport: "RSA_OAEP_256" },
    oneLoginCannot:
      "Debian 12's libxmlsec1 1.2.37 does not implement http://www.w3.org/2009/xmlenc11#rsa-oaep",
  },
  {
    name: "encrypted (AES-256-CBC, RSA-OAEP: the connection's explicit choice), both signed, IdP-initiated",
    key: "rsa",
    algorithm: "SHA256withRSA",
    signResponse: true,
    signAssertion: true,
    spInitiated: false,
    withAttributes: false,
    encryption: { block: "AES_256", transport: "RSA_OAEP" },
  },
];

/** Keys for one run: generated, never committed. */
export type PeerKeys = {
  readonly rsa: KeyPairPem;
  readonly ec: KeyPairPem;
  /** A well-formed certificate of someone else: every checker must refuse it. */
  readonly stranger: KeyPairPem;
  /** The SP's encryption key pair. */
  readonly sp: KeyPairPem;
};

export const generatePeerKeys = async (): Promise<PeerKeys> => {
  const now = new Date();
  const make = (keyAlgorithm: "RSA" | "EC", cn: string) =>
    generateSigningKeyPair({ keyAlgorithm, subjectDn: `CN=${cn}, O=Portico peer tests`, validDays: 2, now });
  const [rsa, ec, stranger, sp] = await Promise.all([
    make("RSA", "idp-rsa"),
    make("EC", "idp-ec"),
    make("RSA", "stranger"),
    make("RSA", "sp-encryption"),
  ]);
  return { rsa, ec, stranger, sp };
};

export const responseIdOf = (index: number) => `_r${index}bc8f1d0a3e4c6b9d2f7a15e08c4d3b2`;
export const assertionIdOf = (index: number) => `_a${index}f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c`;

/** The Response of a case, built as the SSO service will: now, fresh IDs, the case's choices. */
export const buildCase = async (
  kase: ResponseCase,
  index: number,
  keys: PeerKeys,
  overrides: Partial<ResponseInput> = {},
): Promise<string> => {
  const now = new Date();
  const key = kase.key === "rsa" ? keys.rsa : keys.ec;
  const input: ResponseInput = {
    issuer: idpEntityId,
    destination: acsUrl,
    ...(kase.spInitiated ? { inResponseTo: requestId } : {}),
    audience: spEntityId,
    recipient: acsUrl,
    nameId: { value: nameIdValue, format: nameIdFormat.unspecified },
    sessionIndex: `_s${index}`,
    authnInstant: new Date(now.getTime() - 2000),
    attributes: kase.withAttributes ? attributes : [],
    lifetime: { minutesBefore: 1, minutesAfter: 5 },
    now,
    responseId: responseIdOf(index),
    assertionId: assertionIdOf(index),
    ...overrides,
  };
  const signing: SigningInput = {
    privateKeyPem: key.privateKeyPem,
    certificatePem: key.certificatePem,
    algorithm: kase.algorithm,
    includeCertInSignature: kase.includeCertInSignature ?? false,
    includeRawKeyInSignature: kase.includeRawKeyInSignature ?? false,
    signResponse: kase.signResponse,
    signAssertion: kase.signAssertion,
  };
  const encryption =
    kase.encryption === undefined
      ? undefined
      : {
          certificatePem: keys.sp.certificatePem,
          blockAlgorithm: kase.encryption.block,
          keyTransport: kase.encryption.transport,
        };
  return buildResponse(input, signing, encryption);
};

const ENCRYPTED_START = "<saml:EncryptedAssertion";
const ENCRYPTED_END = "</saml:EncryptedAssertion>";

/** The plaintext `<saml:Assertion>` of a Response with an EncryptedAssertion, decrypted with the SP's key. */
export const decryptAssertion = (xml: string, sp: KeyPairPem): Promise<string> => {
  const start = xml.indexOf("<xenc:EncryptedData");
  const end = xml.indexOf(ENCRYPTED_END);
  if (start === -1 || end === -1) throw new Error("the Response has no EncryptedAssertion");
  return new Promise((resolve, reject) =>
    // AES-CBC too: refusing it is the SP's choice, and these tests play SPs that made the other one.
    decrypt(
      xml.slice(start, end),
      { key: sp.privateKeyPem, disallowDecryptionWithInsecureAlgorithm: false, warnInsecureAlgorithm: false },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
};

/**
 * What an attacker who holds the SP's public certificate can do to an encrypted assertion: decrypt
 * is out of reach, but a copy of the plaintext changed and encrypted again is not. Tests use the
 * SP key to produce that copy.
 */
export const reencryptChanged = async (
  xml: string,
  keys: PeerKeys,
  change: (assertion: string) => string,
): Promise<string> => {
  const plaintext = await decryptAssertion(xml, keys.sp);
  const changed = change(plaintext);
  if (changed === plaintext) throw new Error("the change did not apply to the decrypted assertion");
  const encrypted = buildXml(
    await encryptAssertion(changed, {
      certificatePem: keys.sp.certificatePem,
      blockAlgorithm: "AES_256_GCM",
      keyTransport: "RSA_OAEP",
    }),
  );
  const start = xml.indexOf(ENCRYPTED_START);
  const end = xml.indexOf(ENCRYPTED_END) + ENCRYPTED_END.length;
  return xml.slice(0, start) + encrypted + xml.slice(end);
};

/** A change made after signing, and how to make it. */
export type Tampering = {
  readonly name: string;
  readonly change: (xml: string) => string;
  /** The SP entity ID a checker should expect after the change (only the Audience change moves it). */
  readonly spEntityId: string;
};

const replaceOnce = (from: string, to: string) => (xml: string) => {
  const changed = xml.replace(from, to);
  if (changed === xml) throw new Error(`nothing to tamper with: ${from} is not in the document`);
  return changed;
};

export const tamperings = (kase: ResponseCase): Tampering[] => [
  {
    name: "NameID changed after signing",
    change: replaceOnce(`>${nameIdValue}</saml:NameID>`, ">grace.hopper@acme.example.com</saml:NameID>"),
    spEntityId,
  },
  ...(kase.withAttributes
    ? [
        {
          name: "an attribute value changed after signing",
          change: replaceOnce(
            "<saml:AttributeValue>engineers</saml:AttributeValue>",
            "<saml:AttributeValue>admins-all</saml:AttributeValue>",
          ),
          spEntityId,
        },
      ]
    : []),
  {
    name: "Audience changed after signing",
    change: replaceOnce(
      `<saml:Audience>${spEntityId}</saml:Audience>`,
      "<saml:Audience>https://other.my.salesforce.com</saml:Audience>",
    ),
    // The checker plays the SP the attacker now targets, so only the signature can stop it.
    spEntityId: "https://other.my.salesforce.com",
  },
];
