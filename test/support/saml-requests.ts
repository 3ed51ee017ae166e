/**
 * Test helpers that act as a service provider (Salesforce, by default) sending requests to
 * Portico: they build AuthnRequests and LogoutRequests, sign them the way an SP does (an
 * enveloped signature by xml-crypto for HTTP-POST, a detached query signature for HTTP-Redirect)
 * and encode them for either binding. The signing here is deliberately independent of Portico's
 * own encoders, so the tests of the receiving side do not check Portico against itself.
 * The receiving pipeline the attack corpus runs them through is in saml-pipeline.ts.
 */
import { createHash, createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { SignedXml } from "xml-crypto";
import { buildLogoutRequest, buildLogoutResponse } from "../../src/saml/logout/build-logout.ts";
import type { AssertionConsumerService } from "../../src/saml/metadata/endpoints.ts";
import { parseSpMetadata } from "../../src/saml/metadata/parse-sp-metadata.ts";
import {
  binding,
  digestAlgorithm,
  nameIdFormat,
  ns,
  signatureAlgorithm,
  transform,
} from "../../src/saml/urn.ts";
import { buildXml, el } from "../../src/xml/build.ts";

const fixture = (path: string): string =>
  readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8");

/** Salesforce as an SP, from the committed test-only metadata and request-signing key pair. */
export const salesforceSp = (() => {
  const metadata = parseSpMetadata(fixture("metadata/SAMLSP-0LE5g000000CaJx.xml"));
  return {
    entityId: metadata.entityId,
    acsEndpoints: metadata.assertionConsumerServices as readonly AssertionConsumerService[],
    /** ACS index 0, the org's login URL (the default). */
    acsUrl: metadata.assertionConsumerServices[0]?.url ?? "",
    /** ACS index 1, an Experience Cloud site. */
    siteAcsUrl: metadata.assertionConsumerServices[1]?.url ?? "",
    sloUrl: metadata.singleLogoutServices[0]?.url ?? "",
    /** TEST ONLY: Salesforce's request-signing key in tests. */
    privateKeyPem: fixture("metadata/salesforce-sp-signing.key.pem"),
    certificatePem: fixture("metadata/salesforce-sp-signing.crt.pem"),
    /** TEST ONLY: another key (the SP's encryption key), to sign as "someone else". */
    strangerKeyPem: fixture("metadata/salesforce-sp-encryption.key.pem"),
    strangerCertificatePem: fixture("metadata/salesforce-sp-encryption.crt.pem"),
  };
})();

/** Portico's endpoints as the SP knows them. */
export const porticoIdp = {
  entityId: "https://idp.example.com",
  ssoUrl: "https://idp.example.com/idp/SSO.saml2",
  sloUrl: "https://idp.example.com/idp/SLO.saml2",
} as const;

/**
 * A deterministic ID shaped like Salesforce's: `_2CAAAA` then base64url characters, 300 in all
 * (salesforce-api.md §5.3).
 */
export const salesforceRequestId = (seed: string, length = 300): string => {
  let body = "";
  for (let round = 0; body.length < length; round++) {
    body += createHash("sha512").update(`${seed}:${round}`).digest("base64url");
  }
  return `_2CAAAA${body}`.slice(0, length);
};

export type AuthnRequestSpec = {
  readonly id?: string;
  readonly issueInstant: Date;
  /** Portico's SSO URL unless told; `null` leaves it out. */
  readonly destination?: string | null;
  readonly issuer?: string;
  /** Salesforce's org ACS unless told; `null` leaves it out. */
  readonly acsUrl?: string | null;
  readonly acsIndex?: number;
  /** HTTP-POST unless told; `null` leaves it out. */
  readonly protocolBinding?: string | null;
  readonly version?: string;
  readonly nameIdPolicy?: {
    readonly format?: string;
    readonly allowCreate?: boolean;
    readonly spNameQualifier?: string;
  };
  readonly forceAuthn?: boolean;
  readonly isPassive?: boolean;
  /** Inserted as the first child of samlp:Extensions, after Issuer. */
  readonly extensions?: readonly ReturnType<typeof el>[];
};

const orUndefined = <T>(value: T | null | undefined, fallback: T): T | undefined =>
  value === null ? undefined : (value ?? fallback);

/** An AuthnRequest as Salesforce writes it (salesforce-api.md §5.3), unsigned. */
export const authnRequestXml = (spec: AuthnRequestSpec): string =>
  buildXml(
    el(
      ns.protocol,
      "samlp:AuthnRequest",
      {
        "xmlns:samlp": ns.protocol,
        AssertionConsumerServiceURL:
          spec.acsIndex === undefined
            ? orUndefined(spec.acsUrl, salesforceSp.acsUrl)
            : (spec.acsUrl ?? undefined),
        AssertionConsumerServiceIndex: spec.acsIndex,
        Destination: orUndefined(spec.destination, porticoIdp.ssoUrl),
        ForceAuthn: spec.forceAuthn,
        ID: spec.id ?? salesforceRequestId("authn"),
        IsPassive: spec.isPassive,
        IssueInstant: spec.issueInstant.toISOString(),
        ProtocolBinding:
          spec.acsIndex === undefined
            ? orUndefined(spec.protocolBinding, binding.httpPost)
            : (spec.protocolBinding ?? undefined),
        Version: spec.version ?? "2.0",
      },
      [
        el(ns.assertion, "saml:Issuer", { "xmlns:saml": ns.assertion }, [
          spec.issuer ?? salesforceSp.entityId,
        ]),
        spec.extensions !== undefined && el(ns.protocol, "samlp:Extensions", {}, spec.extensions),
        spec.nameIdPolicy !== undefined &&
          el(ns.protocol, "samlp:NameIDPolicy", {
            AllowCreate: spec.nameIdPolicy.allowCreate,
            Format: spec.nameIdPolicy.format,
            SPNameQualifier: spec.nameIdPolicy.spNameQualifier,
          }),
      ],
    ),
  );

export type LogoutRequestSpec = {
  readonly id?: string;
  readonly issueInstant: Date;
  readonly destination?: string;
  readonly issuer?: string;
  readonly nameId?: string;
  readonly sessionIndexes?: readonly string[];
  readonly notOnOrAfter?: Date;
};

/** A LogoutRequest from the SP to Portico, unsigned. */
export const logoutRequestXml = (spec: LogoutRequestSpec): string =>
  buildLogoutRequest({
    id: spec.id ?? salesforceRequestId("logout"),
    issueInstant: spec.issueInstant,
    destination: spec.destination ?? porticoIdp.sloUrl,
    issuer: spec.issuer ?? salesforceSp.entityId,
    nameId: { value: spec.nameId ?? "jdoe@example.com", format: nameIdFormat.unspecified },
    sessionIndexes: spec.sessionIndexes ?? ["_session-1"],
    ...(spec.notOnOrAfter === undefined ? {} : { notOnOrAfter: spec.notOnOrAfter }),
  });

/** A LogoutResponse from the SP to Portico, unsigned. */
export const logoutResponseXml = (spec: {
  readonly id?: string;
  readonly issueInstant: Date;
  readonly inResponseTo: string;
  readonly destination?: string;
}): string =>
  buildLogoutResponse({
    id: spec.id ?? salesforceRequestId("logout-response"),
    issueInstant: spec.issueInstant,
    destination: spec.destination ?? porticoIdp.sloUrl,
    inResponseTo: spec.inResponseTo,
    issuer: salesforceSp.entityId,
    status: { code: "urn:oasis:names:tc:SAML:2.0:status:Success" },
  });

// xml-crypto has no ECDSA and no SHA-384; an SP in these tests may use them.
const ecdsaClass = (uri: string, hash: string) =>
  class {
    getSignature(signedInfo: string | Buffer, privateKey: string | Buffer): string {
      return sign(hash, Buffer.from(signedInfo), {
        key: createPrivateKey(privateKey),
        dsaEncoding: "ieee-p1363",
      }).toString("base64");
    }
    verifySignature(): boolean {
      throw new Error("signing only");
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
const rsaClass = (uri: string, hash: string) =>
  class {
    getSignature(signedInfo: string | Buffer, privateKey: string | Buffer): string {
      return sign(hash, Buffer.from(signedInfo), createPrivateKey(privateKey)).toString("base64");
    }
    verifySignature(): boolean {
      throw new Error("signing only");
    }
    getAlgorithmName(): string {
      return uri;
    }
  };
const sha384 = class {
  getHash(xml: string): string {
    return createHash("sha384").update(xml, "utf8").digest("base64");
  }
  getAlgorithmName(): string {
    return digestAlgorithm.sha384;
  }
};

export type EnvelopedSigning = {
  readonly privateKeyPem: string;
  /** Put this certificate in KeyInfo (as Salesforce does); left out when undefined. */
  readonly certificatePem?: string;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  readonly canonicalization?: string;
  readonly transforms?: readonly string[];
  /** Sign the whole document (`URI=""`) rather than `#ID`. */
  readonly emptyUri?: boolean;
  /** A second Reference to the root. */
  readonly twoReferences?: boolean;
};

/**
 * Signs the root of `xml` with an enveloped signature placed right after its Issuer, as an SP
 * does for HTTP-POST (saml-core §5.4), by xml-crypto — not by Portico's signer.
 */
export const signEnveloped = (xml: string, signing: EnvelopedSigning): string => {
  const signatureUri = signing.signatureAlgorithm ?? signatureAlgorithm.rsaSha256;
  const digestUri = signing.digestAlgorithm ?? digestAlgorithm.sha256;
  const signer = new SignedXml({
    privateKey: signing.privateKeyPem,
    ...(signing.certificatePem === undefined ? {} : { publicCert: signing.certificatePem }),
    signatureAlgorithm: signatureUri,
    canonicalizationAlgorithm: signing.canonicalization ?? transform.exclusiveC14n,
  });
  if (signing.certificatePem === undefined) signer.getKeyInfoContent = () => null;
  const hashes: Record<string, string> = {
    [signatureAlgorithm.rsaSha1]: "sha1",
    [signatureAlgorithm.rsaSha256]: "sha256",
    [signatureAlgorithm.rsaSha384]: "sha384",
    [signatureAlgorithm.rsaSha512]: "sha512",
    [signatureAlgorithm.ecdsaSha256]: "sha256",
    [signatureAlgorithm.ecdsaSha384]: "sha384",
    [signatureAlgorithm.ecdsaSha512]: "sha512",
  };
  const hash = hashes[signatureUri];
  if (hash !== undefined) {
    signer.SignatureAlgorithms[signatureUri] = signatureUri.includes("ecdsa")
      ? ecdsaClass(signatureUri, hash)
      : rsaClass(signatureUri, hash);
  } else if (signatureUri.includes("hmac")) {
    signer.enableHMAC();
  }
  signer.HashAlgorithms[digestAlgorithm.sha384] = sha384;
  const reference = {
    xpath: "/*",
    transforms: [...(signing.transforms ?? [transform.envelopedSignature, transform.exclusiveC14n])],
    digestAlgorithm: digestUri,
    ...(signing.emptyUri === true ? { isEmptyUri: true, uri: "" } : {}),
  };
  signer.addReference(reference);
  if (signing.twoReferences === true) signer.addReference(reference);
  signer.computeSignature(xml, {
    prefix: "ds",
    location: { reference: "/*/*[local-name(.)='Issuer']", action: "after" },
  });
  return signer.getSignedXml();
};

/** Salesforce's POST signing: RSA-SHA256, exclusive c14n, its certificate in KeyInfo. */
export const signAsSalesforce = (xml: string, overrides: Partial<EnvelopedSigning> = {}): string =>
  signEnveloped(xml, {
    privateKeyPem: salesforceSp.privateKeyPem,
    certificatePem: salesforceSp.certificatePem,
    ...overrides,
  });

export type RedirectSpec = {
  readonly messageType?: "SAMLRequest" | "SAMLResponse";
  readonly xml: string;
  readonly relayState?: string;
  /** Sign as the SP (saml-bindings §3.4.4.1); Salesforce's key and RSA-SHA256 unless told. */
  readonly sign?: {
    readonly privateKeyPem?: string;
    readonly algorithm?: string;
    readonly ecdsaEncoding?: "der" | "ieee-p1363";
  };
};

const hashOf = (algorithm: string): string => {
  const match = /(sha\d+)$/.exec(algorithm);
  return match?.[1] ?? "sha256";
};

/**
 * An HTTP-Redirect query string (without `?`): DEFLATE, base64, percent-encoding, and with
 * `sign` the SigAlg and Signature over `SAMLRequest=…&RelayState=…&SigAlg=…`.
 */
export const redirectQuery = (spec: RedirectSpec): string => {
  const messageType = spec.messageType ?? "SAMLRequest";
  let query = `${messageType}=${encodeURIComponent(deflateRawSync(Buffer.from(spec.xml, "utf8")).toString("base64"))}`;
  if (spec.relayState !== undefined) query += `&RelayState=${encodeURIComponent(spec.relayState)}`;
  if (spec.sign === undefined) return query;
  const algorithm = spec.sign.algorithm ?? signatureAlgorithm.rsaSha256;
  query += `&SigAlg=${encodeURIComponent(algorithm)}`;
  const key = createPrivateKey(spec.sign.privateKeyPem ?? salesforceSp.privateKeyPem);
  const signature = sign(
    hashOf(algorithm),
    Buffer.from(query, "utf8"),
    key.asymmetricKeyType === "ec" ? { key, dsaEncoding: spec.sign.ecdsaEncoding ?? "der" } : key,
  );
  return `${query}&Signature=${encodeURIComponent(signature.toString("base64"))}`;
};

/** HTTP-POST form fields. */
export const postFields = (spec: {
  readonly messageType?: "SAMLRequest" | "SAMLResponse";
  readonly xml: string;
  readonly relayState?: string;
}): Record<string, string> => ({
  [spec.messageType ?? "SAMLRequest"]: Buffer.from(spec.xml, "utf8").toString("base64"),
  ...(spec.relayState === undefined ? {} : { RelayState: spec.relayState }),
});
