import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import {
  authnRequestXml,
  redirectQuery,
  salesforceRequestId,
  salesforceSp,
} from "../support/saml-requests.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  submitSignInForm,
} from "../support/sso.ts";

describe("SP-initiated SSO at /idp/SSO.saml2", () => {
  let server: TestServer;
  const clock = fixedClock("2026-05-04T10:00:00.000Z");
  let n = 0;
  before(async () => {
    server = await startTestServer({ clock });
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  const request = (
    options: { forceAuthn?: boolean; isPassive?: boolean; acsIndex?: number; relayState?: string } = {},
  ) => {
    const id = salesforceRequestId(`sp-initiated-${++n}`);
    const xml = authnRequestXml({
      id,
      issueInstant: clock.now(),
      ...(options.forceAuthn === undefined ? {} : { forceAuthn: options.forceAuthn }),
      ...(options.isPassive === undefined ? {} : { isPassive: options.isPassive }),
      ...(options.acsIndex === undefined ? {} : { acsIndex: options.acsIndex }),
    });
    const query = redirectQuery({ xml, relayState: options.relayState ?? "/001/o", sign: {} });
    return { id, url: `/idp/SSO.saml2?${query}` };
  };
  const get = (url: string, jar: ReturnType<typeof cookieJar>) =>
    browserInject(server.runtimeApp, jar, { method: "GET", url });
  const signIn = (jar: ReturnType<typeof cookieJar>, loginBody: string) =>
    submitSignInForm(server.runtimeApp, jar, loginBody, "ada", "ada-password-1");
  const decoded = (body: string) =>
    Buffer.from(readPostForm(body).samlResponse ?? "", "base64").toString("utf8");

  it("answers Salesforce's signed Redirect request (300-character ID) at its ACS, echoing RelayState", async () => {
    const jar = cookieJar();
    const { id, url } = request({ relayState: "/001/o" });
    assert.equal(id.length, 300);
    const login = await get(url, jar);
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /type="password"/);
    const posted = await signIn(jar, login.body);
    const form = readPostForm(posted.body);
    assert.equal(form.action, salesforceSp.acsUrl);
    assert.equal(form.relayState, "/001/o");
    const xml = decoded(posted.body);
    assert.ok(
      xml.includes(`InResponseTo="${id}"`),
      "InResponseTo on the Response and SubjectConfirmationData",
    );
    assert.equal(xml.split(`InResponseTo="${id}"`).length - 1, 2);
  });

  it("uses the existing session, but asks again on ForceAuthn", async () => {
    const jar = cookieJar();
    const first = request();
    await signIn(jar, (await get(first.url, jar)).body);
    const again = await get(request().url, jar);
    assert.ok(readPostForm(again.body).samlResponse, "no password the second time");
    const forced = await get(request({ forceAuthn: true }).url, jar);
    assert.match(forced.body, /type="password"/, "ForceAuthn: sign in again");
  });

  it("answers IsPassive without a session with NoPassive, and with one by signing in silently", async () => {
    const passive = await get(request({ isPassive: true }).url, cookieJar());
    const xml = decoded(passive.body);
    assert.match(xml, /urn:oasis:names:tc:SAML:2\.0:status:NoPassive/);
    assert.doesNotMatch(xml, /<saml:Assertion/);
    assert.doesNotMatch(passive.body, /type="password"/, "IsPassive never shows the form");

    const jar = cookieJar();
    await signIn(jar, (await get(request().url, jar)).body);
    const silent = await get(request({ isPassive: true }).url, jar);
    assert.match(decoded(silent.body), /status:Success/);
  });

  it("picks the ACS by index, and refuses a replayed request", async () => {
    const jar = cookieJar();
    await signIn(jar, (await get(request().url, jar)).body);
    const byIndex = await get(request({ acsIndex: 1 }).url, jar);
    assert.equal(readPostForm(byIndex.body).action, salesforceSp.siteAcsUrl);
    const once = request();
    await get(once.url, jar);
    const replay = await get(once.url, jar);
    assert.equal(replay.statusCode, 400);
    assert.match(replay.body, /\(SAML_REPLAY\)/);
  });

  it("refuses a POST whose fields are not form fields (a JSON body) with the binding's code", async () => {
    const response = await server.runtimeApp.inject({
      method: "POST",
      url: "/idp/SSO.saml2",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ SAMLRequest: { nested: "object" } }),
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /\(SAML_BINDING_INVALID\)/);
    assert.match(response.body, /SAMLRequest is not a form field/);
  });

  it("logs requests by path only: no SAML message, RelayState or cookie in the log", () => {
    const logs = server.logs();
    assert.match(logs, /"path":"\/idp\/SSO\.saml2"/, "the SSO requests were logged");
    for (const secret of ["SAMLRequest=", "RelayState=", "SAMLResponse", "ada-password-1", "PORTICO_SSO="]) {
      assert.ok(!logs.includes(secret), `the log holds ${secret}`);
    }
  });
});
