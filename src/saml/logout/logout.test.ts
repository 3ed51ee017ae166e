import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { xsdValidate } from "../../../test/support/peers.ts";
import { porticoIdp, salesforceSp, signAsSalesforce } from "../../../test/support/saml-requests.ts";
import type { ErrorCode } from "../../lib/errors.ts";
import { serialize } from "../../xml/build.ts";
import { parseXml } from "../../xml/parse.ts";
import { rootElement } from "../../xml/select.ts";
import type { SpTrust } from "../authn-request/read-authn-request.ts";
import { signRedirectQuery } from "../bindings/encode.ts";
import { decodePost } from "../bindings/post.ts";
import { decodeRedirect } from "../bindings/redirect.ts";
import { signElement } from "../signing/sign-xml.ts";
import { signingCredentials } from "../signing/signing-key.ts";
import { verifyAlgorithms } from "../signing/verify-algorithms.ts";
import { verifyEnvelopedSignature } from "../signing/verify-enveloped.ts";
import { logoutReason, nameIdFormat, signatureAlgorithm, statusCode, subStatusCode } from "../urn.ts";
import { buildLogoutRequest, buildLogoutRequestDocument, buildLogoutResponse } from "./build-logout.ts";
import { parseLogoutRequest, parseLogoutResponse } from "./parse-logout.ts";
import { readLogoutRequest, readLogoutResponse } from "./read-logout.ts";
import { validateLogoutRequest, validateLogoutResponse } from "./validate-logout.ts";

const P = "urn:oasis:names:tc:SAML:2.0:protocol";
const A = "urn:oasis:names:tc:SAML:2.0:assertion";
const now = new Date("2025-07-01T12:00:00.000Z");

const requestInput = {
  id: "_lr1",
  issueInstant: now,
  destination: salesforceSp.sloUrl,
  issuer: porticoIdp.entityId,
  nameId: { value: "jdoe@example.com", format: nameIdFormat.emailAddress },
  sessionIndexes: ["_s1", "_s2"],
  notOnOrAfter: new Date(now.getTime() + 5 * 60_000),
  reason: logoutReason.user,
};

const root = (xml: string) => rootElement(parseXml(xml));

describe("buildLogoutRequest", () => {
  const xml = buildLogoutRequest(requestInput);

  it("writes exactly the expected markup", () => {
    assert.equal(
      xml,
      `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ID="_lr1" Version="2.0" IssueInstant="2025-07-01T12:00:00.000Z" ` +
        `Destination="${salesforceSp.sloUrl}" NotOnOrAfter="2025-07-01T12:05:00.000Z" Reason="${logoutReason.user}">` +
        `<saml:Issuer>${porticoIdp.entityId}</saml:Issuer>` +
        `<saml:NameID Format="${nameIdFormat.emailAddress}">jdoe@example.com</saml:NameID>` +
        "<samlp:SessionIndex>_s1</samlp:SessionIndex><samlp:SessionIndex>_s2</samlp:SessionIndex></samlp:LogoutRequest>",
    );
  });

  it("is valid against the SAML 2.0 protocol schema (xmllint)", async () => {
    const result = await xsdValidate(xml, "protocol");
    assert.ok(result.ok, result.stderr);
  });

  it("signed for HTTP-POST with signElement, verifies and passes the schema", async () => {
    const doc = buildLogoutRequestDocument(requestInput);
    signElement(
      rootElement(doc),
      signingCredentials(salesforceSp.privateKeyPem, salesforceSp.certificatePem),
      {
        algorithm: "SHA256withRSA",
        includeCertInSignature: true,
        includeRawKeyInSignature: false,
      },
    );
    const signed = serialize(doc);
    const verified = verifyEnvelopedSignature(signed, {
      certificatesPem: [salesforceSp.certificatePem],
      allowed: verifyAlgorithms({ allowSha1: false }),
      rootLocalName: "LogoutRequest",
    });
    assert.equal(parseLogoutRequest(verified.root).nameId.value, "jdoe@example.com");
    const result = await xsdValidate(signed, "protocol");
    assert.ok(result.ok, result.stderr);
  });

  it("reads back as it was built, hostile values included", () => {
    const hostile = { ...requestInput, nameId: { value: 'a<b>&"c"</saml:NameID><x/>' } };
    assert.deepEqual(parseLogoutRequest(root(buildLogoutRequest(hostile))), {
      id: "_lr1",
      version: "2.0",
      issueInstant: now,
      destination: salesforceSp.sloUrl,
      issuer: porticoIdp.entityId,
      nameId: { value: 'a<b>&"c"</saml:NameID><x/>' },
      sessionIndexes: ["_s1", "_s2"],
      notOnOrAfter: requestInput.notOnOrAfter,
      reason: logoutReason.user,
    });
  });
});

