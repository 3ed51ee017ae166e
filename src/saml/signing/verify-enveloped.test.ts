import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { requireTool, run, withTempDir } from "../../../test/support/peers.ts";
import {
  authnRequestXml,
  logoutRequestXml,
  salesforceSp,
  signAsSalesforce,
  signEnveloped,
} from "../../../test/support/saml-requests.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { attr, childElements, elementChildren } from "../../xml/select.ts";
import { digestAlgorithm, ns, signatureAlgorithm, transform } from "../urn.ts";
import { verifyAlgorithms } from "./verify-algorithms.ts";
import { type VerifyEnvelopedOptions, verifyEnvelopedSignature } from "./verify-enveloped.ts";

const ID = "_request-1";
const issueInstant = new Date("2025-07-01T11:59:55.000Z");
const unsigned = authnRequestXml({ id: ID, issueInstant });
const signed = signAsSalesforce(unsigned);

const options: VerifyEnvelopedOptions = {
  certificatesPem: [salesforceSp.certificatePem],
  allowed: verifyAlgorithms({ allowSha1: false }),
  rootLocalName: "AuthnRequest",
};

const signatureOf = (xml: string): string => {
  const match = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml);
  assert.ok(match);
  return match[0];
};

/** Signs with xmlsec1 (libxmlsec + OpenSSL): a signer that shares no code with us. */
const xmlsecSign = (xml: string, keyPem: string, signatureUri: string, digestUri: string): Promise<string> =>
  withTempDir(async (dir) => {
    const template = xml.replace(
      "</saml:Issuer>",
      `</saml:Issuer><ds:Signature xmlns:ds="${ns.xmldsig}"><ds:SignedInfo>` +
        `<ds:CanonicalizationMethod Algorithm="${transform.exclusiveC14n}"/>` +
        `<ds:SignatureMethod Algorithm="${signatureUri}"/><ds:Reference URI="#${ID}"><ds:Transforms>` +
        `<ds:Transform Algorithm="${transform.envelopedSignature}"/><ds:Transform Algorithm="${transform.exclusiveC14n}"/>` +
        `</ds:Transforms><ds:DigestMethod Algorithm="${digestUri}"/><ds:DigestValue/></ds:Reference>` +
        "</ds:SignedInfo><ds:SignatureValue/></ds:Signature>",
    );
    await writeFile(join(dir, "key.pem"), keyPem);
    await writeFile(join(dir, "in.xml"), template);
    const result = await run(requireTool("xmlsec1"), [
      "--sign",
      "--privkey-pem",
      join(dir, "key.pem"),
      "--id-attr:ID",
      "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
      "--output",
      join(dir, "out.xml"),
      join(dir, "in.xml"),
    ]);
    assert.equal(result.code, 0, result.stderr);
    return readFile(join(dir, "out.xml"), "utf8");
  });

const opensslEcKeyPair = (): Promise<{ keyPem: string; certPem: string }> =>
  withTempDir(async (dir) => {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    const result = await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=sp.example.com",
      "-days",
      "2",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    assert.equal(result.code, 0, result.stderr);
    return { keyPem: await readFile(key, "utf8"), certPem: await readFile(cert, "utf8") };
  });

