import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { deflateRawSync } from "node:zlib";
import { SAML } from "@node-saml/node-saml";
import { throwsCode } from "../../../test/support/errors.ts";
import { run, withTempDir } from "../../../test/support/peers.ts";
import { redirectQuery, salesforceSp } from "../../../test/support/saml-requests.ts";
import { verifyAlgorithms } from "../signing/verify-algorithms.ts";
import { signatureAlgorithm } from "../urn.ts";
import { defaultBindingLimits } from "./message.ts";
import { decodeRedirect, verifyRedirectSignature } from "./redirect.ts";

const XML = '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_a" Version="2.0"/>';
const strict = verifyAlgorithms({ allowSha1: false });
const sfCerts = [salesforceSp.certificatePem];

const encoded = (xml: string): string =>
  encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString("base64"));
const withoutSignature = (query: string): string => query.replace(/&Signature=[^&]*$/, "");

/** Signs `data` with the openssl command line: an independent signer. */
const opensslSign = (keyPem: string, hash: string, data: string): Promise<Buffer> =>
  withTempDir(async (dir) => {
    await writeFile(join(dir, "key.pem"), keyPem);
    await writeFile(join(dir, "data"), data);
    const result = await run("openssl", [
      "dgst",
      `-${hash}`,
      "-sign",
      join(dir, "key.pem"),
      "-out",
      join(dir, "sig"),
      join(dir, "data"),
    ]);
    assert.equal(result.code, 0, result.stderr);
    return readFile(join(dir, "sig"));
  });

/** An EC key and self-signed certificate made by openssl. */
const opensslEcKeyPair = (curve: string): Promise<{ keyPem: string; certPem: string }> =>
  withTempDir(async (dir) => {
    const result = await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      `ec_paramgen_curve:${curve}`,
      "-nodes",
      "-subj",
      "/CN=sp.example.com",
      "-days",
      "2",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    assert.equal(result.code, 0, result.stderr);
    return {
      keyPem: await readFile(join(dir, "key.pem"), "utf8"),
      certPem: await readFile(join(dir, "cert.pem"), "utf8"),
    };
  });

