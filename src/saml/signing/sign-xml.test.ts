import assert from "node:assert/strict";
import { verify } from "node:crypto";
import { before, describe, it } from "node:test";
import { ExclusiveCanonicalization } from "xml-crypto";
import { throwsCode } from "../../../test/support/errors.ts";
import { xmlCryptoVerify } from "../../../test/support/peers.ts";
import { generateSigningKeyPair, type KeyPairPem } from "../../crypto/keys.ts";
import { buildDocument, el, serialize } from "../../xml/build.ts";
import { parseXml } from "../../xml/parse.ts";
import { elementChildren, onlyChild, rootElement, textOf } from "../../xml/select.ts";
import { ns } from "../urn.ts";
import type { SigningAlgorithm } from "./algorithms.ts";
import { type SignatureOptions, signElement } from "./sign-xml.ts";
import { signingCredentials } from "./signing-key.ts";

const now = new Date("2026-07-01T12:00:00.000Z");
let rsa: KeyPairPem;
let ec: KeyPairPem;

before(async () => {
  rsa = await generateSigningKeyPair({ keyAlgorithm: "RSA", subjectDn: "CN=rsa", validDays: 30, now });
  ec = await generateSigningKeyPair({ keyAlgorithm: "EC", subjectDn: "CN=ec", validDays: 30, now });
});

const options = (algorithm: SigningAlgorithm, extra: Partial<SignatureOptions> = {}): SignatureOptions => ({
  algorithm,
  includeCertInSignature: false,
  includeRawKeyInSignature: false,
  ...extra,
});

const logoutRequest = () =>
  buildDocument(
    el(ns.protocol, "samlp:LogoutRequest", { "xmlns:samlp": ns.protocol, ID: "_lr1", Version: "2.0" }, [
      el(ns.assertion, "saml:Issuer", {}, ["https://idp.example.com"]),
      el(ns.assertion, "saml:NameID", {}, ["ada@example.com"]),
    ]),
  );

const sign = (doc: Document, key: KeyPairPem, signatureOptions: SignatureOptions): string => {
  signElement(rootElement(doc), signingCredentials(key.privateKeyPem, key.certificatePem), signatureOptions);
  return serialize(doc);
};

const signatureOf = (xml: string): Element => onlyChild(rootElement(parseXml(xml)), ns.xmldsig, "Signature");