describe("verifyEnvelopedSignature: what verifies", () => {
  it("returns the root parsed from the signed bytes, without the signature", () => {
    const verified = verifyEnvelopedSignature(`<!-- not signed -->${signed}`, options);
    assert.equal(attr(verified.root, "ID"), ID);
    assert.equal(childElements(verified.root, ns.xmldsig, "Signature").length, 0);
    assert.deepEqual(
      elementChildren(verified.root).map((child) => child.localName),
      ["Issuer"],
    );
    assert.doesNotMatch(verified.signedXml, /Signature|not signed/);
    assert.equal(verified.verifiedBy.signatureAlgorithm, signatureAlgorithm.rsaSha256);
    assert.equal(verified.digestAlgorithm, digestAlgorithm.sha256);
  });

  it("verifies RSA-SHA256, RSA-SHA512 and ECDSA-SHA256 signatures made by xmlsec1", async () => {
    const rsa = await xmlsecSign(
      unsigned,
      salesforceSp.privateKeyPem,
      signatureAlgorithm.rsaSha256,
      digestAlgorithm.sha256,
    );
    assert.equal(attr(verifyEnvelopedSignature(rsa, options).root, "ID"), ID);
    const rsa512 = await xmlsecSign(
      unsigned,
      salesforceSp.privateKeyPem,
      signatureAlgorithm.rsaSha512,
      digestAlgorithm.sha512,
    );
    verifyEnvelopedSignature(rsa512, options);
    const ec = await opensslEcKeyPair();
    const ecdsa = await xmlsecSign(
      unsigned,
      ec.keyPem,
      signatureAlgorithm.ecdsaSha256,
      digestAlgorithm.sha256,
    );
    assert.equal(
      verifyEnvelopedSignature(ecdsa, { ...options, certificatesPem: [ec.certPem] }).verifiedBy
        .signatureAlgorithm,
      signatureAlgorithm.ecdsaSha256,
    );
  });

  it("verifies RSA-SHA384 with a SHA-384 digest", () => {
    const xml = signAsSalesforce(unsigned, {
      signatureAlgorithm: signatureAlgorithm.rsaSha384,
      digestAlgorithm: digestAlgorithm.sha384,
    });
    assert.equal(verifyEnvelopedSignature(xml, options).digestAlgorithm, digestAlgorithm.sha384);
  });

  it("verifies a LogoutRequest", () => {
    const xml = signAsSalesforce(logoutRequestXml({ id: ID, issueInstant }));
    const verified = verifyEnvelopedSignature(xml, { ...options, rootLocalName: "LogoutRequest" });
    assert.deepEqual(
      elementChildren(verified.root).map((child) => child.localName),
      ["Issuer", "NameID", "SessionIndex"],
    );
  });

  it("tries each pinned certificate (rollover) and reports the one that verified", () => {
    const verified = verifyEnvelopedSignature(signed, {
      ...options,
      certificatesPem: [salesforceSp.strangerCertificatePem, salesforceSp.certificatePem],
    });
    assert.equal(
      verified.verifiedBy.certificatePem.replace(/\s/g, ""),
      salesforceSp.certificatePem.replace(/\s/g, ""),
    );
  });
});

describe("verifyEnvelopedSignature: trust", () => {
  it("never trusts the certificate in KeyInfo (CVE-2024-32962)", () => {
    const forged = signEnveloped(unsigned, {
      privateKeyPem: salesforceSp.strangerKeyPem,
      certificatePem: salesforceSp.strangerCertificatePem,
    });
    throwsCode(() => verifyEnvelopedSignature(forged, options), "SAML_SIGNATURE_INVALID");
  });

  it("refuses to verify without a pinned certificate", () => {
    throwsCode(
      () => verifyEnvelopedSignature(signed, { ...options, certificatesPem: [] }),
      "SAML_SIGNATURE_INVALID",
    );
  });

  it("refuses a message changed after signing", () => {
    const tampered = signed.replace("so=00D5g000004AbCd", "so=00D5g000004EVIL");
    assert.notEqual(tampered, signed);
    throwsCode(() => verifyEnvelopedSignature(tampered, options), "SAML_SIGNATURE_INVALID");
  });

  it("says SAML_SIGNATURE_REQUIRED when there is no signature at all", () => {
    throwsCode(() => verifyEnvelopedSignature(unsigned, options), "SAML_SIGNATURE_REQUIRED");
  });

  it("refuses another message type at the root", () => {
    throwsCode(
      () => verifyEnvelopedSignature(signed, { ...options, rootLocalName: "LogoutRequest" }),
      "SAML_LOGOUT_INVALID",
    );
  });
});

