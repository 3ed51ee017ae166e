import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digestAlgorithm, signatureAlgorithm } from "../urn.ts";
import {
  allowedSignatureAlgorithms,
  digestHashByUri,
  isSigningAlgorithm,
  signatureAlgorithmByUri,
  signatureSuites,
  signingAlgorithmNames,
} from "./algorithms.ts";

describe("signing algorithms", () => {
  it("maps PingFederate's names to XML-DSig URIs with a digest of the same strength", () => {
    assert.deepEqual(
      Object.fromEntries(
        signingAlgorithmNames.map((name) => [
          name,
          [signatureSuites[name].signatureUri, signatureSuites[name].digestUri],
        ]),
      ),
      {
        SHA1withRSA: [signatureAlgorithm.rsaSha1, digestAlgorithm.sha1],
        SHA256withRSA: [signatureAlgorithm.rsaSha256, digestAlgorithm.sha256],
        SHA384withRSA: [signatureAlgorithm.rsaSha384, digestAlgorithm.sha384],
        SHA512withRSA: [signatureAlgorithm.rsaSha512, digestAlgorithm.sha512],
        SHA256withECDSA: [signatureAlgorithm.ecdsaSha256, digestAlgorithm.sha256],
        SHA384withECDSA: [signatureAlgorithm.ecdsaSha384, digestAlgorithm.sha384],
        SHA512withECDSA: [signatureAlgorithm.ecdsaSha512, digestAlgorithm.sha512],
      },
    );
  });

  it("uses a SHA-1 digest only for SHA1withRSA", () => {
    const withSha1 = signingAlgorithmNames.filter(
      (name) => signatureSuites[name].digestUri === digestAlgorithm.sha1,
    );
    assert.deepEqual(withSha1, ["SHA1withRSA"]);
  });

  it("knows its own names and no others", () => {
    assert.equal(isSigningAlgorithm("SHA256withECDSA"), true);
    assert.equal(isSigningAlgorithm("SHA256withDSA"), false);
    assert.equal(isSigningAlgorithm("constructor"), false);
  });

  it("leaves SHA-1 off the verify allow-list unless the connection opts in", () => {
    const strict = allowedSignatureAlgorithms({ allowSha1: false });
    assert.equal(strict.signature.has(signatureAlgorithm.rsaSha1), false);
    assert.equal(strict.digest.has(digestAlgorithm.sha1), false);
    assert.equal(strict.signature.has(signatureAlgorithm.rsaSha256), true);
    assert.equal(strict.signature.has(signatureAlgorithm.ecdsaSha512), true);

    const lenient = allowedSignatureAlgorithms({ allowSha1: true });
    assert.equal(lenient.signature.has(signatureAlgorithm.rsaSha1), true);
    assert.equal(lenient.digest.has(digestAlgorithm.sha1), true);
  });

  it("never allows HMAC, DSA, MD5 or RSA-PSS", () => {
    const lenient = allowedSignatureAlgorithms({ allowSha1: true });
    for (const uri of [
      "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
      "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
      "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
      "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
      "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    ]) {
      assert.equal(lenient.signature.has(uri as never), false, uri);
      assert.equal(signatureAlgorithmByUri(uri), undefined, uri);
    }
    assert.equal(lenient.digest.has("http://www.w3.org/2001/04/xmldsig-more#md5" as never), false);
  });

  it("translates URIs to node:crypto hashes and key types, and nothing inherited", () => {
    assert.deepEqual(signatureAlgorithmByUri(signatureAlgorithm.ecdsaSha384), {
      hash: "sha384",
      keyAlgorithm: "EC",
    });
    assert.deepEqual(signatureAlgorithmByUri(signatureAlgorithm.rsaSha1), {
      hash: "sha1",
      keyAlgorithm: "RSA",
    });
    assert.equal(digestHashByUri(digestAlgorithm.sha512), "sha512");
    assert.equal(signatureAlgorithmByUri("constructor"), undefined);
    assert.equal(digestHashByUri("__proto__"), undefined);
  });
});
