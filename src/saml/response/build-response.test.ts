import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { XMLSerializer } from "@xmldom/xmldom";
import { decrypt } from "xml-encryption";
import { rejectedAppError, rejectsWithCode } from "../../../test/support/errors.ts";
import { xmlCryptoVerify } from "../../../test/support/peers.ts";
import { generateSigningKeyPair, type KeyPairPem } from "../../crypto/keys.ts";
import { parseXml } from "../../xml/parse.ts";
import {
  attr,
  childElements,
  elementChildren,
  onlyChild,
  optionalChild,
  rootElement,
  textOf,
} from "../../xml/select.ts";
import { attrnameFormat, nameIdFormat, ns, statusCode, subStatusCode } from "../urn.ts";
import {
  buildErrorResponse,
  buildResponse,
  type ResponseInput,
  type SigningInput,
} from "./build-response.ts";

const fixtures = new URL("../../../test/fixtures/saml/valid/", import.meta.url);
const golden = {
  privateKeyPem: readFileSync(new URL("golden-signing-key.pem", fixtures), "utf8"),
  certificatePem: readFileSync(new URL("golden-signing-cert.pem", fixtures), "utf8"),
};

const now = new Date("2026-07-01T12:00:00.000Z");
const acs = "https://acme.my.salesforce.com?so=00D5g000004AbCd";

const input: ResponseInput = {
  issuer: "https://portico.example.com",
  destination: acs,
  inResponseTo: "_2CAAAAZxq7vBvME8wMDAwMDAwMDAwMDAwAAAA",
  audience: "https://acme.my.salesforce.com",
  recipient: acs,
  nameId: { value: "ada.lovelace@acme.example.com", format: nameIdFormat.unspecified },
  sessionIndex: "_s0001",
  authnInstant: new Date("2026-07-01T11:59:58.000Z"),
  attributes: [
    { name: "mail", values: ["ada.lovelace@acme.example.com"] },
    { name: "memberOf", nameFormat: attrnameFormat.unspecified, values: ["engineers", "admins"] },
  ],
  lifetime: { minutesBefore: 1, minutesAfter: 5 },
  now,
  responseId: "_r0001",
  assertionId: "_a0001",
};

const signing = (overrides: Partial<SigningInput> = {}): SigningInput => ({
  ...golden,
  algorithm: "SHA256withRSA",
  includeCertInSignature: true,
  includeRawKeyInSignature: false,
  signResponse: true,
  signAssertion: false,
  ...overrides,
});

const parse = (xml: string) => {
  const response = rootElement(parseXml(xml));
  const assertion = optionalChild(response, ns.assertion, "Assertion");
  return { response, assertion };
};

const child = (parent: Element, localName: string, namespace: string = ns.assertion): Element =>
  onlyChild(parent, namespace, localName);

/** Set PORTICO_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change; review the diff. */
const matchesGolden = (name: string, actual: string): void => {
  const file = new URL(name, fixtures);
  if (process.env.PORTICO_UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, "utf8"));
};

