import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { decrypt } from "xml-encryption";
import { rejectsWithCode } from "../../../test/support/errors.ts";
import { generateSigningKeyPair, type KeyPairPem } from "../../crypto/keys.ts";
import { buildXml } from "../../xml/build.ts";
import { parseXml } from "../../xml/parse.ts";
import { attr, elementChildren, onlyChild, optionalChild, rootElement } from "../../xml/select.ts";
import { encryptionAlgorithm, ns } from "../urn.ts";
import { type EncryptionInput, encryptAssertion } from "./encrypt-assertion.ts";

const now = new Date("2026-07-01T12:00:00.000Z");
const assertion =
  '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2026-07-01T12:00:00.000Z"><saml:Issuer>https://idp.example.com</saml:Issuer><saml:Subject><saml:NameID>ada@example.com</saml:NameID></saml:Subject></saml:Assertion>';

let sp: KeyPairPem;
let ecSp: KeyPairPem;
before(async () => {
  sp = await generateSigningKeyPair({ keyAlgorithm: "RSA", subjectDn: "CN=sp", validDays: 30, now });
  ecSp = await generateSigningKeyPair({ keyAlgorithm: "EC", subjectDn: "CN=sp-ec", validDays: 30, now });
});

const encrypt = async (options: Partial<EncryptionInput> = {}) => {
  const xml = buildXml(
    await encryptAssertion(assertion, {
      certificatePem: sp.certificatePem,
      blockAlgorithm: "AES_256_GCM",
      keyTransport: "RSA_OAEP",
      ...options,
    }),
  );
  const encryptedAssertion = rootElement(parseXml(xml));
  const data = onlyChild(encryptedAssertion, ns.xmlenc, "EncryptedData");
  const key = onlyChild(onlyChild(data, ns.xmldsig, "KeyInfo"), ns.xmlenc, "EncryptedKey");
  const keyMethod = onlyChild(key, ns.xmlenc, "EncryptionMethod");
  return { xml, encryptedAssertion, data, key, keyMethod };
};

const decrypted = (xml: string, allowCbc = false): Promise<string> => {
  const data = xml.slice(xml.indexOf("<xenc:EncryptedData"), xml.indexOf("</saml:EncryptedAssertion>"));
  return new Promise((resolve, reject) =>
    decrypt(
      // The EncryptedData alone, with the declaration it inherited from EncryptedAssertion.
      data.replace(
        "<xenc:EncryptedData ",
        '<xenc:EncryptedData xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ',
      ),
      {
        key: sp.privateKeyPem,
        disallowDecryptionWithInsecureAlgorithm: !allowCbc,
        warnInsecureAlgorithm: false,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
};

describe("encryptAssertion", () => {
  it("writes an EncryptedAssertion with AES-256-GCM and RSA-OAEP, readable with the SP's key", async () => {
    const { xml, encryptedAssertion, data, key, keyMethod } = await encrypt();
    assert.equal(encryptedAssertion.namespaceURI, ns.assertion);
    assert.equal(encryptedAssertion.localName, "EncryptedAssertion");
    assert.equal(attr(data, "Type"), "http://www.w3.org/2001/04/xmlenc#Element");
    assert.equal(
      attr(onlyChild(data, ns.xmlenc, "EncryptionMethod"), "Algorithm"),
      encryptionAlgorithm.aes256Gcm,
    );
    assert.equal(attr(keyMethod, "Algorithm"), encryptionAlgorithm.rsaOaepMgf1p);
    assert.equal(
      attr(onlyChild(keyMethod, ns.xmldsig, "DigestMethod"), "Algorithm"),
      "http://www.w3.org/2000/09/xmldsig#sha1",
    );
    assert.equal(optionalChild(keyMethod, "http://www.w3.org/2009/xmlenc11#", "MGF"), undefined);
    assert.deepEqual(
      elementChildren(key).map((e) => e.localName),
      ["EncryptionMethod", "KeyInfo", "CipherData"],
    );
    assert.doesNotMatch(xml, /ada@example\.com/);
    assert.equal(await decrypted(xml), assertion);
  });

  it("uses a fresh key and nonce every time", async () => {
    const one = await encrypt();
    const two = await encrypt();
    assert.notEqual(one.xml, two.xml);
    assert.equal(await decrypted(two.xml), assertion);
  });

  it("writes RSA-OAEP with SHA-256 and MGF1-SHA256 for RSA_OAEP_256", async () => {
    const { xml, keyMethod } = await encrypt({ keyTransport: "RSA_OAEP_256", blockAlgorithm: "AES_128_GCM" });
    assert.equal(attr(keyMethod, "Algorithm"), encryptionAlgorithm.rsaOaep);
    assert.equal(
      attr(onlyChild(keyMethod, ns.xmldsig, "DigestMethod"), "Algorithm"),
      "http://www.w3.org/2001/04/xmlenc#sha256",
    );
    assert.equal(
      attr(onlyChild(keyMethod, "http://www.w3.org/2009/xmlenc11#", "MGF"), "Algorithm"),
      "http://www.w3.org/2009/xmlenc11#mgf1sha256",
    );
    assert.equal(await decrypted(xml), assertion);
  });

  it("encrypts with AES-CBC only because the connection names it", async () => {
    const { xml, data } = await encrypt({ blockAlgorithm: "AES_256" });
    assert.equal(
      attr(onlyChild(data, ns.xmlenc, "EncryptionMethod"), "Algorithm"),
      encryptionAlgorithm.aes256Cbc,
    );
    assert.equal(await decrypted(xml, true), assertion);
    await assert.rejects(decrypted(xml, false), /not secure/);
  });

  it("refuses an SP certificate without an RSA key, or one that does not parse", async () => {
    await rejectsWithCode(encrypt({ certificatePem: ecSp.certificatePem }), "SAML_ENCRYPTION_FAILED");
    await rejectsWithCode(encrypt({ certificatePem: "not a certificate" }), "SAML_ENCRYPTION_FAILED");
  });
});