describe("buildLogoutResponse", () => {
  const input = {
    id: "_resp1",
    issueInstant: now,
    destination: salesforceSp.sloUrl,
    inResponseTo: "_2CAAAAx",
    issuer: porticoIdp.entityId,
    status: {
      code: statusCode.responder,
      subCode: subStatusCode.partialLogout,
      message: "partly",
    },
  };

  it("is valid against the SAML 2.0 protocol schema (xmllint) and reads back", async () => {
    const xml = buildLogoutResponse(input);
    const result = await xsdValidate(xml, "protocol");
    assert.ok(result.ok, result.stderr);
    assert.deepEqual(parseLogoutResponse(root(xml)), {
      id: "_resp1",
      version: "2.0",
      issueInstant: now,
      inResponseTo: "_2CAAAAx",
      destination: salesforceSp.sloUrl,
      issuer: porticoIdp.entityId,
      statusCode: statusCode.responder,
      subStatusCode: subStatusCode.partialLogout,
      statusMessage: "partly",
    });
  });

  it("writes a plain Success without optional parts", () => {
    const xml = buildLogoutResponse({
      id: "_r",
      issueInstant: now,
      issuer: "i",
      status: { code: statusCode.success },
    });
    assert.equal(
      xml,
      `<samlp:LogoutResponse xmlns:samlp="${P}" xmlns:saml="${A}" ID="_r" Version="2.0" IssueInstant="2025-07-01T12:00:00.000Z">` +
        `<saml:Issuer>i</saml:Issuer><samlp:Status><samlp:StatusCode Value="${statusCode.success}"/></samlp:Status></samlp:LogoutResponse>`,
    );
  });
});

describe("parseLogoutRequest refuses", () => {
  const logout = (inner: string, attributes = 'ID="_l" Version="2.0" IssueInstant="2025-07-01T12:00:00Z"') =>
    `<samlp:LogoutRequest xmlns:samlp="${P}" xmlns:saml="${A}" ${attributes}><saml:Issuer>https://sp</saml:Issuer>${inner}</samlp:LogoutRequest>`;
  const cases: [string, string, ErrorCode][] = [
    ["no NameID", logout(""), "SAML_LOGOUT_INVALID"],
    ["an EncryptedID", logout("<saml:EncryptedID/>"), "SAML_LOGOUT_INVALID"],
    ["an empty NameID", logout("<saml:NameID></saml:NameID>"), "SAML_LOGOUT_INVALID"],
    [
      "a comment inside the NameID",
      logout("<saml:NameID>admin@example.com<!---->.evil.com</saml:NameID>"),
      "XML_MALFORMED",
    ],
    [
      "a comment inside a SessionIndex",
      logout("<saml:NameID>a</saml:NameID><samlp:SessionIndex>_s<!---->1</samlp:SessionIndex>"),
      "XML_MALFORMED",
    ],
    [
      "Version 1.0",
      logout("<saml:NameID>a</saml:NameID>", 'ID="_l" Version="1.0" IssueInstant="2025-07-01T12:00:00Z"'),
      "SAML_VERSION_UNSUPPORTED",
    ],
    [
      "a bad NotOnOrAfter",
      logout(
        "<saml:NameID>a</saml:NameID>",
        'ID="_l" Version="2.0" IssueInstant="2025-07-01T12:00:00Z" NotOnOrAfter="soon"',
      ),
      "SAML_LOGOUT_INVALID",
    ],
    ["an AuthnRequest", `<samlp:AuthnRequest xmlns:samlp="${P}"/>`, "SAML_LOGOUT_INVALID"],
    [
      "too many SessionIndex elements",
      logout(`<saml:NameID>a</saml:NameID>${"<samlp:SessionIndex>s</samlp:SessionIndex>".repeat(65)}`),
      "SAML_LOGOUT_INVALID",
    ],
  ];
  for (const [name, xml, code] of cases)
    it(name, () => throwsCode(() => parseLogoutRequest(root(xml)), code));

  it("nothing for an empty Reason, which pysaml2 writes by default: it is an xs:string, and only informs", () => {
    const parsed = parseLogoutRequest(
      root(
        logout(
          "<saml:NameID>a</saml:NameID>",
          'ID="_l" Version="2.0" IssueInstant="2025-07-01T12:00:00Z" Reason=""',
        ),
      ),
    );
    assert.equal(parsed.nameId.value, "a");
    assert.equal(parsed.reason, undefined);
  });

  it("a LogoutResponse without a StatusCode", () => {
    const xml = `<samlp:LogoutResponse xmlns:samlp="${P}" xmlns:saml="${A}" ID="_r" Version="2.0" IssueInstant="2025-07-01T12:00:00Z"><saml:Issuer>i</saml:Issuer><samlp:Status/></samlp:LogoutResponse>`;
    throwsCode(() => parseLogoutResponse(root(xml)), "SAML_LOGOUT_INVALID");
  });
});

