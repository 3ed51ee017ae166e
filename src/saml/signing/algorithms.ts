import {
  type DigestAlgorithmUri,
  digestAlgorithm,
  type SignatureAlgorithmUri,
  signatureAlgorithm,
} from "../urn.ts";

/**
 * The signature algorithms a connection can choose, by PingFederate's names
 * (`signingSettings.algorithm`), and what each means on the wire.
 */
export const signingAlgorithmNames = [
  "SHA1withRSA",
  "SHA256withRSA",
  "SHA384withRSA",
  "SHA512withRSA",
  "SHA256withECDSA",
  "SHA384withECDSA",
  "SHA512withECDSA",
] as const;

/** PingFederate's name of a signature algorithm, e.g. `SHA256withRSA` (the default). */
export type SigningAlgorithm = (typeof signingAlgorithmNames)[number];

/** node:crypto's name of a hash function. */
export type HashName = "sha1" | "sha256" | "sha384" | "sha512";

/** One choice of signing algorithm, spelled out for XML-DSig and for node:crypto. */
export type SignatureSuite = {
  readonly name: SigningAlgorithm;
  /** `SignatureMethod/@Algorithm` (xmldsig-core §6.4, RFC 6931 §2.3). */
  readonly signatureUri: SignatureAlgorithmUri;
  /** `DigestMethod/@Algorithm` of the reference: the same hash as the signature. */
  readonly digestUri: DigestAlgorithmUri;
  /** The hash node:crypto signs with. */
  readonly hash: HashName;
  /** The key the algorithm needs. */
  readonly keyAlgorithm: "RSA" | "EC";
};

// The reference digest uses the signature's own hash, so that choosing SHA-256 never leaves a
// SHA-1 digest behind it; SHA-1 appears only when the connection chose SHA1withRSA.
export const signatureSuites: Readonly<Record<SigningAlgorithm, SignatureSuite>> = {
  SHA1withRSA: suite("SHA1withRSA", signatureAlgorithm.rsaSha1, digestAlgorithm.sha1, "sha1", "RSA"),
  SHA256withRSA: suite(
    "SHA256withRSA",
    signatureAlgorithm.rsaSha256,
    digestAlgorithm.sha256,
    "sha256",
    "RSA",
  ),
  SHA384withRSA: suite(
    "SHA384withRSA",
    signatureAlgorithm.rsaSha384,
    digestAlgorithm.sha384,
    "sha384",
    "RSA",
  ),
  SHA512withRSA: suite(
    "SHA512withRSA",
    signatureAlgorithm.rsaSha512,
    digestAlgorithm.sha512,
    "sha512",
    "RSA",
  ),
  SHA256withECDSA: suite(
    "SHA256withECDSA",
    signatureAlgorithm.ecdsaSha256,
    digestAlgorithm.sha256,
    "sha256",
    "EC",
  ),
  SHA384withECDSA: suite(
    "SHA384withECDSA",
    signatureAlgorithm.ecdsaSha384,
    digestAlgorithm.sha384,
    "sha384",
    "EC",
  ),
  SHA512withECDSA: suite(
    "SHA512withECDSA",
    signatureAlgorithm.ecdsaSha512,
    digestAlgorithm.sha512,
    "sha512",
    "EC",
  ),
};

function suite(
  name: SigningAlgorithm,
  signatureUri: SignatureAlgorithmUri,
  digestUri: DigestAlgorithmUri,
  hash: HashName,
  keyAlgorithm: "RSA" | "EC",
): SignatureSuite {
  return { name, signatureUri, digestUri, hash, keyAlgorithm };
}

/** Portico's default, and PingFederate's: RSA with SHA-256. */
export const defaultSigningAlgorithm: SigningAlgorithm = "SHA256withRSA";

/** Whether `name` is one of the algorithm names above (for values read from configuration). */
export const isSigningAlgorithm = (name: string): name is SigningAlgorithm =>
  (signingAlgorithmNames as readonly string[]).includes(name);

// Maps, not object literals: a URI read from a message must never find `constructor` or another
// inherited property.
const signatureByUri: ReadonlyMap<string, { readonly hash: HashName; readonly keyAlgorithm: "RSA" | "EC" }> =
  new Map(
    Object.values(signatureSuites).map((s) => [
      s.signatureUri,
      { hash: s.hash, keyAlgorithm: s.keyAlgorithm },
    ]),
  );

const digestByUri: ReadonlyMap<string, HashName> = new Map([
  [digestAlgorithm.sha1, "sha1"],
  [digestAlgorithm.sha256, "sha256"],
  [digestAlgorithm.sha384, "sha384"],
  [digestAlgorithm.sha512, "sha512"],
]);

/** What a verifier may accept: signature and digest algorithm URIs, nothing else. */
export type AllowedAlgorithms = {
  readonly signature: ReadonlySet<SignatureAlgorithmUri>;
  readonly digest: ReadonlySet<DigestAlgorithmUri>;
};

/**
 * The allow-list for verifying signatures from a partner (signed AuthnRequests and
 * LogoutRequests): RSA and ECDSA with SHA-256/384/512, plus RSA-SHA1 and the SHA-1 digest only
 * when the connection opted in. Anything else — HMAC, DSA, MD5, RSA-PSS, an unknown URI — is not
 * on it, so a verifier that checks membership has no fallback (peers-libraries §B.5 rule 4).
 */
export const allowedSignatureAlgorithms = (options: { readonly allowSha1: boolean }): AllowedAlgorithms => {
  const signature = new Set<SignatureAlgorithmUri>(
    Object.values(signatureAlgorithm).filter(
      (uri) => options.allowSha1 || uri !== signatureAlgorithm.rsaSha1,
    ),
  );
  const digest = new Set<DigestAlgorithmUri>(
    Object.values(digestAlgorithm).filter((uri) => options.allowSha1 || uri !== digestAlgorithm.sha1),
  );
  return { signature, digest };
};

/**
 * The node:crypto hash of a signature algorithm URI and the key it needs, or undefined for a URI
 * Portico does not know. Check the allow-list first; this only translates.
 */
export const signatureAlgorithmByUri = (
  uri: string,
): { readonly hash: HashName; readonly keyAlgorithm: "RSA" | "EC" } | undefined => signatureByUri.get(uri);

/** The node:crypto hash of a digest algorithm URI, or undefined for a URI Portico does not know. */
export const digestHashByUri = (uri: string): HashName | undefined => digestByUri.get(uri);
