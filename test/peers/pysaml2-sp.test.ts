import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { generateSigningKeyPair } from "../../src/crypto/keys.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { nameIdFormat } from "../../src/saml/urn.ts";
import { type Pysaml2, type Pysaml2Sp, startPysaml2 } from "../support/pysaml2.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { cookieJar, createDirectoryUser, readPostForm } from "../support/sso.ts";

/**
 * pysaml2, a service provider nobody here wrote, signs in and out through Portico (issue 7,
 * "Standards that real SPs tripped on"). It publishes metadata as real SPs do — WantAssertionsSigned,
 * a NameIDFormat, an HTTP-Artifact ACS beside the HTTP-POST one — which Portico converts and
 * stores; it asks for NameID formats in its AuthnRequests; and it checks each Response with its
 * own rules (both signatures required, by default) against Portico's published metadata.
 */

const user = { uid: "ada", password: "ada-password-1", mail: "ada@acme.example.com" };

type Browser = ReturnType<typeof cookieJar>;

/** An SP in the pysaml2 process, and its connection in Portico converted from the SP's metadata. */
const setUpSp = async (
  server: TestServer,
  pysaml2: Pysaml2,
  name: string,
  nameIdFormats: readonly string[],
) => {
  const base = `https://${name}.example.org`;
  const keys = await generateSigningKeyPair({
    keyAlgorithm: "RSA",
    subjectDn: `CN=${name}, O=Portico peer tests`,
    validDays: 2,
    now: new Date(),
  });
  const idpMetadata = (await server.runtimeApp.inject({ method: "GET", url: "/pf/federation_metadata.ping" }))
    .body;
  const sp = await pysaml2.configure({
    entityId: `${base}/sp`,
    acsUrl: `${base}/acs/post`,
    artifactAcsUrl: `${base}/acs/artifact`,
    sloUrl: `${base}/slo`,
    certPem: keys.certificatePem,
    keyPem: keys.privateKeyPem,
    nameIdFormats,
    idpMetadata,
  });
  const converted = await server.request("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: Buffer.from(sp.metadata).toString("base64"),
    templateId: "salesforce-provisioner",
  });
  assert.equal(converted.statusCode, 200, converted.body);
  const connection = converted.json().connection as SpConnection;
  connection.id = name;
  connection.active = true;
  const created = await server.request("POST", "/idp/spConnections", connection);
  assert.equal(created.statusCode, 201, created.body);
  return {
    sp,
    acsUrl: `${base}/acs/post`,
    converted: converted.json() as { connection: SpConnection; warnings?: string[] },
  };
};

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

const get = async (server: TestServer, browser: Browser, url: string): Promise<LightMyRequestResponse> => {
  const response = await server.runtimeApp.inject({
    method: "GET",
    url: pathOf(url),
    headers: { cookie: browser.header() },
  });
  browser.take(response);
  return response;
};

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Fills in Portico's sign-in form as a browser would: every hidden field, plus the credentials. */
const signIn = async (
  server: TestServer,
  browser: Browser,
  form: string,
): Promise<LightMyRequestResponse> => {
  const fields = new URLSearchParams();
  for (const [, name = "", value = ""] of form.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
  )) {
    fields.set(name, unescapeHtml(value));
  }
  fields.set("username", user.uid);
  fields.set("password", user.password);
  const response = await server.runtimeApp.inject({
    method: "POST",
    url: "/idp/login",
    headers: { cookie: browser.header(), "content-type": "application/x-www-form-urlencoded" },
    payload: fields.toString(),
  });
  browser.take(response);
  return response;
};

/** Follows a page to the auto-POST form, signing in when asked; returns the form's fields. */
const toAcs = async (server: TestServer, browser: Browser, page: LightMyRequestResponse) => {
  const answered = /type="password"/.test(page.body) ? await signIn(server, browser, page.body) : page;
  const form = readPostForm(answered.body);
  assert.ok(
    form.samlResponse,
    `no SAMLResponse form: ${answered.statusCode} ${/role="alert">([^<]*)/.exec(answered.body)?.[1] ?? answered.body.slice(0, 400)}`,
  );
  return form;
};