describe("decodeRedirect", () => {
  it("decodes SAMLRequest and RelayState and keeps the signed octets exactly as received", () => {
    const query = redirectQuery({ xml: XML, relayState: "/apex/Page?x=1&y=2", sign: {} });
    const decoded = decodeRedirect(query);
    assert.equal(decoded.binding, "redirect");
    assert.equal(decoded.messageType, "SAMLRequest");
    assert.equal(decoded.xml, XML);
    assert.equal(decoded.relayState, "/apex/Page?x=1&y=2");
    assert.equal(decoded.signature?.sigAlg, signatureAlgorithm.rsaSha256);
    assert.equal(decoded.signature?.signedOctets, withoutSignature(query));
  });

  it("rebuilds the octets in the binding's order when the query has another order", () => {
    const query = redirectQuery({ xml: XML, relayState: "rs", sign: {} });
    const [request, relay, sigAlg, signature] = query.split("&");
    const decoded = decodeRedirect([signature, sigAlg, "foo=bar", relay, request].join("&"));
    assert.equal(decoded.signature?.signedOctets, `${request}&${relay}&${sigAlg}`);
  });

  it("uses the raw values: percent-encoding is not normalised, unknown parameters are not signed", () => {
    const decoded = decodeRedirect(
      `SAMLRequest=${encoded(XML)}&RelayState=%2fa%2Fb&cache=1&SigAlg=${encodeURIComponent(signatureAlgorithm.rsaSha256)}&Signature=AAAA`,
    );
    assert.equal(decoded.relayState, "/a/b");
    assert.equal(
      decoded.signature?.signedOctets,
      `SAMLRequest=${encoded(XML)}&RelayState=%2fa%2Fb&SigAlg=${encodeURIComponent(signatureAlgorithm.rsaSha256)}`,
    );
  });

  it("leaves RelayState out of the octets when there is none, and tolerates a leading ?", () => {
    const query = redirectQuery({ xml: XML, sign: {} });
    const decoded = decodeRedirect(`?${query}`);
    assert.equal(decoded.relayState, undefined);
    assert.equal(decoded.signature?.signedOctets, withoutSignature(query));
  });

  it("reads SAMLResponse, and an unsigned message has no signature", () => {
    const decoded = decodeRedirect(redirectQuery({ messageType: "SAMLResponse", xml: XML }));
    assert.equal(decoded.messageType, "SAMLResponse");
    assert.equal(decoded.signature, undefined);
  });

  it("accepts SAMLEncoding=DEFLATE and refuses any other encoding", () => {
    const deflate = encodeURIComponent("urn:oasis:names:tc:SAML:2.0:bindings:URL-Encoding:DEFLATE");
    assert.equal(decodeRedirect(`SAMLRequest=${encoded(XML)}&SAMLEncoding=${deflate}`).xml, XML);
    throwsCode(() => decodeRedirect(`SAMLRequest=${encoded(XML)}&SAMLEncoding=gzip`), "SAML_BINDING_INVALID");
  });

  describe("refuses parameter smuggling (CPPOST-126)", () => {
    const signed = redirectQuery({ xml: XML, relayState: "rs", sign: {} });
    const cases: [string, string][] = [
      ["a second SAMLRequest", `${signed}&SAMLRequest=${encoded("<x/>")}`],
      ["a second SigAlg", `${signed}&SigAlg=${encodeURIComponent(signatureAlgorithm.rsaSha512)}`],
      ["a second Signature", `${signed}&Signature=AAAA`],
      ["a second RelayState", `${signed}&RelayState=other`],
      ["SAMLRequest spelled with a percent-encoded letter", `${signed}&SAMLReques%74=${encoded("<x/>")}`],
      ["both SAMLRequest and SAMLResponse", `${signed}&SAMLResponse=${encoded(XML)}`],
      ["Signature without SigAlg", `SAMLRequest=${encoded(XML)}&Signature=AAAA`],
      ["SigAlg without Signature", `SAMLRequest=${encoded(XML)}&SigAlg=x`],
      ["a fragment marker", `SAMLRequest=${encoded(XML)}#frag`],
      ["characters a query cannot carry", `SAMLRequest=${encoded(XML)}&RelayState=é`],
    ];
    for (const [name, query] of cases) {
      it(name, () => throwsCode(() => decodeRedirect(query), "SAML_BINDING_INVALID"));
    }
  });

  it("caps RelayState at 1024 bytes", () => {
    const ok = "r".repeat(1024);
    assert.equal(decodeRedirect(redirectQuery({ xml: XML, relayState: ok })).relayState, ok);
    throwsCode(
      () => decodeRedirect(redirectQuery({ xml: XML, relayState: `${ok}r` })),
      "SAML_BINDING_INVALID",
      /1025/,
    );
  });

  describe("refuses what does not decode with SAML_MESSAGE_INVALID", () => {
    const cases: [string, string][] = [
      ["no message", "RelayState=x"],
      ["an empty message", "SAMLRequest="],
      ["a message that is not base64", "SAMLRequest=not+base64"],
      ["base64 with a stray character", `SAMLRequest=${encoded(XML)}%21`],
      [
        "base64 that is not DEFLATE",
        `SAMLRequest=${encodeURIComponent(Buffer.from(XML).toString("base64"))}`,
      ],
      [
        "DEFLATE that is not UTF-8",
        `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from([0xff, 0xfe, 0x3c])).toString("base64"))}`,
      ],
      ["malformed percent-encoding", "SAMLRequest=%E0%A4%A"],
    ];
    for (const [name, query] of cases) {
      it(name, () => throwsCode(() => decodeRedirect(query), "SAML_MESSAGE_INVALID"));
    }
  });

  it("refuses a Signature that is not base64 as SAML_SIGNATURE_INVALID", () => {
    throwsCode(
      () => decodeRedirect(`SAMLRequest=${encoded(XML)}&SigAlg=x&Signature=%21%21`),
      "SAML_SIGNATURE_INVALID",
    );
  });

  it("caps the encoded size before decoding anything (XML_TOO_LARGE)", () => {
    const query = `SAMLRequest=${"A".repeat(defaultBindingLimits.maxEncodedBytes + 1)}`;
    throwsCode(() => decodeRedirect(query), "XML_TOO_LARGE", /encoded/);
  });

  it("stops a deflate bomb at the inflated cap (XML_TOO_LARGE)", () => {
    const bomb = deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 0x20), { level: 9 });
    assert.ok(bomb.length < 32 * 1024, "the bomb itself is small");
    throwsCode(
      () => decodeRedirect(`SAMLRequest=${encodeURIComponent(bomb.toString("base64"))}`),
      "XML_TOO_LARGE",
      /inflates/,
    );
  });

  it("honours smaller limits", () => {
    const query = redirectQuery({ xml: XML });
    throwsCode(() => decodeRedirect(query, { maxEncodedBytes: 1024, maxXmlBytes: 50 }), "XML_TOO_LARGE");
  });
});

