import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { DOMParser } from "@xmldom/xmldom";
import { NS, URN } from "./constants.ts";
import { type Harness, INSTANCE_URL, ORG_ACS, ORG_ID, SITE_ACS, startHarness } from "./test-harness.ts";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

function parse(xml: string): Element {
  const root = new DOMParser().parseFromString(xml, "text/xml").documentElement;
  assert.ok(root);
  return root;
}

function all(root: Element, local: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(NS.metadata, local));
}

function certBody(pem: string): string {
  return new X509Certificate(pem).raw.toString("base64");
}

describe("SP metadata (SAMLSP-<id>.xml)", () => {
  test("downloads as an attachment named after the configuration id", async () => {
    const { configId } = await h.configure();
    for (const url of ["/_emulator/sso/metadata", `/identity/saml/metadata/SAMLSP-${configId}.xml`]) {
      const res = await h.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers["content-disposition"], `attachment; filename="SAMLSP-${configId}.xml"`);
      assert.match(String(res.headers["content-type"]), /^application\/samlmetadata\+xml/);
    }
    assert.equal(
      (await h.app.inject({ url: "/identity/saml/metadata/SAMLSP-0LE000000000000.xml" })).statusCode,
      404,
    );
  });

  test("has the entity, signing key, logout service, NameID format and both ACS as Salesforce's does", async () => {
    const { spCertificate } = await h.configure();
    const xml = await h.spMetadata();
    assert.match(xml, /so=00D5g000004AbCd&amp;sc=0DM5g0000004CQz/);
    const root = parse(xml);
    assert.equal(root.localName, "EntityDescriptor");
    assert.equal(root.getAttribute("xmlns:md"), NS.metadata);
    assert.equal(root.getAttribute("xmlns:ds"), NS.dsig);
    assert.equal(root.getAttribute("entityID"), INSTANCE_URL);
    assert.match(root.getAttribute("validUntil") ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const [descriptor] = all(root, "SPSSODescriptor");
    assert.ok(descriptor);
    assert.equal(descriptor.getAttribute("AuthnRequestsSigned"), "true");
    assert.equal(descriptor.getAttribute("WantAssertionsSigned"), "true");
    const keys = all(root, "KeyDescriptor");
    assert.deepEqual(
      keys.map((k) => k.getAttribute("use")),
      ["signing"],
    );
    const published = root.getElementsByTagNameNS(NS.dsig, "X509Certificate")[0]?.textContent;
    assert.equal(published, certBody(spCertificate));
    assert.deepEqual(
      all(root, "SingleLogoutService").map((s) => s.getAttribute("Location")),
      [`${INSTANCE_URL}/services/auth/sp/saml2/logout`, `${INSTANCE_URL}/services/auth/sp/saml2/logout`],
    );
    assert.deepEqual(
      all(root, "NameIDFormat").map((n) => n.textContent),
      [URN.unspecifiedNameId],
    );
    assert.deepEqual(
      all(root, "AssertionConsumerService").map((a) => [
        a.getAttribute("Binding"),
        a.getAttribute("Location"),
        a.getAttribute("index"),
        a.getAttribute("isDefault") || null,
      ]),
      [
        [URN.postBinding, ORG_ACS, "0", "true"],
        [URN.postBinding, SITE_ACS, "1", null],
      ],
    );
  });

  test("publishes an encryption key only when assertion decryption is configured", async () => {
    await h.configure({ assertionDecryptionCertificate: true });
    const keys = all(parse(await h.spMetadata()), "KeyDescriptor").map((k) => k.getAttribute("use"));
    assert.deepEqual(keys, ["signing", "encryption"]);
  });

  test("follows the configured Entity ID", async () => {
    await h.configure({ entityId: "https://saml.salesforce.com" });
    assert.equal(parse(await h.spMetadata()).getAttribute("entityID"), "https://saml.salesforce.com");
  });

  test("samlify reads it as an SP: entity ID, a site ACS and the signing certificate", async () => {
    const { spCertificate } = await h.configure();
    const sp = await h.samlifySp();
    assert.equal(sp.entityMeta.getEntityID(), INSTANCE_URL);
    // samlify answers with the last HTTP-POST endpoint: the site's, with `&amp;` read back as `&`.
    assert.equal(sp.entityMeta.getAssertionConsumerService("post"), SITE_ACS);
    assert.equal(sp.entityMeta.isAuthnRequestSigned(), true);
    assert.equal(
      String(sp.entityMeta.getX509Certificate("signing")).replace(/\s/g, ""),
      certBody(spCertificate),
    );
  });

  test("the SP certificate is self-signed and named as Salesforce names its own", async () => {
    const { spCertificate } = await h.configure();
    const cert = new X509Certificate(spCertificate);
    assert.equal(
      cert.subject,
      `CN=SelfSignedCert_01Jul2026_120000\nOU=${ORG_ID}\nO=Salesforce.com\nL=San Francisco\nST=CA\nC=US`,
    );
    assert.equal(cert.issuer, cert.subject);
    assert.equal(cert.verify(cert.publicKey), true);
  });
});