/** SP-initiated: pysaml2's AuthnRequest, through Portico, to pysaml2's ACS. */
const spInitiated = async (server: TestServer, sp: Pysaml2Sp, browser: Browser, requested: string | null) => {
  const request = await sp.authn({ nameIdFormat: requested, relayState: "/after" });
  const form = await toAcs(server, browser, await get(server, browser, request.url));
  return {
    form,
    result: await sp.acs({ samlResponse: form.samlResponse ?? "", requestId: request.requestId }),
  };
};

const startSso = (sp: Pysaml2Sp) =>
  `https://idp.example.com/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(sp.entityId)}`;

const idpInitiated = async (server: TestServer, sp: Pysaml2Sp, browser: Browser) => {
  const page = await get(server, browser, startSso(sp));
  const form = await toAcs(server, browser, page);
  return sp.acs({ samlResponse: form.samlResponse ?? "", requestId: null });
};

const ok = (result: Awaited<ReturnType<Pysaml2Sp["acs"]>>) => {
  assert.ok(result.ok, `pysaml2 refused the Response: ${result.ok ? "" : result.error}`);
  return result;
};

const revealsNothing = (value: string) => {
  for (const known of [user.uid, user.mail, "Lovelace"]) {
    assert.ok(!value.toLowerCase().includes(known.toLowerCase()), `${value} reveals ${known}`);
  }
};

let server: TestServer;
let pysaml2: Pysaml2;
before(async () => {
  pysaml2 = startPysaml2();
  server = await startTestServer({ env: { PORTICO_BASE_URL: "https://idp.example.com" } });
  await createDirectoryUser(server, { ...user, givenName: "Ada", sn: "Lovelace" });
});
after(async () => {
  await pysaml2?.close();
  await server?.dispose();
});