describe("verifyRedirectSignature", () => {
  let ec256: { keyPem: string; certPem: string };
  let ec384: { keyPem: string; certPem: string };
  before(async () => {
    ec256 = await opensslEcKeyPair("P-256");
    ec384 = await opensslEcKeyPair("P-384");
  });

  it("verifies an RSA-SHA256 signature that openssl made over the octets", async () => {
    const unsigned = `${redirectQuery({ xml: XML, relayState: "rs" })}&SigAlg=${encodeURIComponent(signatureAlgorithm.rsaSha256)}`;
    const signature = await opensslSign(salesforceSp.privateKeyPem, "sha256", unsigned);
    const decoded = decodeRedirect(
      `${unsigned}&Signature=${encodeURIComponent(signature.toString("base64"))}`,
    );
    const verified = verifyRedirectSignature(decoded, sfCerts, strict);
    assert.equal(verified.signatureAlgorithm, signatureAlgorithm.rsaSha256);
    assert.match(verified.certificatePem, /BEGIN CERTIFICATE/);
  });

  it("verifies ECDSA signatures in DER (openssl, Java stacks) and in r || s (xmlsec)", async () => {
    for (const [pair, uri, hash] of [
      [ec256, signatureAlgorithm.ecdsaSha256, "sha256"],
      [ec384, signatureAlgorithm.ecdsaSha384, "sha384"],
    ] as const) {
      const unsigned = `${redirectQuery({ xml: XML })}&SigAlg=${encodeURIComponent(uri)}`;
      const der = await opensslSign(pair.keyPem, hash, unsigned);
      assert.equal(der[0], 0x30, "openssl writes a DER SEQUENCE");
      const decoded = decodeRedirect(`${unsigned}&Signature=${encodeURIComponent(der.toString("base64"))}`);
      assert.equal(verifyRedirectSignature(decoded, [pair.certPem], strict).signatureAlgorithm, uri);
      const p1363 = redirectQuery({
        xml: XML,
        sign: { privateKeyPem: pair.keyPem, algorithm: uri, ecdsaEncoding: "ieee-p1363" },
      });
      verifyRedirectSignature(decodeRedirect(p1363), [pair.certPem], strict);
    }
  });

  it("verifies RSA-SHA384 and RSA-SHA512", () => {
    for (const algorithm of [signatureAlgorithm.rsaSha384, signatureAlgorithm.rsaSha512]) {
      const decoded = decodeRedirect(redirectQuery({ xml: XML, sign: { algorithm } }));
      assert.equal(verifyRedirectSignature(decoded, sfCerts, strict).signatureAlgorithm, algorithm);
    }
  });

  it("refuses RSA-SHA1 unless the connection allows SHA-1", () => {
    const decoded = decodeRedirect(
      redirectQuery({ xml: XML, sign: { algorithm: signatureAlgorithm.rsaSha1 } }),
    );
    throwsCode(() => verifyRedirectSignature(decoded, sfCerts, strict), "SAML_ALGORITHM_NOT_ALLOWED");
    verifyRedirectSignature(decoded, sfCerts, verifyAlgorithms({ allowSha1: true }));
  });

  it("refuses HMAC and unknown SigAlg values without falling back", () => {
    for (const sigAlg of [
      "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
      "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
      "http://example.com/none",
      "",
      "constructor",
    ]) {
      const query = `SAMLRequest=${encoded(XML)}&SigAlg=${encodeURIComponent(sigAlg)}&Signature=AAAA`;
      throwsCode(
        () => verifyRedirectSignature(decodeRedirect(query), sfCerts, strict),
        "SAML_ALGORITHM_NOT_ALLOWED",
      );
    }
  });

  it("refuses a signature by another key, and tries every pinned certificate (rollover)", () => {
    const decoded = decodeRedirect(redirectQuery({ xml: XML, sign: {} }));
    throwsCode(
      () => verifyRedirectSignature(decoded, [salesforceSp.strangerCertificatePem], strict),
      "SAML_SIGNATURE_INVALID",
    );
    const verified = verifyRedirectSignature(
      decoded,
      [salesforceSp.strangerCertificatePem, salesforceSp.certificatePem],
      strict,
    );
    assert.equal(verified.certificatePem.replace(/\s/g, ""), salesforceSp.certificatePem.replace(/\s/g, ""));
  });

  it("refuses a query changed after signing", () => {
    const query = redirectQuery({ xml: XML, relayState: "/home", sign: {} });
    for (const changed of [
      query.replace("RelayState=%2Fhome", "RelayState=%2Fevil"),
      query.replace("RelayState=%2Fhome", "RelayState=%2fhome"),
      query.replace("&RelayState=%2Fhome", ""),
      query.replace(
        encodeURIComponent(signatureAlgorithm.rsaSha256),
        encodeURIComponent(signatureAlgorithm.rsaSha512),
      ),
    ]) {
      assert.notEqual(changed, query);
      throwsCode(
        () => verifyRedirectSignature(decodeRedirect(changed), sfCerts, strict),
        "SAML_SIGNATURE_INVALID",
      );
    }
  });

  it("refuses an ECDSA signature presented as RSA-SHA256 (the key decides nothing)", async () => {
    const unsigned = `${redirectQuery({ xml: XML })}&SigAlg=${encodeURIComponent(signatureAlgorithm.rsaSha256)}`;
    const der = await opensslSign(ec256.keyPem, "sha256", unsigned);
    const decoded = decodeRedirect(`${unsigned}&Signature=${encodeURIComponent(der.toString("base64"))}`);
    throwsCode(() => verifyRedirectSignature(decoded, [ec256.certPem], strict), "SAML_SIGNATURE_INVALID");
  });

  it("says SAML_SIGNATURE_REQUIRED for an unsigned message", () => {
    throwsCode(
      () => verifyRedirectSignature(decodeRedirect(redirectQuery({ xml: XML })), sfCerts, strict),
      "SAML_SIGNATURE_REQUIRED",
    );
  });

  it("verifies a signed AuthnRequest URL made by node-saml acting as the SP", async () => {
    const sp = new SAML({
      callbackUrl: salesforceSp.acsUrl,
      entryPoint: "https://idp.example.com/idp/SSO.saml2",
      issuer: salesforceSp.entityId,
      idpCert: salesforceSp.certificatePem,
      privateKey: salesforceSp.privateKeyPem,
      signatureAlgorithm: "sha256",
    });
    const url = new URL(await sp.getAuthorizeUrlAsync("/lightning/page/home", undefined, {}));
    const decoded = decodeRedirect(url.search);
    assert.equal(decoded.relayState, "/lightning/page/home");
    assert.match(decoded.xml, /<samlp:AuthnRequest/);
    verifyRedirectSignature(decoded, sfCerts, strict);
  });
});
