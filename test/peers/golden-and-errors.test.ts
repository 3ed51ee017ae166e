import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { buildErrorResponse } from "../../src/saml/response/build-response.ts";
import { statusCode, subStatusCode } from "../../src/saml/urn.ts";
import { oneloginAcs, samlsignVerify, xmlsecVerify, xsdValidate } from "../support/peers.ts";
import {
  acsUrl,
  generatePeerKeys,
  idpEntityId,
  type PeerKeys,
  requestId,
  spEntityId,
} from "./response-cases.ts";

const fixtures = new URL("../fixtures/saml/valid/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), "utf8");

describe("the committed golden files are what the peers accept, not just what we wrote once", () => {
  const certificatePem = read("golden-signing-cert.pem");

  it("response-signed-both.xml: both signatures verify with xmlsec1 and samlsign; the schema validates it", async () => {
    const xml = read("response-signed-both.xml");
    for (const [of, id] of [
      ["Response", "_r0001"],
      ["Assertion", "_a0001"],
    ] as const) {
      const xmlsec = await xmlsecVerify(xml, certificatePem, of);
      assert.equal(xmlsec.ok, true, xmlsec.output);
      assert.deepEqual(xmlsec.digestedIds, [id]);
      assert.equal((await samlsignVerify(xml, certificatePem, id)).ok, true, of);
    }
    const xsd = await xsdValidate(xml, "protocol");
    assert.equal(xsd.ok, true, xsd.stderr);
  });

  it("error-response-no-passive.xml: verifies and validates", async () => {
    const xml = read("error-response-no-passive.xml");
    assert.equal((await xmlsecVerify(xml, certificatePem, "Response")).ok, true);
    assert.equal((await samlsignVerify(xml, certificatePem, "_e0001")).ok, true);
    assert.equal((await xsdValidate(xml, "protocol")).ok, true);
  });

  it("the schema check can fail: a Response with its Signature after the Status does not validate", async () => {
    const xml = read("response-signed-both.xml");
    const signature = xml.slice(
      xml.indexOf("<ds:Signature"),
      xml.indexOf("</ds:Signature>") + "</ds:Signature>".length,
    );
    const moved = xml.replace(signature, "").replace("</samlp:Status>", `</samlp:Status>${signature}`);
    assert.notEqual(moved, xml);
    assert.equal((await xsdValidate(moved, "protocol")).ok, false);
  });
});

describe("an error Response (no assertion)", () => {
  let keys: PeerKeys;
  let xml: string;
  before(async () => {
    keys = await generatePeerKeys();
    xml = buildErrorResponse(
      {
        issuer: idpEntityId,
        destination: acsUrl,
        inResponseTo: requestId,
        now: new Date(),
        responseId: "_e77",
        status: {
          code: statusCode.responder,
          subCode: subStatusCode.noPassive,
          message: "No session & passive",
        },
      },
      {
        ...keys.rsa,
        algorithm: "SHA256withRSA",
        includeCertInSignature: true,
        includeRawKeyInSignature: false,
        signResponse: true,
        signAssertion: false,
      },
    );
  });

  it("verifies with xmlsec1 and samlsign and validates against the protocol schema", async () => {
    const xmlsec = await xmlsecVerify(xml, keys.rsa.certificatePem, "Response");
    assert.equal(xmlsec.ok, true, xmlsec.output);
    assert.deepEqual(xmlsec.digestedIds, ["_e77"]);
    assert.equal((await samlsignVerify(xml, keys.rsa.certificatePem, "_e77")).ok, true);
    assert.equal((await xsdValidate(xml, "protocol")).ok, true);
  });

  it("reads at OneLogin's SP as the failure it reports, with its message", async () => {
    const result = await oneloginAcs({
      samlResponse: Buffer.from(xml).toString("base64"),
      requestId,
      idpEntityId,
      idpCertPem: keys.rsa.certificatePem,
      spEntityId,
      acsUrl,
      wantAssertionsSigned: false,
      wantMessagesSigned: true,
      wantAttributeStatement: false,
      rejectDeprecatedAlgorithm: true,
    });
    assert.equal(result.valid, false);
    assert.match(result.error ?? "", /Responder/);
    // OneLogin prints the StatusMessage (unescaped) in place of the sub-status when there is one.
    assert.match(result.error ?? "", /No session & passive$/);
  });
});
