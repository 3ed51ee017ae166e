import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { peekIssuer } from "./peek-issuer.ts";

const P = "urn:oasis:names:tc:SAML:2.0:protocol";
const A = "urn:oasis:names:tc:SAML:2.0:assertion";
const message = (name: string, issuer: string, extra = "") =>
  `<samlp:${name} xmlns:samlp="${P}" xmlns:saml="${A}" ID="_1" Version="2.0">${issuer}${extra}</samlp:${name}>`;

describe("peekIssuer", () => {
  for (const name of ["AuthnRequest", "LogoutRequest", "LogoutResponse"]) {
    it(`reads the Issuer and the message name of a ${name}`, () => {
      assert.deepEqual(peekIssuer(message(name, "<saml:Issuer>\n  https://sp.example.com\n</saml:Issuer>")), {
        messageName: name,
        issuer: "https://sp.example.com",
      });
    });
  }

  it("refuses a comment inside the Issuer (XML_MALFORMED)", () => {
    throwsCode(
      () => peekIssuer(message("AuthnRequest", "<saml:Issuer>https://sp<!---->.example.com</saml:Issuer>")),
      "XML_MALFORMED",
    );
  });

  it("goes through the hardened parser", () => {
    throwsCode(
      () =>
        peekIssuer(
          `<!DOCTYPE x [<!ENTITY e "x">]>${message("AuthnRequest", "<saml:Issuer>&e;</saml:Issuer>")}`,
        ),
      "XML_DOCTYPE_FORBIDDEN",
    );
    throwsCode(
      () => peekIssuer(message("AuthnRequest", "<saml:Issuer>a</saml:Issuer>").repeat(2)),
      "XML_MULTIPLE_ROOTS",
    );
  });

  describe("refuses with SAML_REQUEST_INVALID", () => {
    const cases: [string, string][] = [
      ["a Response", message("Response", "<saml:Issuer>a</saml:Issuer>")],
      ["a SAML 1.1 request", `<samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"/>`],
      ["no Issuer", message("AuthnRequest", "")],
      ["two Issuers", message("AuthnRequest", "<saml:Issuer>a</saml:Issuer><saml:Issuer>b</saml:Issuer>")],
      ["an empty Issuer", message("AuthnRequest", "<saml:Issuer> </saml:Issuer>")],
      [
        "an Issuer whose Format is not entity",
        message(
          "AuthnRequest",
          '<saml:Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">a@b</saml:Issuer>',
        ),
      ],
      ["an Issuer in the wrong namespace", message("AuthnRequest", "<samlp:Issuer>a</samlp:Issuer>")],
    ];
    for (const [name, xml] of cases)
      it(name, () => throwsCode(() => peekIssuer(xml), "SAML_REQUEST_INVALID"));
  });
});
