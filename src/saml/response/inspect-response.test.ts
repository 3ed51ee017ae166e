import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { generateSigningKeyPair, type KeyPairPem } from "../../crypto/keys.ts";
import { serialize } from "../../xml/build.ts";
import { indentXml } from "../../xml/indent.ts";
import { parseXml } from "../../xml/parse.ts";
import { childElements, rootElement } from "../../xml/select.ts";
import { attrnameFormat, nameIdFormat, ns } from "../urn.ts";
import {
  buildErrorResponse,
  buildResponse,
  type ResponseInput,
  type SigningInput,
} from "./build-response.ts";
import { type InspectResponseOptions, inspectResponse, type ResponseCheck } from "./inspect-response.ts";

const fixtures = new URL("../../../test/fixtures/saml/valid/", import.meta.url);
const golden = {
  privateKeyPem: readFileSync(new URL("golden-signing-key.pem", fixtures), "utf8"),
  certificatePem: readFileSync(new URL("golden-signing-cert.pem", fixtures), "utf8"),
};

const now = new Date("2026-07-01T12:00:00.000Z");
const acs = "https://acme.my.salesforce.com?so=00D5g000004AbCd";
const spEntityId = "https://acme.my.salesforce.com";
const idp = "https://portico.example.com";

const input = (overrides: Partial<ResponseInput> = {}): ResponseInput => ({
  issuer: idp,
  destination: acs,
  audience: spEntityId,
  recipient: acs,
  nameId: { value: "ada.lovelace@acme.example.com", format: nameIdFormat.unspecified },
  sessionIndex: "_sso-test",
  authnInstant: now,
  attributes: [
    { name: "mail", values: ["ada.lovelace@acme.example.com"] },
    { name: "memberOf", nameFormat: attrnameFormat.unspecified, values: ["engineers", "admins"] },
  ],
  lifetime: { minutesBefore: 1, minutesAfter: 5 },
  now,
  responseId: "_r0001",
  assertionId: "_a0001",
  ...overrides,
});

const signing = (overrides: Partial<SigningInput> = {}): SigningInput => ({
  ...golden,
  algorithm: "SHA256withRSA",
  includeCertInSignature: true,
  includeRawKeyInSignature: false,
  signResponse: true,
  signAssertion: false,
  ...overrides,
});

const options = (overrides: Partial<InspectResponseOptions> = {}): InspectResponseOptions => ({
  idpCertificatesPem: [golden.certificatePem],
  expected: { issuer: idp, audience: spEntityId, recipient: acs, destination: acs },
  now,
  skewMs: 180_000,
  ...overrides,
});

const byName = (checks: readonly ResponseCheck[], name: string): ResponseCheck => {
  const found = checks.find((c) => c.name === name);
  assert.ok(found, `no "${name}" check in ${checks.map((c) => c.name).join(", ")}`);
  return found;
};

const failing = (checks: readonly ResponseCheck[]): string[] =>
  checks.filter((c) => !c.ok).map((c) => c.name);

