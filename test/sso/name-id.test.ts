import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { fixedClock } from "../../src/lib/clock.ts";
import { nameIdFormat } from "../../src/saml/urn.ts";
import { assertProblem } from "../support/errors.ts";
import { authnRequestXml, redirectQuery, salesforceRequestId } from "../support/saml-requests.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { cookieJar, createDirectoryUser, createSalesforceConnection, readPostForm } from "../support/sso.ts";

/**
 * NameIDs beyond Salesforce's (issue 7, "Standards that real SPs tripped on"): every format the
 * IdP metadata advertises is one a connection issues when an SP asks for it; TRANSIENT and
 * PSEUDONYM identity mappings make their own identifiers, which `sso test` shows.
 */

const nameIdOf = (xml: string) => {
  const match = /<saml:NameID Format="([^"]+)">([^<]+)<\/saml:NameID>/.exec(xml);
  return { format: match?.[1], value: match?.[2] };
};

const metadataFormats = (xml: string) =>
  [...xml.matchAll(/<md:NameIDFormat>([^<]+)<\/md:NameIDFormat>/g)].map((m) => m[1]);

const ada = { uid: "ada", mail: "ada@acme.example.com" };

/** A connection made by its own identity mapping: no SAML_SUBJECT in its contract at all. */
const ownIdentifiers =
  (id: string, entityId: string, mapping: "TRANSIENT" | "PSEUDONYM") => (c: SpConnection) => {
    c.id = id;
    c.entityId = entityId;
    if (!c.spBrowserSso) return;
    c.spBrowserSso.spSamlIdentityMapping = mapping;
    c.spBrowserSso.attributeContract = { coreAttributes: [], extendedAttributes: [] };
    for (const mapping of c.spBrowserSso.adapterMappings) mapping.attributeContractFulfillment = {};
  };

describe("NameID formats a Salesforce-style (STANDARD) connection issues when asked", () => {
  let server: TestServer;
  const clock = fixedClock("2026-05-04T10:00:00.000Z");
  const browser = cookieJar();
  let n = 0;
  before(async () => {
    server = await startTestServer({ clock });
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
  });
  after(() => server.dispose());

  /** An SP-initiated sign-in asking for `format`; returns the decoded SAML Response. */
  const ask = async (format: string) => {
    const xml = authnRequestXml({
      id: salesforceRequestId(`name-id-${++n}`),
      issueInstant: clock.now(),
      nameIdPolicy: { format },
    });
    const url = `/idp/SSO.saml2?${redirectQuery({ xml, relayState: "/home", sign: {} })}`;
    let page = await server.runtimeApp.inject({ method: "GET", url, headers: { cookie: browser.header() } });
    browser.take(page);
    if (/type="password"/.test(page.body)) {
      page = await server.runtimeApp.inject({
        method: "POST",
        url: "/idp/login",
        headers: { cookie: browser.header(), "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({
          resume: readPostForm(page.body).resume ?? "",
          username: "ada",
          password: "ada-password-1",
        }).toString(),
      });
      browser.take(page);
    }
    return Buffer.from(readPostForm(page.body).samlResponse ?? "", "base64").toString("utf8");
  };

  it("advertises in its metadata exactly the formats it then issues", async () => {
    const metadata = await server.runtimeApp.inject({ method: "GET", url: "/pf/federation_metadata.ping" });
    const advertised = metadataFormats(metadata.body);
    assert.deepEqual(advertised, [
      nameIdFormat.unspecified,
      nameIdFormat.emailAddress,
      nameIdFormat.persistent,
      nameIdFormat.transient,
    ]);
    for (const format of advertised) {
      const response = await ask(format ?? "");
      assert.match(response, /status:Success/, `${format} is refused: ${response.slice(0, 600)}`);
      assert.equal(nameIdOf(response).format, format);
    }
  });

  it("gives the directory's mail for emailAddress, opaque identifiers for persistent and transient", async () => {
    assert.deepEqual(nameIdOf(await ask(nameIdFormat.emailAddress)), {
      format: nameIdFormat.emailAddress,
      value: ada.mail,
    });
    const persistent = nameIdOf(await ask(nameIdFormat.persistent)).value ?? "";
    assert.equal(nameIdOf(await ask(nameIdFormat.persistent)).value, persistent, "persistent is stable");
    const transient = nameIdOf(await ask(nameIdFormat.transient)).value ?? "";
    assert.notEqual(
      nameIdOf(await ask(nameIdFormat.transient)).value,
      transient,
      "transient is new each time",
    );
    for (const opaque of [persistent, transient]) {
      assert.ok(!opaque.includes(ada.uid) && !opaque.includes("acme"), `${opaque} reveals the user`);
    }
  });

  it("answers emailAddress with InvalidNameIDPolicy for a user whose subject is no email address", async () => {
    await createSalesforceConnection(server, (c) => {
      c.id = "by-uid";
      c.entityId = "https://by-uid.my.salesforce.com";
      const rule = c.spBrowserSso?.adapterMappings[0]?.attributeContractFulfillment.SAML_SUBJECT;
      if (rule) rule.value = "uid";
    });
    const xml = authnRequestXml({
      id: salesforceRequestId("by-uid"),
      issueInstant: clock.now(),
      issuer: "https://by-uid.my.salesforce.com",
      nameIdPolicy: { format: nameIdFormat.emailAddress },
    });
    const page = await server.runtimeApp.inject({
      method: "GET",
      url: `/idp/SSO.saml2?${redirectQuery({ xml, sign: {} })}`,
      headers: { cookie: browser.header() },
    });
    const response = Buffer.from(readPostForm(page.body).samlResponse ?? "", "base64").toString("utf8");
    assert.match(response, /status:InvalidNameIDPolicy/);
    assert.doesNotMatch(response, /<saml:Assertion/);
  });
});

