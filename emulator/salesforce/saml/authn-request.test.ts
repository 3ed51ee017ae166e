import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { inflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { ALGORITHM, LOGIN_STATUS, NS, URN } from "./constants.ts";
import {
  type Harness,
  IDP_SSO_URL,
  INSTANCE_URL,
  ORG_ACS,
  ORG_ID,
  SITE_ACS,
  startHarness,
} from "./test-harness.ts";

let h: Harness;
let spCertificate: string;
before(async () => {
  h = await startHarness();
  spCertificate = (await h.configure()).spCertificate;
});
after(async () => {
  await h.close();
});

/** Raw (still URL-encoded) query parameters, in order, as the IdP receives them. */
function rawParams(location: string): Map<string, string> {
  const query = location.slice(location.indexOf("?") + 1);
  return new Map(
    query.split("&").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
}

function authnRequestOf(encoded: string, deflated: boolean): Element {
  const bytes = Buffer.from(decodeURIComponent(encoded), "base64");
  const xml = (deflated ? inflateRawSync(bytes) : bytes).toString("utf8");
  const root = new DOMParser().parseFromString(xml, "text/xml").documentElement;
  assert.ok(root);
  return root;
}

function assertShapedLikeSalesforce(request: Element, acsUrl: string) {
  assert.equal(request.localName, "AuthnRequest");
  assert.equal(request.namespaceURI, NS.protocol);
  const id = request.getAttribute("ID") ?? "";
  assert.match(id, /^_2CAAAA[A-Za-z0-9_-]+$/);
  assert.ok(id.length >= 290 && id.length <= 310, `ID is ${id.length} characters`);
  assert.equal(request.getAttribute("Destination"), IDP_SSO_URL);
  assert.equal(request.getAttribute("AssertionConsumerServiceURL"), acsUrl);
  assert.equal(request.getAttribute("ProtocolBinding"), URN.postBinding);
  assert.equal(request.getAttribute("Version"), "2.0");
  assert.equal(request.getAttribute("IssueInstant"), h.clock.now.toISOString());
  const issuer = request.getElementsByTagNameNS(NS.assertion, "Issuer")[0];
  assert.equal(issuer?.textContent, INSTANCE_URL);
  assert.equal(request.getElementsByTagNameNS(NS.protocol, "NameIDPolicy").length, 0);
}

const redirectCases = [
  {
    method: "RSA-SHA256",
    sigAlg: ALGORITHM.rsaSha256,
    hash: "sha256",
    path: `/saml/login?so=${ORG_ID}`,
    acs: ORG_ACS,
  },
  {
    method: "RSA-SHA1",
    sigAlg: ALGORITHM.rsaSha1,
    hash: "sha1",
    path: `/saml/login?so=${ORG_ID}`,
    acs: ORG_ACS,
  },
  {
    method: "RSA-SHA256",
    sigAlg: ALGORITHM.rsaSha256,
    hash: "sha256",
    path: `/customers/saml/login?so=${ORG_ID}`,
    acs: SITE_ACS,
  },
] as const;

describe("SP-initiated login, HTTP-Redirect binding", () => {
  for (const c of redirectCases) {
    test(`${c.path} signs with ${c.method} over the exact query bytes`, async () => {
      await h.configure({ requestBinding: "HTTP-Redirect", requestSignatureMethod: c.method });
      const res = await h.app.inject({ url: `${c.path}&startURL=${encodeURIComponent("/001/o")}` });
      assert.equal(res.statusCode, 302);
      const location = String(res.headers.location);
      assert.ok(location.startsWith(`${IDP_SSO_URL}?SAMLRequest=`));
      const raw = rawParams(location);
      assert.deepEqual([...raw.keys()], ["SAMLRequest", "RelayState", "SigAlg", "Signature"]);
      assert.equal(decodeURIComponent(raw.get("SigAlg") ?? ""), c.sigAlg);
      assert.equal(decodeURIComponent(raw.get("RelayState") ?? ""), "/001/o");

      const signedOctets = `SAMLRequest=${raw.get("SAMLRequest")}&RelayState=${raw.get("RelayState")}&SigAlg=${raw.get("SigAlg")}`;
      const signature = Buffer.from(decodeURIComponent(raw.get("Signature") ?? ""), "base64");
      const key = createPublicKey(spCertificate);
      assert.equal(verify(c.hash, Buffer.from(signedOctets), key, signature), true);
      const tampered = signedOctets.replace("%2F001%2Fo", "%2F002%2Fo");
      assert.equal(verify(c.hash, Buffer.from(tampered), key, signature), false);

      assertShapedLikeSalesforce(authnRequestOf(raw.get("SAMLRequest") ?? "", true), c.acs);
    });
  }

  test("samlify, as the IdP, accepts the request against the SP metadata", async () => {
    await h.configure({ requestBinding: "HTTP-Redirect" });
    const location = String((await h.app.inject({ url: `/saml/login?so=${ORG_ID}` })).headers.location);
    const query = location.slice(location.indexOf("?") + 1);
    const parsed = await h.samlifyIdp({}).parseLoginRequest(await h.samlifySp(), "redirect", {
      query: Object.fromEntries(new URLSearchParams(query)),
      octetString: query.slice(0, query.indexOf("&Signature=")),
    });
    assert.equal(parsed.extract.request?.assertionConsumerServiceUrl, ORG_ACS);
  });

  test("an answer to the request is accepted once, then its InResponseTo is spent", async () => {
    await h.configure({ requestBinding: "HTTP-Redirect" });
    const location = String((await h.app.inject({ url: `/saml/login?so=${ORG_ID}` })).headers.location);
    const id = authnRequestOf(rawParams(location).get("SAMLRequest") ?? "", true).getAttribute("ID") ?? "";
    const issued = (await h.app.inject({ url: "/_emulator/sso/requests" })).json();
    assert.equal(issued[0].id, id);

    const first = await h.post(await h.issueResponse({ inResponseTo: id }));
    assert.equal(first.statusCode, 200, first.body);
    assert.equal((await h.last()).inResponseTo, id);
    await h.post(await h.issueResponse({ inResponseTo: id }));
    assert.equal((await h.last()).status, LOGIN_STATUS.inResponseToInvalid);
  });

  test("an answer to a site's request posted to the org login URL is refused", async () => {
    await h.configure({ requestBinding: "HTTP-Redirect" });
    const location = String(
      (await h.app.inject({ url: `/customers/saml/login?so=${ORG_ID}` })).headers.location,
    );
    const id = authnRequestOf(rawParams(location).get("SAMLRequest") ?? "", true).getAttribute("ID") ?? "";
    await h.post(await h.issueResponse({ inResponseTo: id }));
    assert.equal((await h.last()).status, LOGIN_STATUS.inResponseToInvalid);
  });

  test("with signed requests off, no SigAlg or Signature is sent", async () => {
    await h.configure({ requestBinding: "HTTP-Redirect", signRequests: false });
    const location = String((await h.app.inject({ url: `/saml/login?so=${ORG_ID}` })).headers.location);
    assert.deepEqual([...rawParams(location).keys()], ["SAMLRequest"]);
  });
});

describe("SP-initiated login, HTTP-POST binding", () => {
  test("an auto-submitting form carries an enveloped signature that verifies with the SP certificate", async () => {
    await h.configure({ requestBinding: "HTTP-POST" });
    const res = await h.app.inject({ url: `/saml/login?so=${ORG_ID}&startURL=%2F001%2Fo` });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, new RegExp(`<form method="post" action="${IDP_SSO_URL}">`));
    assert.match(res.body, /name="RelayState" value="\/001\/o"/);
    const encoded = res.body.match(/name="SAMLRequest" value="([^"]+)"/)?.[1] ?? "";
    const xml = Buffer.from(encoded, "base64").toString("utf8");
    const request = authnRequestOf(encoded, false);
    assertShapedLikeSalesforce(request, ORG_ACS);
    // saml-core §3.4.1 schema order: the Signature follows the Issuer.
    assert.equal((request.firstChild?.nextSibling as Element | null)?.localName, "Signature");

    const signature = request.getElementsByTagNameNS(NS.dsig, "Signature")[0];
    assert.ok(signature);
    const verifier = new SignedXml({ publicCert: spCertificate, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signature);
    assert.equal(verifier.checkSignature(xml), true);
    const stranger = new SignedXml({
      publicCert: h.keys.stranger.certificatePem,
      getCertFromKeyInfo: () => null,
    });
    stranger.loadSignature(signature);
    assert.throws(() => stranger.checkSignature(xml));

    const parsed = await h.samlifyIdp({}).parseLoginRequest(await h.samlifySp(), "post", {
      body: { SAMLRequest: encoded },
    });
    assert.equal(parsed.extract.request?.id, request.getAttribute("ID"));
  });
});

describe("SP-initiated login refusals", () => {
  test("without an Identity Provider Login URL the org cannot start a login", async () => {
    await h.configure({ idpLoginUrl: null });
    const res = await h.app.inject({ url: `/saml/login?so=${ORG_ID}` });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Configuration Error\/Perm Disabled/);
  });

  test("another org's id or an unknown site is not found", async () => {
    await h.configure();
    assert.equal((await h.app.inject({ url: "/saml/login?so=00D000000000001" })).statusCode, 404);
    assert.equal((await h.app.inject({ url: `/partners/saml/login?so=${ORG_ID}` })).statusCode, 404);
  });
});