describe("buildResponse", () => {
  it("says what Salesforce checks (salesforce-api.md §5.5)", async () => {
    const { response, assertion } = parse(await buildResponse(input, signing()));
    assert.ok(assertion);
    assert.equal(response.namespaceURI, ns.protocol);
    assert.equal(attr(response, "ID"), "_r0001");
    assert.equal(attr(response, "Version"), "2.0");
    assert.equal(attr(response, "IssueInstant"), "2026-07-01T12:00:00.000Z");
    assert.equal(attr(response, "Destination"), acs);
    assert.equal(attr(response, "InResponseTo"), input.inResponseTo);
    assert.deepEqual(
      elementChildren(response).map((e) => e.localName),
      ["Issuer", "Signature", "Status", "Assertion"],
    );
    const issuer = child(response, "Issuer");
    assert.equal(textOf(issuer), "https://portico.example.com");
    assert.equal(attr(issuer, "Format"), nameIdFormat.entity);
    assert.equal(
      attr(child(child(response, "Status", ns.protocol), "StatusCode", ns.protocol), "Value"),
      statusCode.success,
    );

    assert.equal(attr(assertion, "ID"), "_a0001");
    assert.equal(attr(assertion, "IssueInstant"), "2026-07-01T12:00:00.000Z");
    assert.deepEqual(
      elementChildren(assertion).map((e) => e.localName),
      ["Issuer", "Subject", "Conditions", "AuthnStatement", "AttributeStatement"],
    );
    const subject = child(assertion, "Subject");
    const nameId = child(subject, "NameID");
    assert.equal(textOf(nameId), "ada.lovelace@acme.example.com");
    assert.equal(attr(nameId, "Format"), nameIdFormat.unspecified);
    const confirmation = child(subject, "SubjectConfirmation");
    assert.equal(attr(confirmation, "Method"), "urn:oasis:names:tc:SAML:2.0:cm:bearer");
    const data = child(confirmation, "SubjectConfirmationData");
    assert.equal(attr(data, "Recipient"), acs);
    assert.equal(attr(data, "NotOnOrAfter"), "2026-07-01T12:05:00.000Z");
    assert.equal(attr(data, "InResponseTo"), input.inResponseTo);
    assert.equal(attr(data, "NotBefore"), undefined, "saml-profiles §4.1.4.2 forbids NotBefore here");

    const conditions = child(assertion, "Conditions");
    assert.equal(attr(conditions, "NotBefore"), "2026-07-01T11:59:00.000Z");
    assert.equal(attr(conditions, "NotOnOrAfter"), "2026-07-01T12:05:00.000Z");
    assert.equal(
      textOf(child(child(conditions, "AudienceRestriction"), "Audience")),
      "https://acme.my.salesforce.com",
    );

    const authn = child(assertion, "AuthnStatement");
    assert.equal(attr(authn, "AuthnInstant"), "2026-07-01T11:59:58.000Z");
    assert.equal(attr(authn, "SessionIndex"), "_s0001");
    assert.equal(attr(authn, "SessionNotOnOrAfter"), undefined);
    assert.equal(
      textOf(child(child(authn, "AuthnContext"), "AuthnContextClassRef")),
      "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    );

    const attributes = childElements(child(assertion, "AttributeStatement"), ns.assertion, "Attribute");
    assert.deepEqual(
      attributes.map((a) => [
        attr(a, "Name"),
        attr(a, "NameFormat"),
        childElements(a, ns.assertion, "AttributeValue").map(textOf),
      ]),
      [
        ["mail", attrnameFormat.basic, ["ada.lovelace@acme.example.com"]],
        ["memberOf", attrnameFormat.unspecified, ["engineers", "admins"]],
      ],
    );
  });

  it("leaves InResponseTo out for IdP-initiated SSO, and the AttributeStatement when there is nothing in it", async () => {
    const { inResponseTo: _, ...unsolicited } = input;
    const xml = await buildResponse({ ...unsolicited, attributes: [] }, signing());
    const { response, assertion } = parse(xml);
    assert.ok(assertion);
    assert.equal(attr(response, "InResponseTo"), undefined);
    assert.equal(
      attr(
        child(child(child(assertion, "Subject"), "SubjectConfirmation"), "SubjectConfirmationData"),
        "InResponseTo",
      ),
      undefined,
    );
    assert.equal(optionalChild(assertion, ns.assertion, "AttributeStatement"), undefined);
  });

  it("writes the optional parts when given", async () => {
    const xml = await buildResponse(
      {
        ...input,
        nameId: {
          ...input.nameId,
          format: nameIdFormat.persistent,
          spNameQualifier: "https://acme.my.salesforce.com",
        },
        authnContextClassRef: "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
        sessionNotOnOrAfter: new Date("2026-07-01T20:00:00Z"),
      },
      signing(),
    );
    const { assertion } = parse(xml);
    assert.ok(assertion);
    assert.equal(
      attr(child(child(assertion, "Subject"), "NameID"), "SPNameQualifier"),
      "https://acme.my.salesforce.com",
    );
    const authn = child(assertion, "AuthnStatement");
    assert.equal(attr(authn, "SessionNotOnOrAfter"), "2026-07-01T20:00:00.000Z");
    assert.equal(
      textOf(child(child(authn, "AuthnContext"), "AuthnContextClassRef")),
      "urn:oasis:names:tc:SAML:2.0:ac:classes:X509",
    );
  });

  it("signs the Response, the Assertion, or both, as the connection says", async () => {
    const responseOnly = await buildResponse(input, signing());
    xmlCryptoVerify(responseOnly, golden.certificatePem, "_r0001");
    assert.equal(optionalChild(parse(responseOnly).assertion as Element, ns.xmldsig, "Signature"), undefined);

    const assertionOnly = await buildResponse(input, signing({ signResponse: false, signAssertion: true }));
    assert.equal(optionalChild(parse(assertionOnly).response, ns.xmldsig, "Signature"), undefined);
    const signed = xmlCryptoVerify(assertionOnly, golden.certificatePem, "_a0001");
    assert.match(signed, /^<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2\.0:assertion" ID="_a0001"/);
    assert.deepEqual(
      elementChildren(parse(assertionOnly).assertion as Element)
        .map((e) => e.localName)
        .slice(0, 3),
      ["Issuer", "Signature", "Subject"],
    );

    const both = await buildResponse(input, signing({ signAssertion: true }));
    xmlCryptoVerify(both, golden.certificatePem, "_a0001");
    // The Response's signature covers the assertion together with the assertion's own signature.
    const outer = xmlCryptoVerify(both, golden.certificatePem, "_r0001");
    assert.match(outer, /<saml:Assertion [^>]*><saml:Issuer[^>]*>[^<]*<\/saml:Issuer><ds:Signature /);
  });

  it("refuses to build a Response nobody signs", async () => {
    await rejectsWithCode(
      buildResponse(input, signing({ signResponse: false, signAssertion: false })),
      "SAML_SIGNING_FAILED",
    );
  });

  it("refuses an empty NameID", async () => {
    await assert.rejects(
      buildResponse({ ...input, nameId: { ...input.nameId, value: "" } }, signing()),
      /NameID would be empty/,
    );
  });

  it("is byte-stable with a fixed clock and IDs (golden, RSA-SHA256 over both)", async () => {
    matchesGolden("response-signed-both.xml", await buildResponse(input, signing({ signAssertion: true })));
  });
});

describe("values from the directory cannot change the assertion (samlify GHSA-34r5-q4jw-r36m)", () => {
  const hostile = [
    '</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin',
    "a < b && c > d",
    "]]>",
    `"quoted" and 'single'`,
    "line one\nline two\ttabbed",
  ];

  it("escapes XML metacharacters inside the signed assertion and reads back the same values", async () => {
    const xml = await buildResponse(
      {
        ...input,
        nameId: { ...input.nameId, value: "<ada>&amp;@example.com" },
        attributes: [{ name: 'title"><x y="', values: hostile }],
      },
      signing({ signAssertion: true }),
    );
    assert.doesNotMatch(xml, /<saml:Attribute Name="role">/);
    const { assertion } = parse(xml);
    assert.ok(assertion);
    const attributes = childElements(child(assertion, "AttributeStatement"), ns.assertion, "Attribute");
    assert.equal(attributes.length, 1);
    assert.equal(attr(attributes[0] as Element, "Name"), 'title"><x y="');
    assert.deepEqual(
      childElements(attributes[0] as Element, ns.assertion, "AttributeValue").map(textOf),
      hostile,
    );
    assert.equal(textOf(child(child(assertion, "Subject"), "NameID")), "<ada>&amp;@example.com");
    // The values are inside what the assertion's signature covers, escaped.
    const signed = xmlCryptoVerify(xml, golden.certificatePem, "_a0001");
    assert.match(signed, /<saml:AttributeValue>&lt;\/saml:AttributeValue&gt;&lt;\/saml:Attribute&gt;/);
    xmlCryptoVerify(xml, golden.certificatePem, "_r0001");
  });

  it("refuses control characters XML 1.0 cannot carry, wherever they come from", async () => {
    for (const bad of ["\u0000", "\u0001", "\u001b[31m", "\u000b", "\uffff", "\ud800"]) {
      await rejectsWithCode(
        buildResponse({ ...input, attributes: [{ name: "title", values: [`x${bad}y`] }] }, signing()),
        "XML_INVALID_CHARACTER",
      );
      await rejectsWithCode(
        buildResponse({ ...input, nameId: { ...input.nameId, value: `ada${bad}` } }, signing()),
        "XML_INVALID_CHARACTER",
      );
      await rejectsWithCode(
        buildResponse({ ...input, attributes: [{ name: `t${bad}`, values: ["x"] }] }, signing()),
        "XML_INVALID_CHARACTER",
      );
    }
  });

  it("does not put a value into the error message", async () => {
    const error = await rejectedAppError(
      buildResponse({ ...input, attributes: [{ name: "title", values: ["secret-value\u0001"] }] }, signing()),
    );
    assert.ok(!error.message.includes("secret-value"), error.message);
  });
});

describe("buildResponse with encryption", () => {
  let sp: KeyPairPem;
  before(async () => {
    sp = await generateSigningKeyPair({ keyAlgorithm: "RSA", subjectDn: "CN=sp", validDays: 30, now });
  });

  const decryptAssertion = (xml: string): Promise<string> => {
    const encrypted = child(parse(xml).response, "EncryptedAssertion");
    const data = onlyChild(encrypted, ns.xmlenc, "EncryptedData");
    return new Promise((resolve, reject) =>
      decrypt(
        new XMLSerializer().serializeToString(data),
        { key: sp.privateKeyPem, disallowDecryptionWithInsecureAlgorithm: true },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
  };

  it("signs the assertion, encrypts it, then signs the Response", async () => {
    const xml = await buildResponse(input, signing({ signAssertion: true }), {
      certificatePem: sp.certificatePem,
      blockAlgorithm: "AES_256_GCM",
      keyTransport: "RSA_OAEP",
    });
    const { response, assertion } = parse(xml);
    assert.equal(assertion, undefined, "no plaintext assertion is left");
    assert.deepEqual(
      elementChildren(response).map((e) => e.localName),
      ["Issuer", "Signature", "Status", "EncryptedAssertion"],
    );
    assert.doesNotMatch(xml, /ada\.lovelace/);
    // The Response signature covers the EncryptedAssertion.
    assert.match(xmlCryptoVerify(xml, golden.certificatePem, "_r0001"), /<saml:EncryptedAssertion[ >]/);

    const plaintext = await decryptAssertion(xml);
    assert.match(plaintext, /^<saml:Assertion [^>]*xmlns:saml="urn:oasis:names:tc:SAML:2\.0:assertion"/);
    xmlCryptoVerify(plaintext, golden.certificatePem, "_a0001");
    assert.match(plaintext, /ada\.lovelace@acme\.example\.com/);
  });

  it("encrypts an unsigned assertion when only the Response is signed", async () => {
    const xml = await buildResponse(input, signing(), {
      certificatePem: sp.certificatePem,
      blockAlgorithm: "AES_128_GCM",
      keyTransport: "RSA_OAEP",
    });
    xmlCryptoVerify(xml, golden.certificatePem, "_r0001");
    const plaintext = await decryptAssertion(xml);
    assert.doesNotMatch(plaintext, /Signature/);
  });
});

describe("buildErrorResponse", () => {
  const failure = {
    issuer: "https://portico.example.com",
    destination: acs,
    inResponseTo: "_req",
    now,
    responseId: "_e0001",
    status: {
      code: statusCode.responder,
      subCode: subStatusCode.noPassive,
      message: "No session & IsPassive <true>",
    },
  };

  it("carries the status and sub-status, and no assertion", () => {
    const xml = buildErrorResponse(failure, signing());
    const { response, assertion } = parse(xml);
    assert.equal(assertion, undefined);
    const status = child(response, "Status", ns.protocol);
    const top = child(status, "StatusCode", ns.protocol);
    assert.equal(attr(top, "Value"), statusCode.responder);
    assert.equal(attr(child(top, "StatusCode", ns.protocol), "Value"), subStatusCode.noPassive);
    assert.equal(textOf(child(status, "StatusMessage", ns.protocol)), "No session & IsPassive <true>");
    xmlCryptoVerify(xml, golden.certificatePem, "_e0001");
  });

  it("is unsigned when the connection does not sign Responses", () => {
    const xml = buildErrorResponse(
      { ...failure, status: { code: statusCode.requester } },
      signing({ signResponse: false, signAssertion: true }),
    );
    const { response } = parse(xml);
    assert.equal(optionalChild(response, ns.xmldsig, "Signature"), undefined);
    const top = child(child(response, "Status", ns.protocol), "StatusCode", ns.protocol);
    assert.equal(elementChildren(top).length, 0);
    assert.equal(
      optionalChild(child(response, "Status", ns.protocol), ns.protocol, "StatusMessage"),
      undefined,
    );
  });

  it("is byte-stable (golden)", () => {
    matchesGolden("error-response-no-passive.xml", buildErrorResponse(failure, signing()));
  });
});
