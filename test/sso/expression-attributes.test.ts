import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

/** Attribute contract fulfillment from expressions, through the real SSO path. */

const ognl = "#this.get('uid').substring(0,8)";

const withAttributes = (connection: SpConnection, sources: Record<string, string>) => {
  const sso = connection.spBrowserSso;
  const mapping = sso?.adapterMappings[0];
  if (!sso || !mapping) throw new Error("the template has browser SSO");
  sso.attributeContract.extendedAttributes = Object.keys(sources).map((name) => ({ name }));
  for (const [name, value] of Object.entries(sources))
    mapping.attributeContractFulfillment[name] = { source: { type: "EXPRESSION" }, value };
};

describe("EXPRESSION sources in attribute contract fulfillment", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server, {
      uid: "ada",
      password: "ada-password-1",
      mail: "Ada.Lovelace@Acme.example.com",
      givenName: "Ada",
      sn: "Lovelace",
    });
    for (const cn of ["sales", "support"]) {
      const group = await server.request("POST", "/directory/groups", { cn, members: ["ada"] });
      assert.equal(group.statusCode, 201, group.body);
    }
    await createSalesforceConnection(server, (connection) => {
      const subject = connection.spBrowserSso?.adapterMappings[0]?.attributeContractFulfillment.SAML_SUBJECT;
      if (subject) Object.assign(subject, { source: { type: "EXPRESSION" }, value: "Lower([mail])" });
      withAttributes(connection, {
        Alias: "Left([givenName], 1) & Left([sn], 7)",
        Groups: "Upper([memberOf])",
        Title: 'Coalesce([title], "Staff")',
        Nothing: "[title]",
        Since: 'FormatDate([hireDate], "yyyy-MM-dd", "yyyy")',
      });
    });
  });
  after(() => server.dispose());

  it("fills the NameID and the attributes from the signing-in user's directory attributes", async () => {
    const jar = cookieJar();
    const runtime = (method: "GET" | "POST", url: string, form?: Record<string, string>) =>
      browserInject(server.runtimeApp, jar, { method, url, form });
    const login = await runtime("GET", `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`);
    const { resume } = readPostForm(login.body);
    const posted = await runtime("POST", "/idp/login", {
      resume: resume ?? "",
      username: "ada",
      password: "ada-password-1",
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const xml = Buffer.from(readPostForm(posted.body).samlResponse ?? "", "base64").toString("utf8");
    assert.match(xml, /<saml:NameID[^>]*>ada\.lovelace@acme\.example\.com<\/saml:NameID>/);
    const values = (name: string) =>
      [
        ...(
          new RegExp(`<saml:Attribute Name="${name}"[^>]*>([\\s\\S]*?)</saml:Attribute>`).exec(xml)?.[1] ?? ""
        ).matchAll(/<saml:AttributeValue[^>]*>([^<]*)<\/saml:AttributeValue>/g),
      ].map((m) => m[1]);
    assert.deepEqual(values("Alias"), ["ALovelac"]);
    assert.deepEqual(
      values("Groups").sort(),
      ["SALES", "SUPPORT"],
      "a multi-valued attribute stays multi-valued",
    );
    assert.deepEqual(values("Title"), ["Staff"]);
    assert.doesNotMatch(xml, /Name="Nothing"/, "an expression with no value sends no attribute");
  });

  it("a user an expression fails for gets the error page with its code, and no assertion", async () => {
    await createDirectoryUser(server, {
      uid: "bob",
      password: "bob-password-1",
      mail: "bob@acme.example.com",
      sn: "Babbage",
      hireDate: "2024-13-01",
    });
    const jar = cookieJar();
    const runtime = (method: "GET" | "POST", url: string, form?: Record<string, string>) =>
      browserInject(server.runtimeApp, jar, { method, url, form });
    const login = await runtime("GET", `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`);
    const { resume } = readPostForm(login.body);
    const posted = await runtime("POST", "/idp/login", {
      resume: resume ?? "",
      username: "bob",
      password: "bob-password-1",
    });
    assert.equal(posted.statusCode, 422, posted.body);
    assert.match(posted.body, /\(EXPR_ARGUMENT_INVALID\)/);
    assert.doesNotMatch(posted.body, /SAMLResponse/);
  });

  it("sso test shows the same values", async () => {
    const tested = await server.request("POST", "/sso/test", { partnerSpId: spEntityId, uid: "ada" });
    assert.equal(tested.statusCode, 200, tested.body);
    assert.match(tested.body, /ada\.lovelace@acme\.example\.com/);
    assert.match(tested.body, /ALovelac/);
  });

  it("keeps PingFederate's OGNL as sent on an inactive connection, and refuses to activate it", async () => {
    const document = (await server.request("GET", "/idp/spConnections/salesforce")).json() as SpConnection;
    const copy: SpConnection = {
      ...document,
      id: "from-pingfederate",
      entityId: "https://pf-export.example.com",
      name: "From PingFederate",
      active: false,
    };
    withAttributes(copy, { Alias: ognl });
    const created = await server.request("POST", "/idp/spConnections", copy);
    assert.equal(created.statusCode, 201, created.body);
    const stored = (
      await server.request("GET", "/idp/spConnections/from-pingfederate")
    ).json() as SpConnection;
    assert.deepEqual(stored.spBrowserSso?.adapterMappings[0]?.attributeContractFulfillment.Alias, {
      source: { type: "EXPRESSION" },
      value: ognl,
    });

    const activated = await server.request("PUT", "/idp/spConnections/from-pingfederate", {
      ...stored,
      active: true,
    });
    const problem = assertProblem(activated, "CONN_INVALID", 422);
    assert.match(
      problem.detail,
      /spBrowserSso\.adapterMappings\[0\]\.attributeContractFulfillment\.Alias\.value: EXPR_SYNTAX unexpected character "#" \(a PingFederate OGNL expression\? Rewrite it in Portico's language: docs\/expressions\.md\) at line 1, column 1; the connection cannot be active until the expression is rewritten/,
    );
    const still = (
      await server.request("GET", "/idp/spConnections/from-pingfederate")
    ).json() as SpConnection;
    assert.equal(still.active, false);

    withAttributes(stored, { Alias: "Left([uid], 8)" });
    const rewritten = await server.request("PUT", "/idp/spConnections/from-pingfederate", {
      ...stored,
      active: true,
    });
    assert.equal(rewritten.statusCode, 200, rewritten.body);
  });
});
