import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { KeyPairPem } from "../../src/crypto/keys.ts";
import {
  type OneLoginResult,
  oneloginAcs,
  type SignatureOf,
  samlsignVerify,
  xmlsecVerify,
  xsdValidate,
} from "../support/peers.ts";
import {
  acsUrl,
  assertionIdOf,
  attributes,
  buildCase,
  decryptAssertion,
  generatePeerKeys,
  idpEntityId,
  nameIdValue,
  type PeerKeys,
  type ResponseCase,
  reencryptChanged,
  requestId,
  responseCases,
  responseIdOf,
  spEntityId,
  tamperings,
} from "./response-cases.ts";

/**
 * Every kind of Response Portico emits is accepted by four implementations that are not ours —
 * libxmlsec (xmlsec1), C++ OpenSAML (samlsign), OneLogin's python3-saml as a strict SP, and the
 * OASIS XSDs (xmllint) — and a copy changed after signing is rejected by each checker that can
 * see signatures (issue 3, "Independent checks"; peers-libraries §C.2).
 */

let keys: PeerKeys;
before(async () => {
  keys = await generatePeerKeys();
});

const idpKey = (kase: ResponseCase): KeyPairPem => (kase.key === "rsa" ? keys.rsa : keys.ec);

/** What each signature covers, and where a checker finds it (decrypted first when encrypted). */
type SignedPart = { readonly of: SignatureOf; readonly id: string; readonly document: string };

const signedParts = async (kase: ResponseCase, index: number, xml: string): Promise<SignedPart[]> => {
  const parts: SignedPart[] = [];
  if (kase.signResponse) parts.push({ of: "Response", id: responseIdOf(index), document: xml });
  if (kase.signAssertion) {
    // An encrypted assertion's signature is inside the ciphertext: the SP decrypts, then verifies.
    const document = kase.encryption === undefined ? xml : await decryptAssertion(xml, keys.sp);
    parts.push({ of: "Assertion", id: assertionIdOf(index), document });
  }
  return parts;
};

const onelogin = (
  kase: ResponseCase,
  xml: string,
  overrides: { spEntityId?: string; rejectSha1?: boolean; idpCertPem?: string } = {},
) =>
  oneloginAcs({
    samlResponse: Buffer.from(xml, "utf8").toString("base64"),
    requestId: kase.spInitiated ? requestId : null,
    idpEntityId,
    idpCertPem: overrides.idpCertPem ?? idpKey(kase).certificatePem,
    spEntityId: overrides.spEntityId ?? spEntityId,
    acsUrl,
    wantAssertionsSigned: kase.signAssertion,
    wantMessagesSigned: kase.signResponse,
    wantAttributeStatement: kase.withAttributes,
    wantAssertionsEncrypted: kase.encryption !== undefined,
    rejectDeprecatedAlgorithm: overrides.rejectSha1 ?? kase.algorithm !== "SHA1withRSA",
    ...(kase.encryption === undefined
      ? {}
      : { spCertPem: keys.sp.certificatePem, spPrivateKeyPem: keys.sp.privateKeyPem }),
  });

const assertAccepted = (result: OneLoginResult, kase: ResponseCase): void => {
  assert.equal(result.error, null);
  assert.equal(result.valid, true);
  assert.equal(result.nameId, nameIdValue);
  const expected = kase.withAttributes
    ? Object.fromEntries(attributes.map((attribute) => [attribute.name, [...attribute.values]]))
    : {};
  assert.deepEqual(result.attributes, expected);
};

