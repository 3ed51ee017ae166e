import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { assertProblem } from "../support/errors.ts";
import { ldapStore } from "../support/ldap-channel.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { baseDn, type Slapd, startSlapd, userDn } from "../support/slapd.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

/**
 * `sso test` for a user who signs in through an LDAP credential validator (a real slapd): the
 * user is found as the sign-in form finds them, through its validators in order and without a
 * password, the result names the validator and data store that found them, and the assertion
 * is built as at SSO, with the connection's LDAP attribute sources, from the mapping that
 * applies. And LDAP sign-in survives a configuration export and import.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder, not a template
const byUid = "(uid=${uid})";

type Search = { validator: string; outcome: string; code: string | null };
type Result = {
  user: string;
  foundBy: { validator: string; name: string; dataStore: { id: string; name: string } | null };
  searched: Search[];
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  summary: { assertion: { nameId: string; attributes: { name: string; values: string[] }[] } | null };
};

const credentialValidators = (ids: string[]) => ({
  configuration: {
    tables: [
      {
        name: "Credential Validators",
        rows: ids.map((value) => ({ fields: [{ name: "Password Credential Validator Instance", value }] })),
      },
    ],
  },
});

const ldapValidator = (id: string, name: string, dataStore: string) => ({
  id,
  name,
  pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
  configuration: {
    fields: [
      { name: "LDAP Datastore", value: dataStore },
      { name: "Search Base", value: `ou=people,${baseDn}` },
      { name: "Search Filter", value: `(&(objectClass=inetOrgPerson)(uid=${usernamePlaceholder}))` },
    ],
  },
});

/** The Salesforce template's mapping plus `title`, from an LDAP attribute source on "corp". */
const withTitleSource = (c: SpConnection) => {
  const sso = c.spBrowserSso;
  const mapping = sso?.adapterMappings[0];
  if (!sso || !mapping) throw new Error("no browser SSO");
  sso.attributeContract.extendedAttributes = [
    ...(sso.attributeContract.extendedAttributes ?? []),
    { name: "title" },
  ];
  mapping.attributeSources = [
    {
      type: "LDAP",
      id: "people",
      dataStoreRef: { id: "corp" },
      baseDn: `ou=people,${baseDn}`,
      searchScope: "SUBTREE",
      searchFilter: byUid,
      searchAttributes: ["title"],
    },
  ];
  mapping.attributeContractFulfillment.title = {
    source: { type: "LDAP_DATA_STORE", id: "people" },
    value: "title",
  };
  return mapping;
};