describe("pysaml2 as an SP whose metadata wants signed assertions and emailAddress", () => {
  let setUp: Awaited<ReturnType<typeof setUpSp>>;
  /** Signed in once (a password costs time); the logout tests come last. */
  const browser = cookieJar();
  before(async () => {
    setUp = await setUpSp(server, pysaml2, "pysaml2", [nameIdFormat.emailAddress, nameIdFormat.transient]);
  });

  it("converts its metadata: assertions signed, the SP's NameIDFormat, the ARTIFACT ACS dropped with a warning", () => {
    const { connection, warnings } = setUp.converted;
    const sso = connection.spBrowserSso;
    assert.equal(sso?.signAssertions, true, "WantAssertionsSigned=true");
    assert.equal(sso?.signResponseAsRequired, true, "the Response stays signed too");
    assert.equal(sso?.spSamlIdentityMapping, "STANDARD");
    assert.equal(
      sso?.attributeContract.coreAttributes?.find((a) => a.name === "SAML_SUBJECT")?.nameFormat,
      nameIdFormat.emailAddress,
    );
    assert.deepEqual(
      sso?.ssoServiceEndpoints.map((e) => [e.binding, e.url, e.isDefault]),
      [["POST", setUp.acsUrl, true]],
    );
    assert.ok(
      (warnings ?? []).some(
        (w) => w.includes("https://pysaml2.example.org/acs/artifact") && /HTTP-Artifact/.test(w),
      ),
      `a warning names the dropped endpoint: ${JSON.stringify(warnings)}`,
    );
  });

  it("IdP-initiated: pysaml2 accepts the Response, both signatures checked, the mail as an emailAddress NameID", async () => {
    const result = ok(await idpInitiated(server, setUp.sp, browser));
    assert.equal(result.assertionSigned, true);
    assert.equal(result.responseSigned, true);
    assert.equal(result.nameId, user.mail);
    assert.equal(result.nameIdFormat, nameIdFormat.emailAddress);
  });

  it("SP-initiated asking for emailAddress gets the mail", async () => {
    const { form, result } = await spInitiated(server, setUp.sp, browser, nameIdFormat.emailAddress);
    assert.equal(form.relayState, "/after");
    const accepted = ok(result);
    assert.equal(accepted.nameId, user.mail);
    assert.equal(accepted.nameIdFormat, nameIdFormat.emailAddress);
  });

  it("asking for transient gets a fresh opaque NameID in every assertion", async () => {
    const first = ok((await spInitiated(server, setUp.sp, browser, nameIdFormat.transient)).result);
    const second = ok((await spInitiated(server, setUp.sp, browser, nameIdFormat.transient)).result);
    assert.equal(first.nameIdFormat, nameIdFormat.transient);
    assert.equal(second.nameIdFormat, nameIdFormat.transient);
    assert.notEqual(first.nameId, second.nameId);
    revealsNothing(first.nameId);
  });

  it("asking for persistent gets the same opaque NameID every time", async () => {
    const first = ok((await spInitiated(server, setUp.sp, browser, nameIdFormat.persistent)).result);
    const second = ok((await spInitiated(server, setUp.sp, browser, nameIdFormat.persistent)).result);
    assert.equal(first.nameIdFormat, nameIdFormat.persistent);
    assert.equal(first.nameId, second.nameId);
    revealsNothing(first.nameId);
  });

  it("answers a format it cannot issue with InvalidNameIDPolicy, which pysaml2 reads", async () => {
    const request = await setUp.sp.authn({ nameIdFormat: nameIdFormat.kerberos });
    const form = readPostForm((await get(server, browser, request.url)).body);
    const result = await setUp.sp.acs({
      samlResponse: form.samlResponse ?? "",
      requestId: request.requestId,
    });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error, /InvalidNameI[dD]Policy/);
  });

  it("single logout from pysaml2 with a transient NameID ends the Portico session", async () => {
    const signedIn = ok((await spInitiated(server, setUp.sp, browser, nameIdFormat.transient)).result);
    const { url } = await setUp.sp.logout({ nameId: signedIn.nameId });
    const answered = await get(server, browser, url);
    assert.equal(answered.statusCode, 302, /role="alert">([^<]*)/.exec(answered.body)?.[1] ?? answered.body);
    const location = new URL(String(answered.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, "https://pysaml2.example.org/slo");
    const status = await setUp.sp.logoutResponse({
      samlResponse: location.searchParams.get("SAMLResponse") ?? "",
    });
    assert.ok(status.ok, `LogoutResponse status ${status.status}`);
    const again = await get(server, browser, startSso(setUp.sp));
    assert.match(again.body, /type="password"/, "signed out of Portico: the password is asked again");
  });

  it("IdP-initiated single logout names the transient NameID pysaml2 holds", async () => {
    const signedIn = ok((await spInitiated(server, setUp.sp, browser, nameIdFormat.transient)).result);
    const started = await get(server, browser, "https://idp.example.com/idp/startSLO.ping");
    assert.equal(started.statusCode, 302, started.body.slice(0, 300));
    const location = new URL(String(started.headers.location));
    const status = await setUp.sp.logoutRequest({
      samlRequest: location.searchParams.get("SAMLRequest") ?? "",
      nameId: signedIn.nameId,
    });
    assert.ok(status.ok, `pysaml2 answered ${status.status}`);
  });
});

describe("pysaml2 as an SP that asks for transient NameIDs only, as stock mellon does", () => {
  let setUp: Awaited<ReturnType<typeof setUpSp>>;
  before(async () => {
    setUp = await setUpSp(server, pysaml2, "mellon-like", [nameIdFormat.transient]);
  });

  it("converts to a TRANSIENT identity mapping, and IdP-initiated SSO sends a transient NameID", async () => {
    assert.equal(setUp.converted.connection.spBrowserSso?.spSamlIdentityMapping, "TRANSIENT");
    const result = ok(await idpInitiated(server, setUp.sp, cookieJar()));
    assert.equal(result.nameIdFormat, nameIdFormat.transient);
    revealsNothing(result.nameId);
  });

  it("does not give out the mail when the SP asks for emailAddress: InvalidNameIDPolicy", async () => {
    const request = await setUp.sp.authn({ nameIdFormat: nameIdFormat.emailAddress });
    const form = readPostForm((await get(server, cookieJar(), request.url)).body);
    const result = await setUp.sp.acs({
      samlResponse: form.samlResponse ?? "",
      requestId: request.requestId,
    });
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.error, /InvalidNameI[dD]Policy/);
  });
});
