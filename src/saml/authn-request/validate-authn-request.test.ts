import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import type { AssertionConsumerService } from "../metadata/endpoints.ts";
import { nameIdFormat, statusCode, subStatusCode } from "../urn.ts";
import { samlErrorStatus } from "./error-status.ts";
import type { AuthnRequest } from "./parse-authn-request.ts";
import { replayExpiresAt, replayKey } from "./replay.ts";
import {
  type AuthnRequestChecks,
  checkMessage,
  checkPolicy,
  resolveAcs,
  validateAuthnRequest,
} from "./validate-authn-request.ts";

const now = new Date("2025-07-01T12:00:00.000Z");
const SSO = "https://idp.example.com/idp/SSO.saml2";
const ORG = "https://acme.my.salesforce.com?so=00D5g000004AbCd";
const SITE = "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm";
const acsEndpoints: AssertionConsumerService[] = [
  { binding: "POST", url: ORG, index: 0, isDefault: true },
  { binding: "POST", url: SITE, index: 1, isDefault: false },
  { binding: "ARTIFACT", url: "https://acme.my.salesforce.com/artifact", index: 2, isDefault: false },
];
const checks: AuthnRequestChecks = {
  now,
  expectedDestinations: [SSO],
  acsEndpoints,
  supportedNameIdFormats: [nameIdFormat.emailAddress],
};
const base: AuthnRequest = {
  id: "_r",
  version: "2.0",
  issueInstant: new Date(now.getTime() - 5000),
  destination: SSO,
  issuer: "https://acme.my.salesforce.com",
  forceAuthn: false,
  isPassive: false,
  isSigned: true,
};
const at = (offsetMs: number): AuthnRequest => ({
  ...base,
  issueInstant: new Date(now.getTime() + offsetMs),
});

describe("checkMessage", () => {
  it("accepts a Destination equal to one of this endpoint's URLs", () => {
    checkMessage(base, checks);
    checkMessage(
      { ...base, destination: "http://localhost:9031/idp/SSO.saml2" },
      {
        ...checks,
        expectedDestinations: [SSO, "http://localhost:9031/idp/SSO.saml2"],
      },
    );
  });

  it("refuses another Destination, compared exactly", () => {
    for (const destination of [
      "https://evil.example.com/idp/SSO.saml2",
      "https://IDP.example.com/idp/SSO.saml2",
      `${SSO}/`,
      `${SSO}?x=1`,
    ]) {
      throwsCode(() => checkMessage({ ...base, destination }, checks), "SAML_DESTINATION_MISMATCH");
    }
  });

  it("requires a Destination on a signed request only (saml-bindings §3.4.5.2)", () => {
    const { destination: _, ...withoutDestination } = base;
    throwsCode(() => checkMessage(withoutDestination, checks), "SAML_DESTINATION_MISMATCH");
    checkMessage({ ...withoutDestination, isSigned: false }, checks);
  });

  it("accepts an IssueInstant up to the skew either side, and refuses beyond", () => {
    const skew = 3 * 60 * 1000;
    checkMessage(at(-skew), checks);
    checkMessage(at(skew), checks);
    throwsCode(() => checkMessage(at(-skew - 1), checks), "SAML_REQUEST_EXPIRED");
    throwsCode(() => checkMessage(at(skew + 1), checks), "SAML_REQUEST_EXPIRED");
    checkMessage(at(-9 * 60 * 1000), { ...checks, skewMs: 10 * 60 * 1000 });
  });
});