describe("sso test for users of LDAP credential validators (slapd)", () => {
  let slapd: Slapd;
  let server: TestServer;

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    await slapd.modify(`dn: ${userDn("ada")}\nchangetype: modify\nreplace: title\ntitle: Countess\n`);
    await slapd.modify(
      `dn: ${userDn("bob")}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
    );
    server = await startTestServer();
    const store = await server.request("POST", "/dataStores", {
      ...ldapStore(slapd),
      name: "Corporate",
      useStartTLS: true,
      trustedCAs: [slapd.caPem],
    });
    assert.equal(store.statusCode, 201, store.body);
    const validator = await server.request(
      "POST",
      "/passwordCredentialValidators",
      ldapValidator("corpLdap", "Corporate LDAP", "corp"),
    );
    assert.equal(validator.statusCode, 201, validator.body);
    // A second directory that does not answer, asked first.
    const dead = await server.request("POST", "/dataStores", {
      type: "LDAP",
      id: "dead",
      name: "Decommissioned",
      ldapType: "GENERIC",
      hostnames: ["127.0.0.1:1"],
      bindAnonymously: true,
    });
    assert.equal(dead.statusCode, 201, dead.body);
    const deadValidator = await server.request(
      "POST",
      "/passwordCredentialValidators",
      ldapValidator("deadLdap", "Old LDAP", "dead"),
    );
    assert.equal(deadValidator.statusCode, 201, deadValidator.body);
    const form = await server.request(
      "PUT",
      "/idp/adapters/htmlform",
      credentialValidators(["corpLdap", "PorticoDirectory"]),
    );
    assert.equal(form.statusCode, 200, form.body);
    await createDirectoryUser(server, {
      uid: "zoe",
      password: "zoe-password-1",
      mail: "zoe@builtin.example.com",
      givenName: "Zoe",
      sn: "Builtin",
    });
    await createSalesforceConnection(server, withTitleSource);
  });
  after(async () => {
    await server?.dispose();
    await slapd?.dispose();
  });

  const ssoTest = async (target: TestServer, uid: string, partnerSpId = spEntityId) =>
    target.request("POST", "/sso/test", { partnerSpId, uid });
  const passing = async (target: TestServer, uid: string, partnerSpId = spEntityId): Promise<Result> => {
    const response = await ssoTest(target, uid, partnerSpId);
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as Result;
    assert.deepEqual(
      result.checks.filter((c) => !c.ok),
      [],
    );
    return result;
  };
  const attribute = (result: Result, name: string) =>
    result.summary.assertion?.attributes.find((a) => a.name === name)?.values;

  it("finds an LDAP user through the form's first validator, names it and its data store, and fills the assertion from LDAP", async () => {
    const result = await passing(server, "ada");
    assert.equal(result.user, "ada");
    assert.deepEqual(result.foundBy, {
      validator: "corpLdap",
      name: "Corporate LDAP",
      dataStore: { id: "corp", name: "Corporate" },
    });
    assert.deepEqual(
      result.searched.map((s) => [s.validator, s.outcome]),
      [["corpLdap", "FOUND"]],
    );
    assert.equal(result.summary.assertion?.nameId, "ada@example.com", "mail, from ada's LDAP entry");
    assert.deepEqual(attribute(result, "title"), ["Countess"], "the attribute source, looked up as at SSO");
    const [event] = (await server.request("GET", "/auditLog?limit=1")).json().items;
    assert.equal(event.action, "sso.test");
    assert.equal(event.detail.validator, "corpLdap");
  });

  it("goes on to the built-in directory for a user LDAP does not know, as sign-in does", async () => {
    const result = await passing(server, "zoe");
    assert.deepEqual(result.foundBy, {
      validator: "PorticoDirectory",
      name: "the built-in directory",
      dataStore: null,
    });
    assert.deepEqual(
      result.searched.map((s) => [s.validator, s.outcome]),
      [
        ["corpLdap", "NOT_FOUND"],
        ["PorticoDirectory", "FOUND"],
      ],
    );
    assert.equal(result.summary.assertion?.nameId, "zoe@builtin.example.com");
    assert.equal(attribute(result, "title"), undefined, "zoe has no LDAP entry for the source to find");
  });

  it("says why a user cannot be tested: locked in LDAP, unknown everywhere, or a directory down", async () => {
    const locked = assertProblem(await ssoTest(server, "bob"), "LOGIN_ACCOUNT_UNUSABLE", 403);
    assert.match(
      locked.detail,
      /"corpLdap" \(data store "corp"\) finds "bob", but .* keeps the account out \(LOCKED\)/,
    );
    const nobody = assertProblem(await ssoTest(server, "nobody"), "DIR_USER_NOT_FOUND", 404);
    assert.match(
      nobody.detail,
      /asked, in order: "corpLdap" \(data store "corp"\), "PorticoDirectory" \(the built-in directory\)\)/,
    );
    const form = await server.request(
      "PUT",
      "/idp/adapters/htmlform",
      credentialValidators(["deadLdap", "corpLdap", "PorticoDirectory"]),
    );
    assert.equal(form.statusCode, 200, form.body);
    try {
      const result = await passing(server, "ada");
      assert.deepEqual(
        result.searched.map((s) => [s.validator, s.outcome, s.code]),
        [
          ["deadLdap", "UNAVAILABLE", "LDAP_TCP"],
          ["corpLdap", "FOUND", null],
        ],
      );
      const down = assertProblem(await ssoTest(server, "nobody"), "LDAP_TCP");
      assert.match(down.detail, /"deadLdap" \(data store "dead"\) could not search its directory/);
    } finally {
      await server.request(
        "PUT",
        "/idp/adapters/htmlform",
        credentialValidators(["corpLdap", "PorticoDirectory"]),
      );
    }
  });

  it("reads LDAP attribute sources from the mapping that applies: the form's adapter mapping, or a policy-contract mapping", async () => {
    await createSalesforceConnection(server, (c) => {
      Object.assign(c, {
        id: "two-adapters",
        entityId: "https://two-adapters.example.com",
        name: "Two adapters",
      });
      const sso = c.spBrowserSso;
      const form = withTitleSource(c);
      if (!sso) throw new Error("no browser SSO");
      // A Kerberos adapter's mapping listed first, which never applies to the form's users.
      sso.adapterMappings = [
        {
          idpAdapterRef: { id: "kerberos" },
          attributeContractFulfillment: {
            ...form.attributeContractFulfillment,
            title: { source: { type: "TEXT" }, value: "from the Kerberos mapping" },
          },
        },
        form,
      ];
    });
    assert.deepEqual(attribute(await passing(server, "ada", "https://two-adapters.example.com"), "title"), [
      "Countess",
    ]);
    await createSalesforceConnection(server, (c) => {
      Object.assign(c, { id: "policy", entityId: "https://policy.example.com", name: "Policy contract" });
      const sso = c.spBrowserSso;
      const { idpAdapterRef: _adapter, adapterOverrideSettings: _o, ...mapping } = withTitleSource(c);
      if (!sso) throw new Error("no browser SSO");
      sso.adapterMappings = [];
      sso.authenticationPolicyContractAssertionMappings = [
        { authenticationPolicyContractRef: { id: "default" }, ...mapping },
      ];
    });
    assert.deepEqual(attribute(await passing(server, "ada", "https://policy.example.com"), "title"), [
      "Countess",
    ]);
  });

  it("keeps LDAP sign-in through a configuration export and import", async () => {
    const bundle = (await server.request("GET", "/portico/config/export")).json();
    const restored = await startTestServer({ masterKey: server.masterKeyText });
    try {
      const imported = await restored.request("POST", "/portico/config/import", bundle);
      assert.equal(imported.statusCode, 200, imported.body);
      const result = await passing(restored, "ada");
      assert.equal(result.foundBy.validator, "corpLdap");
      assert.deepEqual(attribute(result, "title"), ["Countess"]);
      // And ada signs in with her LDAP password on the restored server's form.
      const jar = cookieJar();
      const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;
      const page = await browserInject(restored.runtimeApp, jar, { method: "GET", url: start });
      const posted = await browserInject(restored.runtimeApp, jar, {
        method: "POST",
        url: "/idp/login",
        form: { resume: readPostForm(page.body).resume ?? "", username: "ada", password: "ada-pw" },
      });
      assert.equal(posted.statusCode, 200, posted.body);
      const xml = Buffer.from(readPostForm(posted.body).samlResponse ?? "", "base64").toString("utf8");
      assert.match(xml, /<saml:NameID[^>]*>ada@example\.com<\/saml:NameID>/);
    } finally {
      await restored.dispose();
    }
  });
});
