import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import {
  authnRequestXml,
  logoutRequestXml,
  postFields,
  redirectQuery,
  salesforceSp,
  signAsSalesforce,
} from "../../../test/support/saml-requests.ts";
import { attr, childElements } from "../../xml/select.ts";
import { verifyAlgorithms } from "../signing/verify-algorithms.ts";
import { ns } from "../urn.ts";
import { expectIssuer, type MessageTrust, openMessage } from "./open-message.ts";
import { decodePost } from "./post.ts";
import { decodeRedirect } from "./redirect.ts";

const issueInstant = new Date("2025-07-01T11:59:55.000Z");
const xml = authnRequestXml({ id: "_open", issueInstant });
const required: MessageTrust = {
  certificatesPem: [salesforceSp.certificatePem],
  requireSignature: true,
  allowed: verifyAlgorithms({ allowSha1: false }),
};
const optional: MessageTrust = { ...required, requireSignature: false };

describe("openMessage: HTTP-Redirect", () => {
  it("verifies the query signature and returns the root", () => {
    const opened = openMessage(decodeRedirect(redirectQuery({ xml, sign: {} })), "AuthnRequest", required);
    assert.equal(opened.isSigned, true);
    assert.equal(attr(opened.root, "ID"), "_open");
    assert.ok(opened.verifiedBy);
  });

  it("refuses an unsigned message when signing is required, and accepts it otherwise", () => {
    const decoded = decodeRedirect(redirectQuery({ xml }));
    throwsCode(() => openMessage(decoded, "AuthnRequest", required), "SAML_SIGNATURE_REQUIRED");
    assert.equal(openMessage(decoded, "AuthnRequest", optional).isSigned, false);
  });

  it("does not count a ds:Signature inside the XML as signing a Redirect message", () => {
    const decoded = decodeRedirect(redirectQuery({ xml: signAsSalesforce(xml) }));
    throwsCode(() => openMessage(decoded, "AuthnRequest", required), "SAML_SIGNATURE_REQUIRED");
  });

  it("checks a signature even when the connection does not require one", () => {
    const query = redirectQuery({ xml, relayState: "a", sign: {} }).replace("RelayState=a", "RelayState=b");
    throwsCode(() => openMessage(decodeRedirect(query), "AuthnRequest", optional), "SAML_SIGNATURE_INVALID");
  });

  it("refuses a message of another type at the root", () => {
    throwsCode(
      () => openMessage(decodeRedirect(redirectQuery({ xml, sign: {} })), "LogoutRequest", required),
      "SAML_LOGOUT_INVALID",
    );
  });
});

describe("openMessage: HTTP-POST", () => {
  it("returns the root from the signed bytes", () => {
    const opened = openMessage(
      decodePost(postFields({ xml: signAsSalesforce(xml) })),
      "AuthnRequest",
      required,
    );
    assert.equal(opened.isSigned, true);
    assert.equal(childElements(opened.root, ns.xmldsig, "Signature").length, 0);
  });

  it("refuses an unsigned message when signing is required, and accepts it otherwise", () => {
    const decoded = decodePost(postFields({ xml }));
    throwsCode(() => openMessage(decoded, "AuthnRequest", required), "SAML_SIGNATURE_REQUIRED");
    const opened = openMessage(decoded, "AuthnRequest", optional);
    assert.equal(opened.isSigned, false);
    assert.equal(opened.verifiedBy, undefined);
  });

  it("verifies a signature the connection does not require, and refuses a bad one", () => {
    assert.equal(
      openMessage(decodePost(postFields({ xml: signAsSalesforce(xml) })), "AuthnRequest", optional).isSigned,
      true,
    );
    const tampered = signAsSalesforce(xml).replace("2025-07-01T11:59:55", "2025-07-01T11:59:56");
    throwsCode(
      () => openMessage(decodePost(postFields({ xml: tampered })), "AuthnRequest", optional),
      "SAML_SIGNATURE_INVALID",
    );
  });

  it("treats a signature anywhere in the document as a claim to be signed", () => {
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signAsSalesforce(xml))?.[0] ?? "";
    const nested = xml.replace(
      "</saml:Issuer>",
      `</saml:Issuer><samlp:Extensions>${signature}</samlp:Extensions>`,
    );
    throwsCode(
      () => openMessage(decodePost(postFields({ xml: nested })), "AuthnRequest", optional),
      "SAML_SIGNATURE_WRAPPING",
    );
  });

  it("refuses a message of another type at the root", () => {
    const logout = logoutRequestXml({ issueInstant });
    throwsCode(
      () => openMessage(decodePost(postFields({ xml: logout })), "AuthnRequest", optional),
      "SAML_REQUEST_INVALID",
    );
  });
});

describe("expectIssuer", () => {
  it("accepts the connection's entity ID and refuses another", () => {
    expectIssuer("https://sp", "https://sp", true);
    throwsCode(() => expectIssuer("https://other", "https://sp", true), "SAML_SIGNATURE_WRAPPING");
    throwsCode(() => expectIssuer("https://other", "https://sp", false), "SAML_SP_UNKNOWN");
  });
});