describe("verifyEnvelopedSignature: wrapping and confusion", () => {
  const extensions = (inner: string) =>
    signed.replace("</ds:Signature>", `</ds:Signature><samlp:Extensions>${inner}</samlp:Extensions>`);

  const cases: [string, () => string, ErrorCode][] = [
    [
      "the signature moved into Extensions",
      () => {
        const signature = signatureOf(signed);
        return signed
          .replace(signature, "")
          .replace("</saml:Issuer>", `</saml:Issuer><samlp:Extensions>${signature}</samlp:Extensions>`);
      },
      "SAML_SIGNATURE_WRAPPING",
    ],
    ["a second signature", () => extensions(signatureOf(signed)), "SAML_SIGNATURE_WRAPPING"],
    [
      "a ds:Object inside the signature",
      () =>
        signed.replace(
          "</ds:Signature>",
          `<ds:Object><samlp:AuthnRequest ID="_other"/></ds:Object></ds:Signature>`,
        ),
      "SAML_SIGNATURE_WRAPPING",
    ],
    [
      "the message ID on another element",
      () => extensions(`<x:Thing xmlns:x="urn:x" ID="${ID}"/>`),
      "SAML_DUPLICATE_ID",
    ],
    [
      "the message ID as Id on another element",
      () => extensions(`<x:Thing xmlns:x="urn:x" Id="${ID}"/>`),
      "SAML_DUPLICATE_ID",
    ],
    [
      "the message ID as a namespaced ID",
      () => extensions(`<x:Thing xmlns:x="urn:x" x:ID="${ID}"/>`),
      "SAML_DUPLICATE_ID",
    ],
    [
      "a foreign element inside SignedInfo",
      () => signed.replace("</ds:SignedInfo>", '<x:Reference xmlns:x="urn:x" URI="#other"/></ds:SignedInfo>'),
      "SAML_SIGNATURE_WRAPPING",
    ],
    [
      'a Reference to the whole document (URI="")',
      () => signAsSalesforce(unsigned, { emptyUri: true }),
      "SAML_SIGNATURE_WRAPPING",
    ],
    ["two References", () => signAsSalesforce(unsigned, { twoReferences: true }), "SAML_SIGNATURE_WRAPPING"],
    [
      "a comment inside the signed Issuer",
      () => signed.replace(">https://acme.my.salesforce.com<", ">https://acme.my.salesforce<!---->.com<"),
      "XML_MALFORMED",
    ],
  ];
  for (const [name, make, code] of cases) {
    it(`refuses ${name} (${code})`, () => throwsCode(() => verifyEnvelopedSignature(make(), options), code));
  }

  it("refuses a comment inside a signed NameID even though canonicalization would hide it", () => {
    const xml = signAsSalesforce(
      logoutRequestXml({ id: ID, issueInstant, nameId: "admin@example.com.evil.com" }),
    );
    const commented = xml.replace("admin@example.com.evil.com", "admin@example.com<!---->.evil.com");
    throwsCode(
      () => verifyEnvelopedSignature(commented, { ...options, rootLocalName: "LogoutRequest" }),
      "XML_MALFORMED",
    );
  });
});

describe("verifyEnvelopedSignature: algorithms", () => {
  let hmacForged: string;
  before(() => {
    // The 2020 key-confusion attack: HMAC keyed with the SP's public certificate.
    hmacForged = signEnveloped(unsigned, {
      privateKeyPem: salesforceSp.certificatePem,
      signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
      digestAlgorithm: digestAlgorithm.sha256,
    });
  });

  it("refuses HMAC", () =>
    throwsCode(() => verifyEnvelopedSignature(hmacForged, options), "SAML_ALGORITHM_NOT_ALLOWED"));

  it("refuses RSA-SHA1 and SHA-1 digests unless the connection allows SHA-1", () => {
    const sha1 = signAsSalesforce(unsigned, {
      signatureAlgorithm: signatureAlgorithm.rsaSha1,
      digestAlgorithm: digestAlgorithm.sha1,
    });
    throwsCode(() => verifyEnvelopedSignature(sha1, options), "SAML_ALGORITHM_NOT_ALLOWED");
    const digestOnly = signAsSalesforce(unsigned, { digestAlgorithm: digestAlgorithm.sha1 });
    throwsCode(() => verifyEnvelopedSignature(digestOnly, options), "SAML_ALGORITHM_NOT_ALLOWED");
    const allowSha1 = { ...options, allowed: verifyAlgorithms({ allowSha1: true }) };
    verifyEnvelopedSignature(sha1, allowSha1);
    verifyEnvelopedSignature(digestOnly, allowSha1);
  });

  it("refuses canonicalization with comments, and transforms other than enveloped + exclusive c14n", () => {
    for (const xml of [
      signAsSalesforce(unsigned, { canonicalization: transform.exclusiveC14nWithComments }),
      signAsSalesforce(unsigned, { canonicalization: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" }),
      signAsSalesforce(unsigned, {
        transforms: [transform.envelopedSignature, transform.exclusiveC14nWithComments],
      }),
      signAsSalesforce(unsigned, { transforms: [transform.envelopedSignature] }),
      signAsSalesforce(unsigned, {
        transforms: [transform.envelopedSignature, "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"],
      }),
    ]) {
      throwsCode(() => verifyEnvelopedSignature(xml, options), "SAML_ALGORITHM_NOT_ALLOWED");
    }
  });

  it("refuses an unknown SignatureMethod without falling back", () => {
    const xml = signed.replace(signatureAlgorithm.rsaSha256, "http://example.com/none");
    throwsCode(() => verifyEnvelopedSignature(xml, options), "SAML_ALGORITHM_NOT_ALLOWED");
  });
});
