import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  type Harness,
  IDP_ENTITY_ID,
  INSTANCE_URL,
  ORG_ACS,
  SITE_ACS,
  startHarness,
} from "./test-harness.ts";

let h: Harness;
let idpCertificate: string;
before(async () => {
  h = await startHarness();
  idpCertificate = h.keys.idp.certificatePem;
});
after(async () => {
  await h.close();
});

function put(payload: Record<string, unknown>) {
  return h.app.inject({ method: "PUT", url: "/_emulator/sso", payload });
}

const invalid: { name: string; body: () => Record<string, unknown>; fields: string[] }[] = [
  { name: "empty body", body: () => ({}), fields: ["issuer", "idpCertificate"] },
  {
    name: "certificate that is not one",
    body: () => ({ issuer: IDP_ENTITY_ID, idpCertificate: "MIIBnotacert" }),
    fields: ["idpCertificate"],
  },
  {
    name: "identity type Salesforce has but the emulator does not model",
    body: () => ({ issuer: IDP_ENTITY_ID, idpCertificate, identityType: "UserId" }),
    fields: ["identityType"],
  },
  {
    name: "identity in an attribute without its name",
    body: () => ({ issuer: IDP_ENTITY_ID, idpCertificate, identityLocation: "Attribute" }),
    fields: ["attributeName"],
  },
  {
    name: "login URL that is not http(s)",
    body: () => ({ issuer: IDP_ENTITY_ID, idpCertificate, idpLoginUrl: "ftp://idp.example.test/sso" }),
    fields: ["idpLoginUrl"],
  },
  {
    name: "binding and signature method outside the lists",
    body: () => ({
      issuer: IDP_ENTITY_ID,
      idpCertificate,
      requestBinding: "SOAP",
      requestSignatureMethod: "RSA-SHA512",
    }),
    fields: ["requestBinding", "requestSignatureMethod"],
  },
  {
    name: "flag that is not a boolean",
    body: () => ({ issuer: IDP_ENTITY_ID, idpCertificate, signRequests: "yes" }),
    fields: ["signRequests"],
  },
  {
    name: "unknown field",
    body: () => ({ issuer: IDP_ENTITY_ID, idpCertificate, issuerr: "x" }),
    fields: ["issuerr"],
  },
];

describe("PUT /_emulator/sso refuses settings Salesforce would refuse", () => {
  for (const c of invalid) {
    test(c.name, async () => {
      const res = await put(c.body());
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.errorCode, "INVALID_SSO_SETTINGS");
      assert.deepEqual(
        body.problems.map((p: { field: string }) => p.field),
        c.fields,
      );
    });
  }
});

describe("Single Sign-On Settings", () => {
  test("defaults: Entity ID = My Domain URL, Redirect binding, signed RSA-SHA256 requests", async () => {
    const res = await put({ issuer: IDP_ENTITY_ID, idpCertificate });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.configured, true);
    assert.equal(body.settings.entityId, INSTANCE_URL);
    assert.equal(body.settings.identityType, "Username");
    assert.equal(body.settings.identityLocation, "SubjectNameId");
    assert.equal(body.settings.requestBinding, "HTTP-Redirect");
    assert.equal(body.settings.signRequests, true);
    assert.equal(body.settings.requestSignatureMethod, "RSA-SHA256");
    assert.equal(body.settings.assertionDecryptionCertificate, false);
    assert.equal(body.loginUrl, ORG_ACS);
    assert.deepEqual(
      body.communityLoginUrls.map((c: { url: string }) => c.url),
      [SITE_ACS],
    );
    assert.equal(body.logoutUrl, `${INSTANCE_URL}/services/auth/sp/saml2/logout`);
    assert.match(body.configId, /^0LE[0-9A-Za-z]{12}$/);
  });

  test("the IdP certificate is accepted as base64 DER too, and GET shows the SP certificate", async () => {
    const der = new X509Certificate(idpCertificate).raw.toString("base64");
    assert.equal((await put({ issuer: IDP_ENTITY_ID, idpCertificate: der })).statusCode, 200);
    const body = (await h.app.inject({ url: "/_emulator/sso" })).json();
    assert.equal(
      new X509Certificate(body.settings.idpCertificate).fingerprint256,
      new X509Certificate(idpCertificate).fingerprint256,
    );
    assert.match(body.spCertificate, /^-----BEGIN CERTIFICATE-----/);
  });

  test("DELETE turns SAML off", async () => {
    await put({ issuer: IDP_ENTITY_ID, idpCertificate });
    assert.equal((await h.app.inject({ method: "DELETE", url: "/_emulator/sso" })).statusCode, 204);
    const body = (await h.app.inject({ url: "/_emulator/sso" })).json();
    assert.equal(body.configured, false);
    assert.equal(body.settings, null);
  });

  test("validations/last is 404 before any login attempt", async () => {
    const fresh = await (await import("./test-harness.ts")).startHarness();
    try {
      const res = await fresh.app.inject({ url: "/_emulator/sso/validations/last" });
      assert.equal(res.statusCode, 404);
    } finally {
      await fresh.close();
    }
  });
});