describe("resolveAcs", () => {
  it("takes the default HTTP-POST endpoint when the request names none (Salesforce's stored ACS)", () => {
    const { assertionConsumerServiceURL: _, ...plain } = base;
    assert.deepEqual(resolveAcs(plain, acsEndpoints), { url: ORG, index: 0, binding: "POST" });
  });

  it("finds the requested AssertionConsumerServiceURL among the connection's, exactly", () => {
    assert.deepEqual(resolveAcs({ ...base, assertionConsumerServiceURL: SITE }, acsEndpoints), {
      url: SITE,
      index: 1,
      binding: "POST",
    });
    for (const url of [
      "https://evil.example.com/acs",
      "https://acme.my.salesforce.com?so=00D5g000004AbCD",
      `${ORG}&x=1`,
      "https://acme.my.salesforce.com/artifact",
    ]) {
      throwsCode(
        () => resolveAcs({ ...base, assertionConsumerServiceURL: url }, acsEndpoints),
        "SAML_ACS_UNKNOWN",
      );
    }
  });

  it("finds the requested index, and refuses one out of range or not HTTP-POST", () => {
    assert.equal(resolveAcs({ ...base, assertionConsumerServiceIndex: 1 }, acsEndpoints).url, SITE);
    throwsCode(
      () => resolveAcs({ ...base, assertionConsumerServiceIndex: 7 }, acsEndpoints),
      "SAML_ACS_UNKNOWN",
    );
    throwsCode(
      () => resolveAcs({ ...base, assertionConsumerServiceIndex: 2 }, acsEndpoints),
      "SAML_ACS_UNKNOWN",
    );
  });

  it("falls back to the first HTTP-POST endpoint when the default uses another binding", () => {
    const endpoints: AssertionConsumerService[] = [
      { binding: "ARTIFACT", url: "https://sp/artifact", index: 0, isDefault: true },
      { binding: "POST", url: "https://sp/post", index: 5, isDefault: false },
    ];
    assert.equal(resolveAcs(base, endpoints).index, 5);
    throwsCode(() => resolveAcs(base, endpoints.slice(0, 1)), "SAML_ACS_UNKNOWN");
  });

  it("refuses a ProtocolBinding other than HTTP-POST", () => {
    throwsCode(
      () =>
        resolveAcs(
          { ...base, protocolBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" },
          acsEndpoints,
        ),
      "SAML_REQUEST_INVALID",
    );
    resolveAcs({ ...base, protocolBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" }, acsEndpoints);
  });
});

describe("checkPolicy", () => {
  it("accepts no policy, unspecified and supported formats", () => {
    checkPolicy(base, checks);
    checkPolicy({ ...base, nameIdPolicy: {} }, checks);
    checkPolicy({ ...base, nameIdPolicy: { format: nameIdFormat.unspecified } }, checks);
    checkPolicy({ ...base, nameIdPolicy: { format: nameIdFormat.emailAddress, allowCreate: true } }, checks);
    checkPolicy({ ...base, nameIdPolicy: { spNameQualifier: base.issuer } }, checks);
  });

  it("refuses formats the connection does not issue, and affiliations", () => {
    throwsCode(
      () => checkPolicy({ ...base, nameIdPolicy: { format: nameIdFormat.transient } }, checks),
      "SAML_NAMEID_POLICY_UNSUPPORTED",
    );
    throwsCode(
      () =>
        checkPolicy(
          { ...base, nameIdPolicy: { spNameQualifier: "https://affiliation.example.com" } },
          checks,
        ),
      "SAML_NAMEID_POLICY_UNSUPPORTED",
    );
  });
});

describe("validateAuthnRequest", () => {
  it("accepts and names the ACS", () => {
    assert.deepEqual(validateAuthnRequest(base, checks), {
      outcome: "accept",
      acs: { url: ORG, index: 0, binding: "POST" },
    });
  });

  it("throws before the ACS is trusted (the endpoint shows an HTML error page)", () => {
    throwsCode(
      () => validateAuthnRequest({ ...base, destination: "https://evil" }, checks),
      "SAML_DESTINATION_MISMATCH",
    );
    throwsCode(() => validateAuthnRequest(at(-10 * 60 * 1000), checks), "SAML_REQUEST_EXPIRED");
    throwsCode(
      () => validateAuthnRequest({ ...base, assertionConsumerServiceURL: "https://evil" }, checks),
      "SAML_ACS_UNKNOWN",
    );
  });

  it("returns a refusal with the trusted ACS and the SAML status after it (a SAML error Response)", () => {
    const decision = validateAuthnRequest(
      { ...base, assertionConsumerServiceIndex: 1, nameIdPolicy: { format: nameIdFormat.persistent } },
      checks,
    );
    assert.equal(decision.outcome, "refuse");
    assert.ok(decision.outcome === "refuse");
    assert.equal(decision.error.code, "SAML_NAMEID_POLICY_UNSUPPORTED");
    assert.deepEqual(decision.acs, { url: SITE, index: 1, binding: "POST" });
    assert.deepEqual(decision.status, {
      code: statusCode.requester,
      subCode: subStatusCode.invalidNameIdPolicy,
    });
  });
});

describe("samlErrorStatus", () => {
  it("maps the codes the endpoint answers after the ACS is trusted", () => {
    assert.deepEqual(samlErrorStatus("SAML_NO_PASSIVE"), {
      code: statusCode.responder,
      subCode: subStatusCode.noPassive,
    });
    assert.deepEqual(samlErrorStatus("SAML_AUTHN_FAILED"), {
      code: statusCode.responder,
      subCode: subStatusCode.authnFailed,
    });
    assert.deepEqual(samlErrorStatus("INTERNAL"), {
      code: statusCode.responder,
      subCode: subStatusCode.requestDenied,
    });
  });
});

describe("replayKey", () => {
  it("is a fixed-length key per (issuer, id) that pairs cannot collide on", () => {
    const key = replayKey("https://sp", "_2CAAAA");
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(replayKey("https://sp", "_2CAAAA"), key);
    assert.notEqual(replayKey("https://sp2", "_2CAAAA"), key);
    assert.notEqual(replayKey("ab", "c"), replayKey("a", "bc"));
  });

  it("keeps a key only as long as the request could still be accepted", () => {
    assert.equal(
      replayExpiresAt(new Date("2025-07-01T12:00:00Z"), 180_000).toISOString(),
      "2025-07-01T12:03:00.000Z",
    );
  });
});