describe("validateLogoutRequest and validateLogoutResponse", () => {
  const request = parseLogoutRequest(
    root(buildLogoutRequest({ ...requestInput, destination: porticoIdp.sloUrl })),
  );
  const checks = { now, expectedDestinations: [porticoIdp.sloUrl], isSigned: true };

  it("accepts a fresh request for this endpoint", () => validateLogoutRequest(request, checks));

  it("refuses another Destination, a stale IssueInstant and a passed NotOnOrAfter", () => {
    throwsCode(
      () => validateLogoutRequest({ ...request, destination: salesforceSp.sloUrl }, checks),
      "SAML_DESTINATION_MISMATCH",
    );
    throwsCode(
      () => validateLogoutRequest(request, { ...checks, now: new Date(now.getTime() + 4 * 60_000) }),
      "SAML_REQUEST_EXPIRED",
    );
    const expired = { ...request, notOnOrAfter: new Date(now.getTime() - 3 * 60_000) };
    throwsCode(() => validateLogoutRequest(expired, checks), "SAML_REQUEST_EXPIRED");
  });

  it("checks that a LogoutResponse answers the request Portico sent", () => {
    const response = parseLogoutResponse(
      root(
        buildLogoutResponse({
          id: "_r",
          issueInstant: now,
          destination: porticoIdp.sloUrl,
          inResponseTo: "_sent",
          issuer: salesforceSp.entityId,
          status: { code: statusCode.success },
        }),
      ),
    );
    validateLogoutResponse(response, { ...checks, expectedInResponseTo: "_sent" });
    throwsCode(
      () => validateLogoutResponse(response, { ...checks, expectedInResponseTo: "_other" }),
      "SAML_LOGOUT_INVALID",
    );
  });
});

describe("readLogoutRequest and readLogoutResponse", () => {
  const trust: SpTrust = {
    entityId: salesforceSp.entityId,
    certificatesPem: [salesforceSp.certificatePem],
    requireSignature: true,
    allowed: verifyAlgorithms({ allowSha1: false }),
  };
  const fromSp = { ...requestInput, destination: porticoIdp.sloUrl, issuer: salesforceSp.entityId };

  it("reads a LogoutRequest signed on the Redirect binding by signRedirectQuery", () => {
    const query = signRedirectQuery({
      messageType: "SAMLRequest",
      xml: buildLogoutRequest(fromSp),
      relayState: "rs",
      privateKeyPem: salesforceSp.privateKeyPem,
      algorithmUri: signatureAlgorithm.rsaSha256,
    });
    const { message, isSigned } = readLogoutRequest(decodeRedirect(query), trust);
    assert.equal(isSigned, true);
    assert.equal(message.nameId.value, "jdoe@example.com");
  });

  it("reads a LogoutResponse signed on the POST binding", () => {
    const xml = signAsSalesforce(
      buildLogoutResponse({
        id: "_r",
        issueInstant: now,
        destination: porticoIdp.sloUrl,
        inResponseTo: "_sent",
        issuer: salesforceSp.entityId,
        status: { code: statusCode.success },
      }),
    );
    const { message, isSigned } = readLogoutResponse(
      decodePost({ SAMLResponse: Buffer.from(xml).toString("base64") }),
      trust,
    );
    assert.equal(isSigned, true);
    assert.equal(message.inResponseTo, "_sent");
  });

  it("refuses a LogoutRequest as SAMLResponse and the reverse", () => {
    const xml = buildLogoutRequest(fromSp);
    throwsCode(
      () => readLogoutRequest(decodePost({ SAMLResponse: Buffer.from(xml).toString("base64") }), trust),
      "SAML_BINDING_INVALID",
    );
    throwsCode(
      () => readLogoutResponse(decodePost({ SAMLRequest: Buffer.from(xml).toString("base64") }), trust),
      "SAML_BINDING_INVALID",
    );
  });
});
