import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { thrownAppError } from "../../../test/support/errors.ts";
import { salesforceSp } from "../../../test/support/saml-requests.ts";
import { parseCertificates } from "../../crypto/certificate.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { parseXml } from "../../xml/parse.ts";
import { childElements, rootElement } from "../../xml/select.ts";
import { ns, transform } from "../urn.ts";
import { verifyAlgorithms } from "./verify-algorithms.ts";
import { checkSignatureShape, type ShapeWording, verifyWithPinnedCertificates } from "./xml-signature.ts";

const fixtures = new URL("../../../test/fixtures/saml/valid/", import.meta.url);
// Response _r0001 and Assertion _a0001, each signed with RSA-SHA256 by the golden key.
const response = readFileSync(new URL("response-signed-both.xml", fixtures), "utf8");
const golden = parseCertificates(readFileSync(new URL("golden-signing-cert.pem", fixtures), "utf8"));
const otherKey = parseCertificates(salesforceSp.certificatePem);
const allowed = verifyAlgorithms({ allowSha1: false });

const terse: ShapeWording = {
  notOne: (parent, localName) => `one ${localName} in ${parent.localName}`,
  references: (found) => `references: ${found}`,
  canonicalization: "c14n",
  referenceUri: (uri, id) => `uri ${uri} for ${id}`,
  transforms: "transforms",
};
const wordy: ShapeWording = {
  notOne: () => "wordy: count",
  references: () => "wordy: references",
  canonicalization: "wordy: c14n",
  referenceUri: () => "wordy: uri",
  transforms: "wordy: transforms",
};

const responseSignature = (xml: string): Element => {
  const [signature] = childElements(rootElement(parseXml(xml)), ns.xmldsig, "Signature");
  assert.ok(signature);
  return signature;
};

const refusal = (xml: string, id: string, wording: ShapeWording): { code: ErrorCode; message: string } => {
  const error = thrownAppError(() => checkSignatureShape(responseSignature(xml), id, allowed, wording));
  return { code: error.code, message: error.message };
};

describe("checkSignatureShape", () => {
  it("accepts what Portico signs and names its algorithms", () => {
    const shape = checkSignatureShape(responseSignature(response), "_r0001", allowed, terse);
    assert.equal(shape.spec.uri, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    assert.equal(shape.digestUri, "http://www.w3.org/2001/04/xmlenc#sha256");
  });

  it("raises one code per defect whatever the wording, with the caller's words", () => {
    const cases: readonly [defect: string, xml: string, id: string, code: ErrorCode, terse: string][] = [
      ["Reference to another ID", response, "_evil", "SAML_SIGNATURE_WRAPPING", "uri #_r0001 for _evil"],
      [
        "no SignatureValue",
        response.replace(/<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/, ""),
        "_r0001",
        "SAML_SIGNATURE_WRAPPING",
        "one SignatureValue in Signature",
      ],
      [
        "two References",
        response.replace(/(<ds:Reference [\s\S]*?<\/ds:Reference>)/, "$1$1"),
        "_r0001",
        "SAML_SIGNATURE_WRAPPING",
        "references: 2",
      ],
      [
        "c14n with comments",
        response.replace(
          `<ds:CanonicalizationMethod Algorithm="${transform.exclusiveC14n}"/>`,
          `<ds:CanonicalizationMethod Algorithm="${transform.exclusiveC14nWithComments}"/>`,
        ),
        "_r0001",
        "SAML_ALGORITHM_NOT_ALLOWED",
        "c14n",
      ],
      [
        "enveloped-signature only",
        response.replace(`<ds:Transform Algorithm="${transform.exclusiveC14n}"/>`, ""),
        "_r0001",
        "SAML_ALGORITHM_NOT_ALLOWED",
        "transforms",
      ],
    ];
    for (const [defect, xml, id, code, message] of cases) {
      if (id === "_r0001") assert.notEqual(xml, response, `${defect}: the fixture changed`);
      assert.deepEqual(refusal(xml, id, terse), { code, message }, defect);
      assert.equal(refusal(xml, id, wordy).code, code, defect);
    }
  });
});

describe("verifyWithPinnedCertificates", () => {
  const shape = checkSignatureShape(responseSignature(response), "_r0001", allowed, terse);

  it("hands back the signed bytes and the pinned certificate that verified them (rollover)", () => {
    const result = verifyWithPinnedCertificates(response, responseSignature(response), shape, [
      ...otherKey,
      ...golden,
    ]);
    assert.ok("signedXml" in result);
    assert.equal(result.certificate.fingerprint256, golden[0]?.fingerprint256);
    const signed = rootElement(parseXml(result.signedXml));
    assert.deepEqual(childElements(signed, ns.xmldsig, "Signature"), []);
    assert.equal(childElements(signed, ns.assertion, "Assertion").length, 1);
  });

  it("tells content changed after signing from a signature by another key", () => {
    const tampered = response.replace(
      "<saml:Audience>https://acme.my.salesforce.com</saml:Audience>",
      "<saml:Audience>https://evil.example.com</saml:Audience>",
    );
    assert.notEqual(tampered, response);
    assert.deepEqual(verifyWithPinnedCertificates(tampered, responseSignature(tampered), shape, golden), {
      failure: "digest",
    });
    // KeyInfo carries the golden certificate; only the pinned one counts.
    assert.deepEqual(verifyWithPinnedCertificates(response, responseSignature(response), shape, otherKey), {
      failure: "signature",
    });
  });
});
