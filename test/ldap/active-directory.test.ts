import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { assertProblem } from "../support/errors.ts";
import { adStore } from "../support/ldap-channel.ts";
import {
  adBaseDn,
  addAdUserLdif,
  adUser,
  adUserDn,
  disabledAccount,
  peopleDn,
  replaceLdif,
  type SambaDc,
  startSambaDc,
} from "../support/samba.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
} from "../support/sso.ts";

/**
 * Portico against a real Active Directory (Samba's AD DC): a data store with the AD preset over
 * LDAPS, the sign-in form checking passwords by bind through an LDAP credential validator with
 * `(sAMAccountName=${username})`, the account states AD refuses at bind (locked, expired,
 * disabled, must change), a username made to inject a filter, and an LDAP attribute source.
 */

/** accountExpires for 2020-01-01: Windows FILETIME, 100 ns since 1601. */
const expiredIn2020 = (Date.UTC(2020, 0, 1) + 11_644_473_600_000) * 10_000;

describe("Active Directory (Samba AD DC): data store, sign-in by bind, attribute source", () => {
  let dc: SambaDc;
  let server: TestServer;
  const start = `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`;
  const frank = adUser("frank", "Frank", "Lapsed");

  const store = (overrides: Record<string, unknown> = {}) => ({ ...adStore(dc), ...overrides });

  before(async () => {
    dc = await startSambaDc();
    // carol's account expired, dave's is disabled, erin must choose a new password (as after a reset).
    await dc.modify(replaceLdif(adUserDn("carol"), "accountExpires", expiredIn2020));
    await dc.modify(replaceLdif(adUserDn("dave"), "userAccountControl", disabledAccount));
    await dc.modify(replaceLdif(adUserDn("erin"), "pwdLastSet", 0));
    await dc.modify(addAdUserLdif(frank));
    server = await startTestServer();
    const created = await server.request("POST", "/dataStores", store({ id: "corp-ad" }));
    assert.equal(created.statusCode, 201, created.body);
    const validator = await server.request("POST", "/passwordCredentialValidators", {
      id: "corpAD",
      name: "Corporate AD",
      pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
      configuration: {
        fields: [
          { name: "LDAP Datastore", value: "corp-ad" },
          { name: "Search Base", value: peopleDn },
          { name: "Search Filter", value: `(sAMAccountName=${usernamePlaceholder})` },
        ],
      },
    });
    assert.equal(validator.statusCode, 201, validator.body);
    const form = await server.request("PUT", "/idp/adapters/htmlform", {
      configuration: {
        tables: [
          {
            name: "Credential Validators",
            rows: [{ fields: [{ name: "Password Credential Validator Instance", value: "corpAD" }] }],
          },
        ],
      },
    });
    assert.equal(form.statusCode, 200, form.body);
    await createSalesforceConnection(server, (c) => {
      const sso = c.spBrowserSso;
      const mapping = sso?.adapterMappings[0];
      if (!sso || !mapping) throw new Error("no browser SSO");
      sso.attributeContract.extendedAttributes = [{ name: "DN" }, { name: "title" }, { name: "objectGUID" }];
      mapping.attributeContractFulfillment.DN = { source: { type: "ADAPTER" }, value: "DN" };
      // An LDAP attribute source, looked up in AD at SSO time by the subject's sAMAccountName.
      mapping.attributeSources = [
        {
          type: "LDAP",
          id: "adAttributes",
          dataStoreRef: { id: "corp-ad" },
          baseDn: adBaseDn,
          searchScope: "SUBTREE",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder
          searchFilter: "(&(objectCategory=person)(sAMAccountName=${uid}))",
          searchAttributes: ["title", "objectGUID"],
        },
      ];
      for (const name of ["title", "objectGUID"])
        mapping.attributeContractFulfillment[name] = {
          source: { type: "LDAP_DATA_STORE", id: "adAttributes" },
          value: name,
        };
    });
  });
  after(async () => {
    await server?.dispose();
    await dc?.dispose();
  });

  let addresses = 0;
  const signIn = async (username: string, password: string) => {
    const jar = cookieJar();
    const page = await browserInject(server.runtimeApp, jar, { method: "GET", url: start });
    const resume = readPostForm(page.body).resume ?? "";
    assert.ok(resume, "the page shows a sign-in form");
    return browserInject(server.runtimeApp, jar, {
      method: "POST",
      url: "/idp/login",
      form: { resume, username, password },
      remoteAddress: `192.0.2.${++addresses}`,
    });
  };
  const assertion = (html: string) =>
    Buffer.from(readPostForm(html).samlResponse ?? "", "base64").toString("utf8");
  const attributeValue = (xml: string, name: string) =>
    new RegExp(`Name="${name}"[^>]*>\\s*<saml:AttributeValue[^>]*>([^<]*)<`).exec(xml)?.[1];
  const failureReasons = async () =>
    (
      (await server.request("GET", "/auditLog?limit=200")).json() as {
        items: { action: string; resourceId: string; detail: Record<string, unknown> | null }[];
      }
    ).items
      .filter((e) => e.action === "signIn.failed")
      .map((e) => `${e.resourceId}:${String(e.detail?.reason)}`);

  it("tests the data store stage by stage over LDAPS, with the AD's CA", async () => {
    const tested = await server.request("POST", "/dataStores/corp-ad/test");
    assert.equal(tested.statusCode, 200, tested.body);
    const result = tested.json() as { hostname: string; stages: string[]; namingContexts: string[] };
    assert.equal(result.hostname, dc.hostname);
    assert.deepEqual(result.stages, ["DNS", "TCP", "TLS", "BIND", "SEARCH"]);
    assert.ok(result.namingContexts.includes(adBaseDn), result.namingContexts.join("; "));
    const people = await server.request("POST", "/dataStores/corp-ad/test", { baseDn: peopleDn });
    assert.equal(people.statusCode, 200, people.body);
  });

  it("connects with StartTLS on port 389, and names what AD refuses", async () => {
    const startTls = await server.request(
      "POST",
      "/dataStores",
      store({
        id: "ad-starttls",
        name: "AD StartTLS",
        useSsl: false,
        useStartTLS: true,
        hostnames: [dc.address],
      }),
    );
    assert.equal(startTls.statusCode, 201, startTls.body);
    const tested = await server.request("POST", "/dataStores/ad-starttls/test");
    assert.equal(tested.statusCode, 200, tested.body);

    const cases: [string, Record<string, unknown>, "LDAP_TLS" | "LDAP_BIND", RegExp][] = [
      ["another CA", { trustedCAs: [dc.otherCaPem] }, "LDAP_TLS", /certificate/i],
      // AD's default (ldap server require strong auth): no simple bind in the clear.
      [
        "no TLS",
        { useSsl: false, trustedCAs: undefined, hostnames: [dc.address] },
        "LDAP_BIND",
        /Transport encryption required/i,
      ],
      ["a wrong password", { password: "Not-The-Passw0rd" }, "LDAP_BIND", /data 52e/],
    ];
    for (const [why, overrides, code, message] of cases) {
      const id = `ad-${why.replace(/\W+/g, "-")}`;
      const created = await server.request("POST", "/dataStores", store({ id, name: id, ...overrides }));
      assert.equal(created.statusCode, 201, created.body);
      const problem = assertProblem(await server.request("POST", `/dataStores/${id}/test`), code, 422);
      assert.match(problem.detail, message, why);
      assert.doesNotMatch(problem.detail, /Not-The-Passw0rd|Portico-Svc-Secret/, why);
    }
  });

  it("signs an AD user in by bind, by sAMAccountName, and fills the assertion from the entry and the attribute source", async () => {
    const posted = await signIn("ADA", "Ada-Passw0rd!");
    assert.equal(posted.statusCode, 200, posted.body);
    const xml = assertion(posted.body);
    assert.match(xml, /<saml:NameID[^>]*>ada@example\.com<\/saml:NameID>/);
    assert.equal(attributeValue(xml, "DN"), adUserDn("ada"));
    assert.equal(attributeValue(xml, "title"), "Countess");
    // objectGUID, read as bytes and written as AD itself writes it.
    assert.equal(attributeValue(xml, "objectGUID"), await dc.guidOf("ada"));
  });

  it("refuses a wrong password and an unknown user with the same words", async () => {
    for (const [username, password] of [
      ["ada", "Wrong-Passw0rd!"],
      ["nobody", "Ada-Passw0rd!"],
    ] as const) {
      const posted = await signIn(username, password);
      assert.equal(posted.statusCode, 401, posted.body);
      assert.match(posted.body, /The username or password is incorrect/);
    }
  });

  it("escapes the username (RFC 4515): filter syntax in it matches nobody", async () => {
    // Pasted into (sAMAccountName=…), each of these would find ada and try her password.
    for (const username of ["*)(uid=*", "*)(sAMAccountName=*", "ad*", "*", "ada)(|(sAMAccountName=*"]) {
      const posted = await signIn(username, "Ada-Passw0rd!");
      assert.equal(posted.statusCode, 401, `${username}: ${posted.body.slice(0, 200)}`);
      assert.match(posted.body, /The username or password is incorrect/);
    }
  });

  it("tells a locked, an expired, a disabled and a must-change account the same thing, and the audit log which", async () => {
    // Three wrong passwords elsewhere (the domain's lockout threshold) lock bob.
    for (let i = 0; i < 3; i++)
      assert.match((await dc.bind(adUserDn("bob"), `Wrong-${i}-Pw!`)) ?? "", /data 52e|data 775/);
    assert.match((await dc.bind(adUserDn("bob"), "Bob-Passw0rd!")) ?? "", /data 775/, "AD says locked");
    const refused = {
      bob: await signIn("bob", "Bob-Passw0rd!"),
      carol: await signIn("carol", "Carol-Passw0rd!"),
      dave: await signIn("dave", "Dave-Passw0rd!"),
      erin: await signIn("erin", "Erin-Passw0rd!"),
    };
    const message = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1];
    for (const [who, posted] of Object.entries(refused)) {
      assert.equal(posted.statusCode, 401, who);
      assert.match(posted.body, /Your account cannot sign in right now/, who);
      assert.equal(readPostForm(posted.body).samlResponse, undefined, `${who}: no assertion`);
      assert.equal(message(posted.body), message(refused.bob.body), `${who}: one message for every state`);
    }
    const reasons = await failureReasons();
    for (const expected of [
      "bob:DIRECTORY_LOCKED",
      "carol:DIRECTORY_EXPIRED",
      "dave:DIRECTORY_DISABLED",
      "erin:DIRECTORY_MUST_CHANGE_PASSWORD",
    ])
      assert.ok(reasons.includes(expected), `${expected} in ${reasons.join(", ")}`);
  });

  it("tells someone without the password only that it is wrong, whatever state the account is in", async () => {
    // As AD does (52e): a disabled, expired or must-change account is not revealed without its password.
    for (const who of ["carol", "dave", "erin"]) {
      const posted = await signIn(who, "Not-The-Passw0rd!");
      assert.equal(posted.statusCode, 401, who);
      assert.match(posted.body, /The username or password is incorrect/, who);
    }
  });

  it("lets in an account whose lockout has run out, though AD still shows when it was locked", async () => {
    for (let i = 0; i < 3; i++) await dc.bind(adUserDn(frank), `Wrong-${i}-Pw!`);
    assert.match((await signIn("frank", frank.password)).body, /Your account cannot sign in right now/);
    // The domain's lockout lasts one second from now on: frank's has run out, and his entry still
    // carries lockoutTime until he next signs in (AD clears it then).
    await dc.modify(replaceLdif(adBaseDn, "lockoutDuration", -10_000_000));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.match(await dc.search(peopleDn, "(sAMAccountName=frank)", ["lockoutTime"]), /lockoutTime: [1-9]/);
    const posted = await signIn("frank", frank.password);
    assert.equal(posted.statusCode, 200, posted.body);
    assert.match(assertion(posted.body), /<saml:NameID[^>]*>frank@example\.com</);
  });
});
