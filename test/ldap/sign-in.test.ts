import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { type Slapd, serviceDn, servicePassword, startSlapd, userDn } from "../support/slapd.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

/**
 * The sign-in form checking passwords against a real slapd through an LDAP Username Password
 * Credential Validator, listed before the built-in directory: search as the service account,
 * bind as the user, account states, injection, throttling, and SSO with the directory's values.
 */

describe("signing in against LDAP (slapd)", () => {
  let slapd: Slapd;
  let server: TestServer;
  const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    server = await startTestServer();
    const store = await server.request("POST", "/dataStores", {
      type: "LDAP",
      id: "corp",
      name: "Corporate",
      ldapType: "GENERIC",
      hostnames: [slapd.hostname],
      userDN: serviceDn,
      password: servicePassword,
      useStartTLS: true,
      trustedCAs: [slapd.caPem],
    });
    assert.equal(store.statusCode, 201, store.body);
    const validator = await server.request("POST", "/passwordCredentialValidators", {
      id: "corpLdap",
      name: "Corporate LDAP",
      pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
      configuration: {
        fields: [
          { name: "LDAP Datastore", value: "corp" },
          { name: "Search Base", value: "ou=people,dc=example,dc=com" },
          { name: "Search Filter", value: `(&(objectClass=inetOrgPerson)(uid=${usernamePlaceholder}))` },
        ],
      },
    });
    assert.equal(validator.statusCode, 201, validator.body);
    const form = await server.request("PUT", "/idp/adapters/htmlform", {
      configuration: {
        tables: [
          {
            name: "Credential Validators",
            rows: ["corpLdap", "PorticoDirectory"].map((value) => ({
              fields: [{ name: "Password Credential Validator Instance", value }],
            })),
          },
        ],
      },
    });
    assert.equal(form.statusCode, 200, form.body);
    await createDirectoryUser(server, {
      uid: "zoe",
      password: "zoe-password-1",
      mail: "zoe@builtin.example.com",
      givenName: "Zoe",
      sn: "Builtin",
    });
    await createSalesforceConnection(server, (c) => {
      const sso = c.spBrowserSso;
      const mapping = sso?.adapterMappings[0];
      if (!sso || !mapping) throw new Error("no browser SSO");
      sso.attributeContract.extendedAttributes = [{ name: "givenName" }, { name: "DN" }];
      mapping.attributeContractFulfillment.givenName = { source: { type: "ADAPTER" }, value: "givenName" };
      mapping.attributeContractFulfillment.DN = { source: { type: "ADAPTER" }, value: "DN" };
    });
    // erin must choose a new password (ppolicy's pwdReset, as an administrator's reset leaves it).
    await slapd.modify(
      [
        `dn: ${userDn("erin")}`,
        "objectClass: inetOrgPerson",
        "uid: erin",
        "cn: Erin Reset",
        "sn: Reset",
        "userPassword: erin-pw",
        "",
        `dn: ${userDn("erin")}`,
        "changetype: modify",
        "add: pwdReset",
        "pwdReset: TRUE",
        "",
      ].join("\n"),
    );
    // bob is locked (ppolicy, as an administrator locks), carol's account expired (shadowExpire).
    await slapd.modify(
      `dn: ${userDn("bob")}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
    );
    await slapd.modify(
      `dn: ${userDn("carol")}\nchangetype: modify\nadd: objectClass\nobjectClass: shadowAccount\n-\nadd: shadowExpire\nshadowExpire: 1\n`,
    );
  });
  after(async () => {
    await server?.dispose();
    await slapd?.dispose();
  });

  let addresses = 0;
  /** One browser from its own address: opens the SSO link, then posts the form. */
  const signIn = async (username: string, password: string, address = `192.0.2.${++addresses}`) => {
    const jar = cookieJar();
    const page = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    const resume = readPostForm(page.body).resume ?? "";
    assert.ok(resume, "the page shows a sign-in form");
    const posted = await browserInject(server.runtimeApp, jar, {
      method: "POST",
      url: "/idp/login",
      form: { resume, username, password },
      remoteAddress: address,
    });
    return { jar, posted, resume };
  };
  const assertion = (html: string) =>
    Buffer.from(readPostForm(html).samlResponse ?? "", "base64").toString("utf8");
  const audit = async () =>
    (
      (await server.request("GET", "/auditLog?limit=200")).json() as {
        items: { action: string; resourceId: string; detail: Record<string, unknown> | null }[];
      }
    ).items;

  it("signs an LDAP user in by bind and fills the assertion from the directory's entry", async () => {
    const { jar, posted } = await signIn("ada", "ada-pw");
    assert.equal(posted.statusCode, 200, posted.body);
    const xml = assertion(posted.body);
    assert.match(xml, /<saml:NameID[^>]*>ada@example\.com<\/saml:NameID>/);
    assert.match(xml, /Name="givenName"[^>]*>\s*<saml:AttributeValue[^>]*>Ada</);
    assert.match(xml, /Name="DN"[^>]*>\s*<saml:AttributeValue[^>]*>uid=ada,ou=people,dc=example,dc=com</);
    // The session remembers the validator: the next SSO reads ada from LDAP again, not the built-in directory.
    const again = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    assert.match(assertion(again.body), /<saml:NameID[^>]*>ada@example\.com<\/saml:NameID>/);
  });

  it("takes the directory's spelling of the name, whatever case was typed", async () => {
    const { posted } = await signIn("ADA", "ada-pw");
    assert.equal(posted.statusCode, 200, posted.body);
    assert.match(assertion(posted.body), /<saml:NameID[^>]*>ada@example\.com</);
  });

  it("refuses a wrong password and an unknown user with the same words", async () => {
    for (const [username, password] of [
      ["ada", "wrong"],
      ["nobody", "ada-pw"],
    ] as const) {
      const { posted } = await signIn(username, password);
      assert.equal(posted.statusCode, 401, posted.body);
      assert.match(posted.body, /The username or password is incorrect/);
    }
  });

  it("escapes the username (RFC 4515): filter syntax in it matches nobody", async () => {
    // Pasted into the filter, "ad*" would find ada and sign in with her password.
    for (const username of ["ad*", "*)(uid=*", "*", "ada)(|(uid=*"]) {
      const { posted } = await signIn(username, "ada-pw");
      assert.equal(posted.statusCode, 401, `${username}: ${posted.body.slice(0, 200)}`);
      assert.match(posted.body, /The username or password is incorrect/);
    }
  });

  it("tells a locked, an expired and a must-change account the same thing, and the audit log which", async () => {
    const locked = await signIn("bob", "bob-pw");
    const expired = await signIn("carol", "carol-pw");
    const mustChange = await signIn("erin", "erin-pw");
    for (const { posted } of [locked, expired, mustChange]) {
      assert.equal(posted.statusCode, 401, "the form again, with the message");
      assert.match(posted.body, /Your account cannot sign in right now/);
      assert.equal(readPostForm(posted.body).samlResponse, undefined, "no assertion");
    }
    const message = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1];
    assert.equal(message(locked.posted.body), message(expired.posted.body), "one message for every state");
    assert.equal(message(locked.posted.body), message(mustChange.posted.body), "one message for every state");
    const wrong = await signIn("erin", "not-erins");
    assert.match(
      wrong.posted.body,
      /The username or password is incorrect/,
      "must-change says nothing without the password",
    );
    const reasons = (await audit())
      .filter((e) => e.action === "signIn.failed")
      .map((e) => `${e.resourceId}:${String(e.detail?.reason)}`);
    assert.ok(reasons.includes("bob:DIRECTORY_LOCKED"), reasons.join(", "));
    assert.ok(reasons.includes("carol:DIRECTORY_EXPIRED"), reasons.join(", "));
    assert.ok(reasons.includes("erin:DIRECTORY_MUST_CHANGE_PASSWORD"), reasons.join(", "));
  });

  it("falls through to the built-in directory for a user LDAP does not know", async () => {
    const { posted } = await signIn("zoe", "zoe-password-1");
    assert.equal(posted.statusCode, 200, posted.body);
    assert.match(assertion(posted.body), /<saml:NameID[^>]*>zoe@builtin\.example\.com</);
  });

  it("counts LDAP failures on the same account counter as the built-in directory's", async () => {
    for (let i = 0; i < 5; i++) {
      const { posted } = await signIn("dave", `wrong-${i}`);
      assert.equal(posted.statusCode, 401);
    }
    const right = await signIn("dave", "dave-pw");
    assert.equal(right.posted.statusCode, 401, "the form again");
    assert.match(
      right.posted.body,
      /Too many failed sign-in attempts/,
      "locked, even for the right password",
    );
    const locked = (await audit()).find((e) => e.action === "signIn.locked" && e.resourceId === "dave");
    assert.equal(locked?.detail?.reason, "ACCOUNT_LOCKED");
    // The same counter as a built-in user's: five failures of zoe's lock zoe too.
    for (let i = 0; i < 5; i++) await signIn("zoe", `wrong-${i}`);
    assert.match((await signIn("zoe", "zoe-password-1")).posted.body, /Too many failed sign-in attempts/);
  });

  it("passes over a directory that is down, to the next validator, and uses it again when it is back", async () => {
    await slapd.stop();
    try {
      await createDirectoryUser(server, {
        uid: "yan",
        password: "yan-password-1",
        mail: "yan@builtin.example.com",
      });
      const { posted } = await signIn("yan", "yan-password-1");
      assert.equal(posted.statusCode, 200, posted.body);
      const ldapUser = await signIn("ada", "ada-pw");
      assert.notEqual(ldapUser.posted.statusCode, 200, "nobody vouches for ada while LDAP is down");
      assert.doesNotMatch(ldapUser.posted.body, /ada-pw|portico-service-secret/);
    } finally {
      await slapd.start();
    }
    const { posted } = await signIn("ada", "ada-pw");
    assert.equal(posted.statusCode, 200, posted.body);
  });
});
