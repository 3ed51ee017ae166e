import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SAML } from "@node-saml/node-saml";
import { throwsCode } from "../../../test/support/errors.ts";
import {
  authnRequestXml,
  porticoIdp,
  postFields,
  redirectQuery,
  salesforceRequestId,
  salesforceSp,
  signAsSalesforce,
} from "../../../test/support/saml-requests.ts";
import { decodePost } from "../bindings/post.ts";
import { decodeRedirect } from "../bindings/redirect.ts";
import { verifyAlgorithms } from "../signing/verify-algorithms.ts";
import { readAuthnRequest, type SpTrust } from "./read-authn-request.ts";

const issueInstant = new Date("2025-07-01T11:59:55.000Z");
const trust: SpTrust = {
  entityId: salesforceSp.entityId,
  certificatesPem: [salesforceSp.certificatePem],
  requireSignature: true,
  allowed: verifyAlgorithms({ allowSha1: false }),
};

describe("readAuthnRequest", () => {
  it("reads a Salesforce Redirect request signed in the query, with its 300-character ID", () => {
    const id = salesforceRequestId("read");
    const request = readAuthnRequest(
      decodeRedirect(
        redirectQuery({ xml: authnRequestXml({ id, issueInstant }), relayState: "/home", sign: {} }),
      ),
      trust,
    );
    assert.equal(request.id, id);
    assert.equal(request.isSigned, true);
    assert.equal(request.destination, porticoIdp.ssoUrl);
    assert.equal(request.assertionConsumerServiceURL, salesforceSp.acsUrl);
  });

  it("reads a POST request from its signed bytes", () => {
    const request = readAuthnRequest(
      decodePost(postFields({ xml: signAsSalesforce(authnRequestXml({ issueInstant })) })),
      trust,
    );
    assert.equal(request.isSigned, true);
    assert.equal(request.issuer, salesforceSp.entityId);
  });

  it("reads a POST request signed by node-saml acting as the SP", async () => {
    const sp = new SAML({
      callbackUrl: salesforceSp.acsUrl,
      entryPoint: porticoIdp.ssoUrl,
      issuer: salesforceSp.entityId,
      idpCert: salesforceSp.certificatePem,
      privateKey: salesforceSp.privateKeyPem,
      signatureAlgorithm: "sha256",
      digestAlgorithm: "sha256",
      authnRequestBinding: "HTTP-POST",
      // node-saml deflates POST requests by default, which saml-bindings §3.5.4 does not allow
      // (and decodePost refuses); this is its spec-conforming mode.
      skipRequestCompression: true,
    });
    const form = await sp.getAuthorizeFormAsync("/home", undefined, {});
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(form)?.[1] ?? "";
    const decoded = decodePost({ SAMLRequest: field("SAMLRequest"), RelayState: field("RelayState") });
    const request = readAuthnRequest(decoded, trust);
    assert.equal(request.isSigned, true);
    assert.equal(request.assertionConsumerServiceURL, salesforceSp.acsUrl);
    assert.equal(decoded.relayState, "/home");
  });

  it("refuses a request whose Issuer is another connection's", () => {
    const xml = authnRequestXml({ issueInstant, issuer: "https://other.example.com" });
    throwsCode(
      () => readAuthnRequest(decodeRedirect(redirectQuery({ xml, sign: {} })), trust),
      "SAML_SIGNATURE_WRAPPING",
    );
    throwsCode(
      () => readAuthnRequest(decodePost(postFields({ xml })), { ...trust, requireSignature: false }),
      "SAML_SP_UNKNOWN",
    );
  });

  it("refuses an AuthnRequest sent as SAMLResponse", () => {
    const decoded = decodePost(
      postFields({ messageType: "SAMLResponse", xml: authnRequestXml({ issueInstant }) }),
    );
    throwsCode(() => readAuthnRequest(decoded, trust), "SAML_BINDING_INVALID");
  });
});
