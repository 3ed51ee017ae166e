import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fixedClock } from "../../src/lib/clock.ts";
import { attributeCacheTtlMs } from "../../src/services/sso/attribute-sources.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { baseDn, type Slapd, serviceDn, servicePassword, startSlapd, userDn } from "../support/slapd.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

/**
 * An LDAP attribute source fills assertion attributes at SSO time: a built-in directory user
 * signs in, and the connection looks their title up in slapd by `(uid=${uid})`, through a short
 * cache.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
const byUid = "(&(objectClass=inetOrgPerson)(uid=${uid}))";

describe("LDAP attribute sources at SSO (slapd)", () => {
  let slapd: Slapd;
  let server: TestServer;
  const clock = fixedClock("2026-03-02T09:00:00.000Z");
  const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;

  const setTitle = (title: string) =>
    slapd.modify(`dn: ${userDn("ada")}\nchangetype: modify\nreplace: title\ntitle: ${title}\n`);

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    await setTitle("Countess");
    server = await startTestServer({ clock });
    const store = await server.request("POST", "/dataStores", {
      type: "LDAP",
      id: "corp",
      name: "Corporate",
      ldapType: "GENERIC",
      hostnames: [slapd.hostname],
      userDN: serviceDn,
      password: servicePassword,
    });
    assert.equal(store.statusCode, 201, store.body);
    await createDirectoryUser(server);
    await createSalesforceConnection(server, (c) => {
      const sso = c.spBrowserSso;
      const mapping = sso?.adapterMappings[0];
      if (!sso || !mapping) throw new Error("no browser SSO");
      mapping.attributeSources = [
        {
          type: "LDAP",
          id: "corpDirectory",
          description: "Corporate directory",
          dataStoreRef: { id: "corp" },
          baseDn: `ou=people,${baseDn}`,
          searchScope: "SUBTREE",
          searchFilter: byUid,
          searchAttributes: ["Subject DN", "title"],
        },
      ];
      sso.attributeContract.extendedAttributes = [{ name: "title" }, { name: "directoryDn" }];
      mapping.attributeContractFulfillment.title = {
        source: { type: "LDAP_DATA_STORE", id: "corpDirectory" },
        value: "title",
      };
      mapping.attributeContractFulfillment.directoryDn = {
        source: { type: "LDAP_DATA_STORE", id: "corpDirectory" },
        value: "Subject DN",
      };
    });
  });
  after(async () => {
    await server?.dispose();
    await slapd?.dispose();
  });

  const jar = cookieJar();
  const sso = async (): Promise<string> => {
    const page = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    let html = page.body;
    const { resume } = readPostForm(html);
    if (resume) {
      const posted = await browserInject(server.runtimeApp, jar, {
        method: "POST",
        url: "/idp/login",
        form: { resume, username: "ada", password: "ada-password-1" },
      });
      assert.equal(posted.statusCode, 200, posted.body);
      html = posted.body;
    }
    return Buffer.from(readPostForm(html).samlResponse ?? "", "base64").toString("utf8");
  };
  const attributeValue = (xml: string, name: string) =>
    new RegExp(`Name="${name}"[^>]*>\\s*<saml:AttributeValue[^>]*>([^<]*)<`).exec(xml)?.[1];

  it("fills attributes from the directory entry that the filter finds for the subject", async () => {
    const xml = await sso();
    assert.equal(attributeValue(xml, "title"), "Countess");
    assert.equal(attributeValue(xml, "directoryDn"), userDn("ada"));
  });

  it("answers from its cache for a short while, then reads the directory again", async () => {
    await setTitle("Analyst");
    assert.equal(attributeValue(await sso(), "title"), "Countess", "within the cache's lifetime");
    clock.advance(attributeCacheTtlMs + 1000);
    assert.equal(attributeValue(await sso(), "title"), "Analyst", "after it");
  });

  it("sends no value, and no error, for a subject the source does not find", async () => {
    await slapd.modify(
      `dn: ${userDn("ada")}\nchangetype: modrdn\nnewrdn: uid=ada-renamed\ndeleteoldrdn: 1\n`,
    );
    clock.advance(attributeCacheTtlMs + 1000);
    const xml = await sso();
    assert.ok(xml.includes("<saml:NameID"), "an assertion is still issued");
    assert.equal(attributeValue(xml, "title"), undefined);
  });
});
