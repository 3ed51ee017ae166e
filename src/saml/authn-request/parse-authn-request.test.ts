import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { salesforceRequestId } from "../../../test/support/saml-requests.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { parseXml } from "../../xml/parse.ts";
import { rootElement } from "../../xml/select.ts";
import { type AuthnRequest, parseAuthnRequest } from "./parse-authn-request.ts";

const P = "urn:oasis:names:tc:SAML:2.0:protocol";
const A = "urn:oasis:names:tc:SAML:2.0:assertion";
const SF_ID = salesforceRequestId("parse");

/** The AuthnRequest of salesforce-api.md §5.3, with a full-length ID. */
const salesforce = `<samlp:AuthnRequest xmlns:samlp="${P}"
    AssertionConsumerServiceURL="https://f5.my.salesforce.com?so=00D00000000hXqv"
    Destination="https://federate.f5.com/saml/idp/profile/redirectorpost/sso"
    ID="${SF_ID}"
    IssueInstant="2019-10-02T21:57:29.968Z"
    ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    Version="2.0">
  <saml:Issuer xmlns:saml="${A}">https://f5.my.salesforce.com</saml:Issuer>
</samlp:AuthnRequest>`;

const request = (attributes: string, children = `<saml:Issuer>https://sp.example.com</saml:Issuer>`) =>
  `<samlp:AuthnRequest xmlns:samlp="${P}" xmlns:saml="${A}" ${attributes}>${children}</samlp:AuthnRequest>`;
const BASE = 'ID="_r" Version="2.0" IssueInstant="2025-07-01T12:00:00Z"';

const parse = (xml: string, isSigned = false): AuthnRequest =>
  parseAuthnRequest(rootElement(parseXml(xml)), { isSigned });

const parseFails = (xml: string, code: ErrorCode) => throwsCode(() => parse(xml), code);

describe("parseAuthnRequest", () => {
  it("reads Salesforce's AuthnRequest with its ~300-character ID", () => {
    assert.equal(SF_ID.length, 300);
    assert.ok(SF_ID.startsWith("_2CAAAA"));
    assert.deepEqual(parse(salesforce, true), {
      id: SF_ID,
      version: "2.0",
      issueInstant: new Date("2019-10-02T21:57:29.968Z"),
      destination: "https://federate.f5.com/saml/idp/profile/redirectorpost/sso",
      issuer: "https://f5.my.salesforce.com",
      assertionConsumerServiceURL: "https://f5.my.salesforce.com?so=00D00000000hXqv",
      protocolBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
      forceAuthn: false,
      isPassive: false,
      isSigned: true,
    });
  });

  it("reads the index, NameIDPolicy, RequestedAuthnContext, ForceAuthn and IsPassive", () => {
    const parsed = parse(
      request(
        `${BASE} AssertionConsumerServiceIndex="1" ForceAuthn="1" IsPassive="true"`,
        `<saml:Issuer>https://sp.example.com</saml:Issuer>
         <samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="false" SPNameQualifier="https://sp.example.com"/>
         <samlp:RequestedAuthnContext Comparison="minimum">
           <saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>
         </samlp:RequestedAuthnContext>`,
      ),
    );
    assert.equal(parsed.assertionConsumerServiceIndex, 1);
    assert.equal(parsed.assertionConsumerServiceURL, undefined);
    assert.deepEqual(parsed.nameIdPolicy, {
      format: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
      spNameQualifier: "https://sp.example.com",
      allowCreate: false,
    });
    assert.deepEqual(parsed.requestedAuthnContext, {
      comparison: "minimum",
      classRefs: ["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"],
    });
    assert.equal(parsed.forceAuthn, true);
    assert.equal(parsed.isPassive, true);
    assert.equal(parsed.isSigned, false);
  });

  it("accepts an empty NameIDPolicy", () => {
    assert.deepEqual(
      parse(request(BASE, "<saml:Issuer>a</saml:Issuer><samlp:NameIDPolicy/>")).nameIdPolicy,
      {},
    );
  });

  it("refuses SAML versions other than 2.0 with SAML_VERSION_UNSUPPORTED", () => {
    parseFails(
      request('ID="_r" Version="1.1" IssueInstant="2025-07-01T12:00:00Z"'),
      "SAML_VERSION_UNSUPPORTED",
    );
  });

  it("refuses a comment inside the Issuer (XML_MALFORMED)", () => {
    parseFails(request(BASE, "<saml:Issuer>https://sp<!---->.example.com</saml:Issuer>"), "XML_MALFORMED");
  });

  describe("refuses with SAML_REQUEST_INVALID", () => {
    const cases: [string, string][] = [
      ["another root element", `<samlp:LogoutRequest xmlns:samlp="${P}" ${BASE}/>`],
      ["no Version", request('ID="_r" IssueInstant="2025-07-01T12:00:00Z"')],
      ["no ID", request('Version="2.0" IssueInstant="2025-07-01T12:00:00Z"')],
      [
        "an ID longer than 512 characters",
        request(`ID="${salesforceRequestId("long", 513)}" Version="2.0" IssueInstant="2025-07-01T12:00:00Z"`),
      ],
      [
        "an ID that is not an xs:ID",
        request('ID="2CAAAA" Version="2.0" IssueInstant="2025-07-01T12:00:00Z"'),
      ],
      ["no IssueInstant", request('ID="_r" Version="2.0"')],
      [
        "an IssueInstant without a time zone",
        request('ID="_r" Version="2.0" IssueInstant="2025-07-01T12:00:00"'),
      ],
      ["an impossible IssueInstant", request('ID="_r" Version="2.0" IssueInstant="2025-02-30T12:00:00Z"')],
      ["no Issuer", request(BASE, "")],
      ["two Issuers", request(BASE, "<saml:Issuer>a</saml:Issuer><saml:Issuer>b</saml:Issuer>")],
      ["an empty Destination", request(`${BASE} Destination=""`)],
      [
        "both AssertionConsumerServiceURL and Index",
        request(`${BASE} AssertionConsumerServiceURL="https://sp/acs" AssertionConsumerServiceIndex="0"`),
      ],
      [
        "AssertionConsumerServiceIndex with ProtocolBinding",
        request(
          `${BASE} AssertionConsumerServiceIndex="0" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"`,
        ),
      ],
      ["an index beyond unsignedShort", request(`${BASE} AssertionConsumerServiceIndex="65536"`)],
      ["a negative index", request(`${BASE} AssertionConsumerServiceIndex="-1"`)],
      ["ForceAuthn that is not a boolean", request(`${BASE} ForceAuthn="yes"`)],
      [
        "two NameIDPolicy elements",
        request(BASE, "<saml:Issuer>a</saml:Issuer><samlp:NameIDPolicy/><samlp:NameIDPolicy/>"),
      ],
      [
        "an unknown Comparison",
        request(BASE, '<saml:Issuer>a</saml:Issuer><samlp:RequestedAuthnContext Comparison="most"/>'),
      ],
    ];
    for (const [name, xml] of cases) it(name, () => parseFails(xml, "SAML_REQUEST_INVALID"));
  });
});