describe("TRANSIENT and PSEUDONYM identity mappings", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createSalesforceConnection(
      server,
      ownIdentifiers("transient", "https://transient.example", "TRANSIENT"),
    );
    await createSalesforceConnection(server, ownIdentifiers("pairwise-a", "https://a.example", "PSEUDONYM"));
    await createSalesforceConnection(server, ownIdentifiers("pairwise-b", "https://b.example", "PSEUDONYM"));
  });
  after(() => server.dispose());

  const ssoTest = async (target: TestServer, partnerSpId: string) => {
    const response = await target.request("POST", "/sso/test", { partnerSpId, uid: "ada" });
    assert.equal(response.statusCode, 200, response.body);
    return nameIdOf(response.json().xml as string);
  };

  it("sso test builds a transient NameID, new each time, for a TRANSIENT connection", async () => {
    const first = await ssoTest(server, "https://transient.example");
    const second = await ssoTest(server, "https://transient.example");
    assert.equal(first.format, nameIdFormat.transient);
    assert.notEqual(first.value, second.value);
    assert.ok(!first.value?.includes(ada.uid) && !first.value?.includes("acme"));
  });

  it("gives each SP its own persistent identifier, the same after a restart", async () => {
    const a = await ssoTest(server, "https://a.example");
    const b = await ssoTest(server, "https://b.example");
    assert.equal(a.format, nameIdFormat.persistent);
    assert.notEqual(a.value, b.value, "pairwise: two SPs cannot link the user");
    assert.ok(!a.value?.includes(ada.uid) && !a.value?.includes("acme"));
    assert.equal((await ssoTest(server, "https://a.example")).value, a.value);

    // Another node (or the same after a restart) on the same database computes the same identifier.
    const restarted = await startTestServer({
      databaseUrl: `sqlite:${join(server.dataDir, "portico.db")}`,
      masterKey: server.masterKeyText,
    });
    try {
      assert.equal((await ssoTest(restarted, "https://a.example")).value, a.value);
    } finally {
      await restarted.dispose();
    }
  });

  it("keeps pairwise identifiers through config export and import, and will not overwrite another server's", async () => {
    const before = (await ssoTest(server, "https://a.example")).value;
    const bundle = (await server.request("GET", "/portico/config/export")).json();
    assert.equal(typeof bundle.pairwiseIdSecret, "string");

    const restored = await startTestServer({ masterKey: server.masterKeyText });
    const busy = await startTestServer({ masterKey: server.masterKeyText });
    try {
      const imported = await restored.request("POST", "/portico/config/import", bundle);
      assert.equal(imported.statusCode, 200, imported.body);
      await createDirectoryUser(restored);
      assert.equal((await ssoTest(restored, "https://a.example")).value, before);

      // A server that already handed out pairwise identifiers of its own keeps them.
      await createDirectoryUser(busy);
      await createSalesforceConnection(busy, ownIdentifiers("own", "https://own.example", "PSEUDONYM"));
      const own = (await ssoTest(busy, "https://own.example")).value;
      // (Its own key pair stays too: only the connections and the secret are offered.)
      const refused = await busy.request("POST", "/portico/config/import", {
        ...bundle,
        keyPairs: [],
        defaultSigningKeyId: undefined,
      });
      assertProblem(refused, "CONFIG_NOT_EMPTY");
      assert.match(refused.json().detail, /pairwiseIdSecret/);
      assert.equal((await ssoTest(busy, "https://own.example")).value, own);
      assert.equal(
        (await busy.request("GET", "/idp/spConnections/pairwise-a")).statusCode,
        404,
        "nothing imported",
      );
    } finally {
      await restored.dispose();
      await busy.dispose();
    }
  });

  it("publishes in a connection's metadata only the formats that connection issues", async () => {
    const exported = await server.request("POST", "/connectionMetadata/export", {
      connectionId: "transient",
    });
    assert.deepEqual(metadataFormats(exported.body), [nameIdFormat.transient]);
    const pairwise = await server.request("POST", "/connectionMetadata/export", {
      connectionId: "pairwise-a",
    });
    assert.deepEqual(metadataFormats(pairwise.body), [nameIdFormat.persistent, nameIdFormat.transient]);
  });
});