describe("inspectResponse", () => {
  let other: KeyPairPem;
  before(async () => {
    other = await generateSigningKeyPair({
      keyAlgorithm: "RSA",
      subjectDn: "CN=Another key (TEST ONLY)",
      validDays: 30,
      now,
    });
  });

  it("passes every check of a healthy signed Response and summarizes what it says", async () => {
    const xml = await buildResponse(input(), signing());
    const { summary, checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), []);
    assert.deepEqual(
      checks.map((c) => c.name),
      [
        "Status",
        "Signature",
        "Issuer",
        "Destination",
        "InResponseTo",
        "Assertion",
        "Audience",
        "Recipient",
        "Subject",
        "Subject confirmation",
        "Validity window",
      ],
    );
    assert.equal(summary.issuer, idp);
    assert.equal(summary.assertion?.nameId, "ada.lovelace@acme.example.com");
    assert.equal(summary.assertion?.nameIdFormat, nameIdFormat.unspecified);
    assert.deepEqual(summary.assertion?.audiences, [spEntityId]);
    assert.equal(summary.assertion?.subjectConfirmation?.recipient, acs);
    assert.equal(summary.assertion?.notBefore, "2026-07-01T11:59:00.000Z");
    assert.equal(summary.assertion?.notOnOrAfter, "2026-07-01T12:05:00.000Z");
    assert.equal(summary.assertion?.sessionIndex, "_sso-test");
    assert.deepEqual(summary.assertion?.attributes, [
      { name: "mail", nameFormat: attrnameFormat.basic, values: ["ada.lovelace@acme.example.com"] },
      { name: "memberOf", nameFormat: attrnameFormat.unspecified, values: ["engineers", "admins"] },
    ]);
    assert.equal(summary.signatures.length, 1);
    assert.equal(summary.signatures[0]?.on, "Response");
    assert.equal(summary.signatures[0]?.verified, true);
    assert.match(byName(checks, "Signature").detail, /The Response is signed \(RSA-SHA256\)/);
    assert.match(byName(checks, "Issuer").detail, /Issuer field of Salesforce's Single Sign-On Settings/);
    assert.ok(checks.every((c) => c.warning === null));
  });

  it("verifies both signatures when the Response and the Assertion are signed", async () => {
    const xml = await buildResponse(input(), signing({ signAssertion: true }));
    const { summary, checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), []);
    assert.deepEqual(
      summary.signatures.map((s) => [s.on, s.verified]),
      [
        ["Response", true],
        ["Assertion", true],
      ],
    );
    assert.match(byName(checks, "Signature").detail, /both signatures verify/);
  });

  it("fails Signature when another certificate is expected (the key was replaced)", async () => {
    const xml = await buildResponse(input(), signing({ signAssertion: true }));
    const { summary, checks } = inspectResponse(xml, options({ idpCertificatesPem: [other.certificatePem] }));
    assert.deepEqual(failing(checks), ["Signature"]);
    assert.match(
      byName(checks, "Signature").detail,
      /signatures fail: another key made it: the connection's signing certificate \(SHA-256 thumbprint [0-9A-F]{64}\) does not verify it/,
    );
    assert.match(byName(checks, "Signature").detail, /Signature Invalid/);
    assert.ok(summary.signatures.every((s) => !s.verified));
  });

  it("ignores the certificate in KeyInfo", async () => {
    // Signed by another key that ships its own certificate in KeyInfo: still not ours.
    const xml = await buildResponse(
      input(),
      signing({ privateKeyPem: other.privateKeyPem, certificatePem: other.certificatePem }),
    );
    assert.match(xml, /<ds:X509Certificate>/);
    const { checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), ["Signature"]);
    assert.match(byName(checks, "Signature").detail, /another key made it/);
  });

  for (const signed of ["Response", "Assertion"] as const) {
    it(`fails Signature when the NameID was changed after signing the ${signed}`, async () => {
      const xml = await buildResponse(
        input(),
        signing({ signResponse: signed === "Response", signAssertion: signed === "Assertion" }),
      );
      const tampered = xml.replace(
        "ada.lovelace@acme.example.com</saml:NameID>",
        "admin@acme.example.com</saml:NameID>",
      );
      assert.notEqual(tampered, xml);
      const { checks } = inspectResponse(tampered, options());
      assert.deepEqual(failing(checks), ["Signature"]);
      assert.match(
        byName(checks, "Signature").detail,
        new RegExp(`^The ${signed}'s signature fails: the signed content was changed after signing`),
      );
    });
  }

  it("fails Signature when a signed assertion is swapped for another (signature wrapping)", async () => {
    const xml = await buildResponse(input(), signing({ signResponse: false, signAssertion: true }));
    // The attacker's assertion carries the genuine signature, which still points at _a0001.
    const wrapped = xml
      .replace('ID="_a0001"', 'ID="_evil"')
      .replace("ada.lovelace@acme.example.com</saml:NameID>", "admin@acme.example.com</saml:NameID>");
    const { checks } = inspectResponse(wrapped, options());
    assert.deepEqual(failing(checks), ["Signature"]);
    assert.match(byName(checks, "Signature").detail, /Reference URI is “#_a0001”, not #_evil/);
  });

  it("fails Signature when nothing is signed", async () => {
    const doc = parseXml(await buildResponse(input(), signing()));
    const response = rootElement(doc);
    for (const signature of childElements(response, ns.xmldsig, "Signature")) response.removeChild(signature);
    const { checks } = inspectResponse(serialize(doc), options());
    assert.deepEqual(failing(checks), ["Signature"]);
    assert.match(byName(checks, "Signature").detail, /Neither the Response nor the Assertion is signed/);
  });

  it("verifies an ECDSA signature", async () => {
    const ec = await generateSigningKeyPair({
      keyAlgorithm: "EC",
      subjectDn: "CN=EC key (TEST ONLY)",
      validDays: 30,
      now,
    });
    const xml = await buildResponse(
      input(),
      signing({ ...ec, algorithm: "SHA256withECDSA", signAssertion: true }),
    );
    const ecOptions = options({ idpCertificatesPem: [ec.certificatePem] });
    const { checks } = inspectResponse(xml, ecOptions);
    assert.deepEqual(failing(checks), []);
    assert.match(byName(checks, "Signature").detail, /signed \(ECDSA-SHA256\)/);
    assert.deepEqual(
      failing(inspectResponse(xml, options()).checks),
      ["Signature"],
      "an RSA certificate does not verify it",
    );
  });

  it("warns about SHA-1 but lets it pass", async () => {
    const xml = await buildResponse(input(), signing({ algorithm: "SHA1withRSA" }));
    const signature = byName(inspectResponse(xml, options()).checks, "Signature");
    assert.equal(signature.ok, true);
    assert.match(signature.warning ?? "", /SHA-1 is weak/);
  });

  it("fails Audience when the SP expects another entity ID", async () => {
    const xml = await buildResponse(input({ audience: "https://saml.salesforce.com" }), signing());
    const { checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), ["Audience"]);
    assert.match(byName(checks, "Audience").detail, /“https:\/\/saml\.salesforce\.com”.*Audience Invalid/);
  });

  it("fails Recipient and Destination for another ACS", async () => {
    const other = "https://acme.my.site.com/customers/login?so=00D5g000004AbCd";
    const xml = await buildResponse(input({ recipient: other, destination: other }), signing());
    const { checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), ["Destination", "Recipient"]);
    assert.match(byName(checks, "Recipient").detail, /Recipient Mismatched/);
  });

  it("fails Issuer when it is not what Salesforce is configured with", async () => {
    const xml = await buildResponse(input({ issuer: "https://old-idp.example.com" }), signing());
    const { checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), ["Issuer"]);
    assert.match(
      byName(checks, "Issuer").detail,
      /^The Response's Issuer is .* and the Assertion's Issuer is .*Issuer Mismatched/,
    );
  });

  it("fails the Validity window and Subject confirmation once the clock has moved past them", async () => {
    const xml = await buildResponse(input(), signing());
    const later = new Date(now.getTime() + 10 * 60_000);
    const { checks } = inspectResponse(xml, options({ now: later }));
    assert.deepEqual(failing(checks), ["Subject confirmation", "Validity window"]);
    assert.match(byName(checks, "Validity window").detail, /has expired.*Assertion Expired/);
  });

  it("allows the clock skew at the edges of the window", async () => {
    const xml = await buildResponse(input(), signing());
    const justAfter = new Date(now.getTime() + 5 * 60_000 + 60_000);
    assert.deepEqual(failing(inspectResponse(xml, options({ now: justAfter })).checks), []);
    const early = new Date(now.getTime() - 3 * 60_000);
    assert.deepEqual(failing(inspectResponse(xml, options({ now: early })).checks), []);
    const tooEarly = new Date(now.getTime() - 5 * 60_000);
    const { checks } = inspectResponse(xml, options({ now: tooEarly }));
    assert.deepEqual(failing(checks), ["Validity window"]);
    assert.match(byName(checks, "Validity window").detail, /not valid yet.*NTP/);
  });

  it("warns when the assertion lives longer than Salesforce's 5-minute freshness", async () => {
    const xml = await buildResponse(input({ lifetime: { minutesBefore: 1, minutesAfter: 30 } }), signing());
    const validity = byName(inspectResponse(xml, options()).checks, "Validity window");
    assert.equal(validity.ok, true);
    assert.match(validity.warning ?? "", /valid for 30 minutes.*older than about 5 minutes/);
  });

  it("checks InResponseTo against the AuthnRequest, and refuses one on an unsolicited Response", async () => {
    const xml = await buildResponse(input({ inResponseTo: "_2CAAAA-request" }), signing());
    const answered = inspectResponse(
      xml,
      options({ expected: { ...options().expected, inResponseTo: "_2CAAAA-request" } }),
    );
    assert.deepEqual(failing(answered.checks), []);
    assert.deepEqual(failing(inspectResponse(xml, options()).checks), ["InResponseTo"]);
  });

  it("flags NameID values Salesforce cannot map", async () => {
    const xml = await buildResponse(
      input({ nameId: { value: "not-an-email", format: nameIdFormat.emailAddress } }),
      signing(),
    );
    const subject = byName(inspectResponse(xml, options()).checks, "Subject");
    assert.equal(subject.ok, true);
    assert.match(subject.detail, /“not-an-email”.*Federation ID or Username/);
    assert.match(subject.warning ?? "", /not an email address/);
  });

  it("reports an encrypted assertion without pretending to check its content", async () => {
    const encryption = await generateSigningKeyPair({
      keyAlgorithm: "RSA",
      subjectDn: "CN=Salesforce decryption (TEST ONLY)",
      validDays: 30,
      now,
    });
    const xml = await buildResponse(input(), signing({ signAssertion: true }), {
      certificatePem: encryption.certificatePem,
      blockAlgorithm: "AES_256_GCM",
      keyTransport: "RSA_OAEP",
    });
    const { summary, checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), []);
    assert.deepEqual(
      checks.map((c) => c.name),
      ["Status", "Signature", "Issuer", "Destination", "InResponseTo", "Assertion"],
    );
    assert.equal(summary.assertion?.encrypted, true);
    const assertion = byName(checks, "Assertion");
    assert.match(assertion.detail, /encrypted for the SP/);
    assert.match(assertion.warning ?? "", /without the SP's private key.*Audience, Recipient/);
    assert.match(byName(checks, "Signature").detail, /The Response is signed/);
  });

  it("fails Status and Assertion for an error Response", () => {
    const xml = buildErrorResponse(
      {
        issuer: idp,
        destination: acs,
        now,
        responseId: "_r0002",
        status: { code: "urn:oasis:names:tc:SAML:2.0:status:Responder", message: "No passive" },
      },
      signing(),
    );
    const { checks } = inspectResponse(xml, options());
    assert.deepEqual(failing(checks), ["Status", "Assertion"]);
    assert.match(byName(checks, "Status").detail, /Responder \(“No passive”\), not Success/);
  });

  it("refuses what is not a SAML Response", () => {
    throwsCode(
      () =>
        inspectResponse(
          '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
          options(),
        ),
      "SAML_MESSAGE_INVALID",
    );
  });
});

describe("an indented copy (indentXml, for reading)", () => {
  it("no longer verifies: only the original may be sent", async () => {
    const xml = await buildResponse(input(), signing());
    const pretty = indentXml(xml);
    assert.notEqual(pretty, xml);
    assert.deepEqual(failing(inspectResponse(pretty, options()).checks), ["Signature"]);
    assert.deepEqual(failing(inspectResponse(xml, options()).checks), []);
  });
});