responseCases.forEach((kase, index) => {
  describe(kase.name, () => {
    let xml: string;
    before(async () => {
      xml = await buildCase(kase, index, keys);
    });

    it("xmlsec1 verifies each signature with the pinned certificate, over the element it names", async () => {
      const parts = await signedParts(kase, index, xml);
      assert.ok(parts.length > 0);
      for (const part of parts) {
        const result = await xmlsecVerify(part.document, idpKey(kase).certificatePem, part.of);
        assert.equal(result.ok, true, `${part.of}: ${result.output}`);
        // xmlsec1 proves only that some referenced node is signed; it must be the one we meant.
        assert.deepEqual(result.referenceUris, [`#${part.id}`], part.of);
        assert.deepEqual(result.digestedIds, [part.id], part.of);
      }
    });

    it("samlsign (C++ OpenSAML) verifies each signed object by its ID", async () => {
      for (const part of await signedParts(kase, index, xml)) {
        const result = await samlsignVerify(part.document, idpKey(kase).certificatePem, part.id);
        assert.equal(result.ok, true, `${part.of}: ${result.stdout}${result.stderr}`);
      }
    });

    if (kase.oneLoginCannot === undefined) {
      it("OneLogin's python3-saml, as a strict SP, accepts it and reads the NameID and attributes", async () => {
        assertAccepted(await onelogin(kase, xml), kase);
      });
    } else {
      // A canary, not a skip: when Debian's OneLogin learns this, the test says so.
      it(`OneLogin cannot take part yet: ${kase.oneLoginCannot}`, async () => {
        const result = await onelogin(kase, xml);
        assert.equal(result.valid, false);
        assert.match(result.error ?? "", /failed to decrypt/);
      });
    }

    it("validates against the SAML 2.0 protocol schema (and the decrypted assertion against the assertion schema)", async () => {
      const response = await xsdValidate(xml, "protocol");
      assert.equal(response.ok, true, response.stderr);
      if (kase.encryption !== undefined) {
        const assertion = await xsdValidate(await decryptAssertion(xml, keys.sp), "assertion");
        assert.equal(assertion.ok, true, assertion.stderr);
      }
    });

    if (kase.algorithm === "SHA1withRSA") {
      it("is refused by an SP that rejects deprecated algorithms (SHA-1 is never a default)", async () => {
        const result = await onelogin(kase, xml, { rejectSha1: true });
        assert.equal(result.valid, false);
        assert.match(result.error ?? "", /Deprecated signature algorithm/);
      });
    }

    for (const tampering of tamperings(kase)) {
      describe(`a copy with the ${tampering.name}`, () => {
        let tampered: string;
        before(async () => {
          tampered =
            kase.encryption === undefined
              ? tampering.change(xml)
              : await reencryptChanged(xml, keys, tampering.change);
        });

        it("is rejected by xmlsec1 and samlsign for every signature that covers the change", async () => {
          for (const part of await signedParts(kase, index, tampered)) {
            const xmlsec = await xmlsecVerify(part.document, idpKey(kase).certificatePem, part.of);
            assert.equal(xmlsec.ok, false, `xmlsec1 accepted the tampered ${part.of}`);
            const samlsign = await samlsignVerify(part.document, idpKey(kase).certificatePem, part.id);
            assert.equal(samlsign.ok, false, `samlsign accepted the tampered ${part.of}`);
          }
        });

        if (kase.oneLoginCannot === undefined) {
          it("is rejected by OneLogin for its signature", async () => {
            const result = await onelogin(kase, tampered, { spEntityId: tampering.spEntityId });
            assert.equal(result.valid, false);
            assert.match(result.error ?? "", /Signature validation failed/);
          });
        }
      });
    }
  });
});

describe("a Response signed by a key other than the pinned certificate's", () => {
  const kase = responseCases.find(
    (c) => c.signResponse && c.signAssertion && c.key === "rsa" && c.encryption === undefined,
  );
  let xml: string;
  before(async () => {
    assert.ok(kase);
    xml = await buildCase(kase, 90, keys);
  });

  it("is rejected by xmlsec1, samlsign and OneLogin, even with the signer's certificate in KeyInfo", async () => {
    assert.ok(kase);
    for (const of of ["Response", "Assertion"] as const) {
      const xmlsec = await xmlsecVerify(xml, keys.stranger.certificatePem, of);
      assert.equal(xmlsec.ok, false, of);
    }
    assert.equal((await samlsignVerify(xml, keys.stranger.certificatePem, responseIdOf(90))).ok, false);
    assert.equal((await samlsignVerify(xml, keys.stranger.certificatePem, assertionIdOf(90))).ok, false);
    const result = await onelogin(kase, xml, { idpCertPem: keys.stranger.certificatePem });
    assert.equal(result.valid, false);
    assert.match(result.error ?? "", /Signature validation failed/);
  });
});
