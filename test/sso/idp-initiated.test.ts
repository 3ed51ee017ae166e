import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  communityAcs,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  orgAcs,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

describe("IdP-initiated SSO at /idp/startSSO.ping", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  const runtime = (
    method: "GET" | "POST",
    url: string,
    jar: ReturnType<typeof cookieJar>,
    form?: Record<string, string>,
  ) => browserInject(server.runtimeApp, jar, { method, url, form });

  it("asks an anonymous browser to sign in, then posts a signed response to the default ACS", async () => {
    const jar = cookieJar();
    const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}&TargetResource=${encodeURIComponent("/lightning/page/home")}`;
    const login = await runtime("GET", start, jar);
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /<input type="password" id="password" name="password"/);
    assert.match(login.body, /<label for="username">/);
    const { resume } = readPostForm(login.body);
    assert.ok(resume, "the form carries the sealed SSO request");

    const wrong = await runtime("POST", "/idp/login", jar, { resume, username: "ada", password: "nope" });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /role="alert"/);
    assert.match(wrong.body, /The username or password is incorrect/);

    const posted = await runtime("POST", "/idp/login", jar, {
      resume,
      username: "ada",
      password: "ada-password-1",
    });
    jar.take(posted);
    assert.equal(posted.statusCode, 200, posted.body);
    const form = readPostForm(posted.body);
    assert.equal(form.action, orgAcs);
    assert.equal(form.relayState, "/lightning/page/home", "TargetResource becomes RelayState");
    const xml = Buffer.from(form.samlResponse ?? "", "base64").toString("utf8");
    assert.match(xml, /<saml:NameID[^>]*>ada@acme\.example\.com<\/saml:NameID>/);
    assert.match(xml, new RegExp(`Destination="${orgAcs.replace(/[?.]/g, "\\$&")}"`));
    assert.doesNotMatch(xml, /InResponseTo=/, "unsolicited responses carry no InResponseTo");
    assert.match(
      String(posted.headers["content-security-policy"]),
      /form-action https:\/\/acme\.my\.salesforce\.com\/(;|$)/,
    );
    assert.match(posted.body, /<button type="submit">Continue<\/button>/, "works without JavaScript");
    const cookie = posted.cookies.find((c) => c.name === "PORTICO_SSO");
    assert.ok(cookie?.httpOnly, "the session cookie is HttpOnly");
    assert.equal(cookie?.secure, true, "Secure on an https base URL");
    assert.equal(cookie?.sameSite, "None", "SameSite=None so a cross-site POSTed AuthnRequest carries it");
  });

  it("reuses the SSO session without asking again", async () => {
    const jar = cookieJar();
    const login = await runtime(
      "GET",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
      jar,
    );
    const { resume } = readPostForm(login.body);
    jar.take(
      await runtime("POST", "/idp/login", jar, {
        resume: resume ?? "",
        username: "ada",
        password: "ada-password-1",
      }),
    );
    const again = await runtime(
      "GET",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
      jar,
    );
    assert.equal(again.statusCode, 200);
    assert.ok(readPostForm(again.body).samlResponse, "straight to the SP");
  });

  it("posts to the community ACS when the admin made it the default", async () => {
    const connection = (await server.request("GET", "/idp/spConnections/salesforce")).json();
    for (const e of connection.spBrowserSso.ssoServiceEndpoints) e.isDefault = e.index === 1;
    assert.equal((await server.request("PUT", "/idp/spConnections/salesforce", connection)).statusCode, 200);
    const jar = cookieJar();
    const login = await runtime(
      "GET",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
      jar,
    );
    const posted = await runtime("POST", "/idp/login", jar, {
      resume: readPostForm(login.body).resume ?? "",
      username: "ada",
      password: "ada-password-1",
    });
    assert.equal(readPostForm(posted.body).action, communityAcs);
  });

  const refusals: [string, string, number, string][] = [
    [
      "an unknown partner",
      "/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Fevil.example",
      400,
      "SAML_SP_UNKNOWN",
    ],
    ["no partner at all", "/idp/startSSO.ping", 400, "SAML_MESSAGE_INVALID"],
    [
      "a repeated PartnerSpId",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}&PartnerSpId=x`,
      400,
      "SAML_BINDING_INVALID",
    ],
  ];
  for (const [name, url, status, code] of refusals) {
    it(`shows an error page with a correlation id for ${name}, and never redirects`, async () => {
      const response = await runtime("GET", url, cookieJar());
      assert.equal(response.statusCode, status);
      assert.equal(response.headers.location, undefined);
      assert.match(response.body, new RegExp(code));
      assert.match(response.body, /give them this reference: <code>[A-Za-z0-9]+<\/code>/);
      assert.doesNotMatch(response.body, /<form/);
    });
  }

  it("refuses an inactive connection", async () => {
    const connection = (await server.request("GET", "/idp/spConnections/salesforce")).json();
    connection.active = false;
    await server.request("PUT", "/idp/spConnections/salesforce", connection);
    const response = await runtime(
      "GET",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
      cookieJar(),
    );
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /SAML_SP_INACTIVE/);
    connection.active = true;
    await server.request("PUT", "/idp/spConnections/salesforce", connection);
  });

  it("does not let a disabled user sign in", async () => {
    await createDirectoryUser(server, {
      uid: "bob",
      password: "bob-password-1",
      mail: "bob@acme.example.com",
      enabled: false,
    });
    const jar = cookieJar();
    const login = await runtime(
      "GET",
      `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
      jar,
    );
    const posted = await runtime("POST", "/idp/login", jar, {
      resume: readPostForm(login.body).resume ?? "",
      username: "bob",
      password: "bob-password-1",
    });
    assert.equal(posted.statusCode, 401);
    assert.doesNotMatch(posted.body, /SAMLResponse/);
  });
});