describe("signElement", () => {
  it("puts the signature right after the Issuer and references the element's ID", () => {
    const xml = sign(logoutRequest(), rsa, options("SHA256withRSA"));
    const names = elementChildren(rootElement(parseXml(xml))).map((child) => child.localName);
    assert.deepEqual(names, ["Issuer", "Signature", "NameID"]);
    const signed = xmlCryptoVerify(xml, rsa.certificatePem, "_lr1");
    assert.match(signed, /^<samlp:LogoutRequest /);
    assert.doesNotMatch(signed, /Signature/, "the enveloped signature is not part of what it signs");
  });

  it("puts the signature first where there is no Issuer (EntityDescriptor)", () => {
    const doc = buildDocument(
      el(ns.metadata, "md:EntityDescriptor", { ID: "_md", entityID: "https://idp.example.com" }, [
        el(ns.metadata, "md:IDPSSODescriptor", { protocolSupportEnumeration: ns.protocol }),
      ]),
    );
    const xml = sign(doc, rsa, options("SHA256withRSA"));
    assert.deepEqual(
      elementChildren(rootElement(parseXml(xml))).map((child) => child.localName),
      ["Signature", "IDPSSODescriptor"],
    );
    xmlCryptoVerify(xml, rsa.certificatePem, "_md");
  });

  it("writes exclusive c14n, enveloped-signature, and the chosen algorithm", () => {
    const xml = sign(logoutRequest(), rsa, options("SHA512withRSA"));
    assert.match(
      xml,
      /<ds:CanonicalizationMethod Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"\/>/,
    );
    assert.match(
      xml,
      /<ds:SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha512"\/>/,
    );
    assert.match(
      xml,
      /<ds:Transforms><ds:Transform Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#enveloped-signature"\/><ds:Transform Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"\/><\/ds:Transforms>/,
    );
    assert.match(xml, /<ds:DigestMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#sha512"\/>/);
    xmlCryptoVerify(xml, rsa.certificatePem, "_lr1");
  });

  it("signs with SHA-1 only when SHA1withRSA is chosen", () => {
    const xml = sign(logoutRequest(), rsa, options("SHA1withRSA"));
    assert.match(xml, /xmldsig#rsa-sha1/);
    assert.match(xml, /xmldsig#sha1/);
    xmlCryptoVerify(xml, rsa.certificatePem, "_lr1");
    assert.doesNotMatch(sign(logoutRequest(), rsa, options("SHA256withRSA")), /sha1/);
  });

  it("writes an ECDSA signature as r||s (64 bytes for P-256), not DER", () => {
    const xml = sign(logoutRequest(), ec, options("SHA256withECDSA"));
    const signature = signatureOf(xml);
    const value = Buffer.from(textOf(onlyChild(signature, ns.xmldsig, "SignatureValue")), "base64");
    assert.equal(value.length, 64);
    const signedInfo = new ExclusiveCanonicalization().process(
      onlyChild(signature, ns.xmldsig, "SignedInfo"),
      {},
    );
    const publicKey = signingCredentials(ec.privateKeyPem, ec.certificatePem).publicKey;
    assert.equal(
      verify("sha256", Buffer.from(String(signedInfo)), { key: publicKey, dsaEncoding: "ieee-p1363" }, value),
      true,
    );
  });

  it("includes KeyInfo only as the connection asks", () => {
    const bare = signatureOf(sign(logoutRequest(), rsa, options("SHA256withRSA")));
    assert.equal(
      elementChildren(bare).some((child) => child.localName === "KeyInfo"),
      false,
    );

    const withCert = signatureOf(
      sign(logoutRequest(), rsa, options("SHA256withRSA", { includeCertInSignature: true })),
    );
    const keyInfo = onlyChild(withCert, ns.xmldsig, "KeyInfo");
    assert.deepEqual(
      elementChildren(keyInfo).map((child) => child.localName),
      ["X509Data"],
    );
    const certificate = textOf(
      onlyChild(onlyChild(keyInfo, ns.xmldsig, "X509Data"), ns.xmldsig, "X509Certificate"),
    );
    assert.equal(certificate, signingCredentials(rsa.privateKeyPem, rsa.certificatePem).certificateBase64);

    const withKey = signatureOf(
      sign(logoutRequest(), rsa, options("SHA256withRSA", { includeRawKeyInSignature: true })),
    );
    const rsaKeyValue = onlyChild(
      onlyChild(onlyChild(withKey, ns.xmldsig, "KeyInfo"), ns.xmldsig, "KeyValue"),
      ns.xmldsig,
      "RSAKeyValue",
    );
    assert.equal(textOf(onlyChild(rsaKeyValue, ns.xmldsig, "Exponent")), "AQAB");
    assert.equal(Buffer.from(textOf(onlyChild(rsaKeyValue, ns.xmldsig, "Modulus")), "base64").length, 256);

    const ecKey = signatureOf(
      sign(logoutRequest(), ec, options("SHA256withECDSA", { includeRawKeyInSignature: true })),
    );
    const keyValue = onlyChild(onlyChild(ecKey, ns.xmldsig, "KeyInfo"), ns.xmldsig, "KeyValue");
    const ecKeyValue = onlyChild(keyValue, "http://www.w3.org/2009/xmldsig11#", "ECKeyValue");
    const point = Buffer.from(
      textOf(onlyChild(ecKeyValue, "http://www.w3.org/2009/xmldsig11#", "PublicKey")),
      "base64",
    );
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
  });

  it("refuses a key that does not fit the algorithm", () => {
    throwsCode(() => sign(logoutRequest(), rsa, options("SHA256withECDSA")), "SAML_SIGNING_FAILED");
    throwsCode(() => sign(logoutRequest(), ec, options("SHA256withRSA")), "SAML_SIGNING_FAILED");
  });

  it("refuses an element without ID, or one already signed", () => {
    const noId = buildDocument(el(ns.protocol, "samlp:LogoutRequest", { Version: "2.0" }));
    assert.throws(() => sign(noId, rsa, options("SHA256withRSA")), /has no ID/);
    const doc = logoutRequest();
    sign(doc, rsa, options("SHA256withRSA"));
    assert.throws(() => sign(doc, rsa, options("SHA256withRSA")), /already signed/);
  });

  it("refuses a certificate that is not the key's", () => {
    throwsCode(
      () => signingCredentials(rsa.privateKeyPem, ec.certificatePem),
      "SAML_SIGNING_FAILED",
      /does not belong/,
    );
    throwsCode(
      () =>
        signingCredentials(
          "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
          rsa.certificatePem,
        ),
      "SAML_SIGNING_FAILED",
    );
  });

  it("detects a change to the signed element (the signature is over its content)", () => {
    const xml = sign(logoutRequest(), rsa, options("SHA256withRSA"));
    const tampered = xml.replace(">ada@example.com<", ">eve@example.com<");
    assert.notEqual(tampered, xml);
    assert.throws(() => xmlCryptoVerify(tampered, rsa.certificatePem, "_lr1"), /does not verify/);
  });
});
