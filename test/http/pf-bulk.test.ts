// biome-ignore-all lint/suspicious/noTemplateCurlyInString: PingFederate's placeholders, not templates
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { assertProblem } from "../support/errors.ts";
import { pfCompatExamplesDir } from "../support/pf-compat.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * `/bulk/import` and `/bulk/export` speak PingFederate's bulk format (the server profiles'
 * `data.json`): `{metadata: {pfVersion}, operations: [{operationType, resourceType, items}]}`.
 * Portico's own bundle lives at `/portico/config/export|import` (covered in connections.test.ts).
 * Besides SP connections and signing key pairs, LDAP sign-in travels: LDAP data stores, LDAP
 * password credential validators and an HTML form adapter (Portico's sign-in form).
 */

const examplesDir = pfCompatExamplesDir();
const example = (name: string) => JSON.parse(readFileSync(join(examplesDir, name), "utf8"));

/** A PKCS#12 file made by openssl, as PingFederate's bulk export carries a signing key pair. */
const pkcs12 = (dir: string, password: string): string => {
  const key = join(dir, "k.key");
  const crt = join(dir, "k.crt");
  const p12 = join(dir, "k.p12");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "30"].concat([
      "-subj",
      "/CN=devsigningcert.example",
    ]),
    { stdio: "ignore" },
  );
  execFileSync("openssl", [
    "pkcs12",
    "-export",
    "-inkey",
    key,
    "-in",
    crt,
    "-out",
    p12,
    "-passout",
    `pass:${password}`,
  ]);
  return readFileSync(p12).toString("base64");
};

describe("PingFederate's bulk format on /bulk/import and /bulk/export", () => {
  let server: TestServer;
  let work: string;
  before(async () => {
    server = await startTestServer();
    work = mkdtempSync(join(tmpdir(), "portico-pfbulk-"));
  });
  after(async () => {
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** A PingFederate LDAP data store as its bulk export carries it, the password substituted. */
  const ldapStore = {
    type: "LDAP",
    id: "LDAP-1",
    name: "pd",
    ldapType: "PING_DIRECTORY",
    hostnames: ["pd.example.com:389"],
    userDN: "cn=pingfederate,dc=example,dc=com",
    password: "bind-secret-1",
    useSsl: false,
    bindAnonymously: false,
    maskAttributeValues: false,
    testOnBorrow: true,
    minConnections: 10,
    maxConnections: 100,
  };
  const pcv = (id: string, dataStore: string) => ({
    id,
    name: `${id} validator`,
    pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
    configuration: {
      tables: [{ name: "Authentication Error Overrides", rows: [] }],
      fields: [
        { name: "LDAP Datastore", value: dataStore },
        { name: "Search Base", value: "ou=people,dc=example,dc=com" },
        { name: "Search Filter", value: "uid=${username}" },
        { name: "Scope of Search", value: "Subtree" },
        { name: "Display Name Attribute", value: "displayName" },
      ],
    },
    attributeContract: { coreAttributes: [{ name: "DN" }, { name: "username" }], extendedAttributes: [] },
  });
  const simplePcv = {
    id: "simple",
    name: "Simple PCV",
    pluginDescriptorRef: { id: "org.sourceid.saml20.domain.SimpleUsernamePasswordCredentialValidator" },
    configuration: { tables: [{ name: "Users", rows: [] }], fields: [] },
  };
  const htmlForm = (id: string, validators: string[]) => ({
    id,
    name: id,
    pluginDescriptorRef: { id: "com.pingidentity.adapters.htmlform.idp.HtmlFormIdpAuthnAdapter" },
    configuration: {
      tables: [
        {
          name: "Credential Validators",
          rows: validators.map((value) => ({
            defaultRow: false,
            fields: [{ name: "Password Credential Validator Instance", value }],
          })),
        },
      ],
      fields: [{ name: "Challenge Retries", value: "3" }],
    },
    attributeContract: { coreAttributes: [{ name: "policy.action" }, { name: "username" }] },
    attributeMapping: { attributeSources: [], attributeContractFulfillment: {} },
  });

  const bulk = (fileData: string, password: string, change: (operations: any[]) => void = () => {}) => {
    const operations: any[] = [
      {
        operationType: "SAVE",
        subResource: "cors-configuration",
        items: [{ stringValue: "GET,POST", id: "allowedMethods", type: "STRING" }],
        resourceType: "/configStore",
      },
      {
        operationType: "SAVE",
        items: [{ fileData, password, id: "devsigningcert" }],
        resourceType: "/keyPairs/signing",
      },
      {
        operationType: "SAVE",
        items: [
          { type: "JDBC", id: "ProvisionerDS", name: "ProvisionerDS", connectionUrl: "jdbc:hsqldb:x" },
          ldapStore,
        ],
        resourceType: "/dataStores",
      },
      {
        operationType: "SAVE",
        items: [pcv("pdldappcv", "LDAP-1"), simplePcv],
        resourceType: "/passwordCredentialValidators",
      },
      {
        operationType: "SAVE",
        items: [
          htmlForm("HTMLFormPD", ["pdldappcv"]),
          htmlForm("HTMLFormOther", ["pdldappcv"]),
          {
            id: "kerberos",
            pluginDescriptorRef: { id: "com.pingidentity.adapters.kerberos.KerberosAdapter" },
          },
        ],
        resourceType: "/idp/adapters",
      },
      {
        operationType: "SAVE",
        items: [example("01-pf13-saml-policy-contract.json"), example("02-pf12-wstrust-only.json")],
        resourceType: "/idp/spConnections",
      },
    ];
    change(operations);
    return { metadata: { pfVersion: "13.0.0.6" }, operations };
  };

  /** Nothing of a refused import is stored. */
  const assertNothingStored = async (target: TestServer) => {
    for (const path of ["/idp/spConnections", "/dataStores", "/passwordCredentialValidators"])
      assert.deepEqual((await target.request("GET", path)).json().items, [], path);
    const form = (await target.request("GET", "/idp/adapters/htmlform")).json();
    assert.equal(form.configuration.tables[0].rows[0].fields[0].value, "PorticoDirectory");
  };

  it("refuses a key pair whose password is a server profile's unsubstituted variable, importing nothing", async () => {
    const document = bulk(pkcs12(work, "p12-pass"), `\${keyPairs_signing_items_devsigningcert_password}`);
    const refused = await server.request("POST", "/bulk/import", document);
    assertProblem(refused, "CONFIG_BUNDLE_INVALID", 422);
    assert.match(
      refused.json().detail,
      /operations\[1\]\.items\[0\]\.password: .*substitute a server profile/,
    );
    await assertNothingStored(server);
  });

  it("refuses references that do not resolve, and data stores without a usable password, importing nothing", async () => {
    const fileData = pkcs12(work, "p12-pass");
    const cases: [(operations: any[]) => void, ErrorCode, RegExp][] = [
      [
        (ops) => {
          ops[4].items[0] = htmlForm("HTMLFormPD", ["pdldappcv", "simple"]);
        },
        "CONFIG_REFERENCE_UNRESOLVED",
        /operations\[4\]\.items\[0\]\.configuration\.tables\[Credential Validators\]\.rows\[1\]: "simple" is a validator of plug-in org\.sourceid\.saml20\.domain\.SimpleUsernamePasswordCredentialValidator, which Portico does not run/,
      ],
      [
        (ops) => {
          ops[4].items[0] = htmlForm("HTMLFormPD", ["pdldappcv", "nowhere"]);
        },
        "CONFIG_REFERENCE_UNRESOLVED",
        /rows\[1\]: no password credential validator "nowhere"/,
      ],
      [
        (ops) => {
          ops[3].items[0] = pcv("pdldappcv", "LDAP-elsewhere");
        },
        "CONFIG_REFERENCE_UNRESOLVED",
        /operations\[3\]\.items\[0\]\.configuration\.fields\[LDAP Datastore\]: no data store "LDAP-elsewhere"/,
      ],
      [
        (ops) => {
          ops[2].items[1] = { ...ldapStore, password: "${dataStores_items_LDAP_1_password}" };
        },
        "CONFIG_BUNDLE_INVALID",
        /operations\[2\]\.items\[1\]\.password: give the bind password in clear/,
      ],
      [
        (ops) => {
          const { password: _p, ...sealedByPingFederate } = ldapStore;
          ops[2].items[1] = {
            ...sealedByPingFederate,
            encryptedPassword: "OBF:JWE:eyJhbGciOiJkaXIifQ..x.y.z",
          };
        },
        "CONFIG_BUNDLE_INVALID",
        /operations\[2\]\.items\[1\]\.encryptedPassword was not issued by this server; send the password as password/,
      ],
    ];
    for (const [change, code, message] of cases) {
      const refused = assertProblem(
        await server.request("POST", "/bulk/import", bulk(fileData, "p12-pass", change)),
        code,
        422,
      );
      assert.match(refused.detail, message);
      await assertNothingStored(server);
    }
  });

  it("imports key pairs, LDAP data stores, validators, the sign-in form and SP connections, and names what it skipped", async () => {
    const imported = await server.request("POST", "/bulk/import", bulk(pkcs12(work, "p12-pass"), "p12-pass"));
    assert.equal(imported.statusCode, 200, imported.body);
    const report = imported.json();
    assert.deepEqual(report.keyPairsImported, ["devsigningcert"]);
    assert.deepEqual(report.dataStoresImported, ["LDAP-1"]);
    assert.deepEqual(report.passwordCredentialValidatorsImported, ["pdldappcv"]);
    assert.deepEqual(report.htmlFormAdapterImported, {
      from: "HTMLFormPD",
      credentialValidators: ["pdldappcv"],
    });
    assert.deepEqual(report.spConnectionsImported, [
      "gpFvXmhDHSRUSHWLZLZ_XBIU_YK",
      "IENFjGICXt3YsBKNxHSzkN28LWg",
    ]);
    assert.deepEqual(report.skipped, [
      {
        operation: 0,
        resourceType: "/configStore",
        subResource: "cors-configuration",
        operationType: "SAVE",
        items: 1,
      },
    ]);
    assert.deepEqual(
      report.skippedItems.map((s: { field: string; id: string }) => [s.field, s.id]),
      [
        ["operations[2].items[0]", "ProvisionerDS"],
        ["operations[3].items[1]", "simple"],
        ["operations[4].items[2]", "kerberos"],
        ["operations[4].items[1]", "HTMLFormOther"],
      ],
    );
    assert.match(report.skippedItems[0].reason, /a JDBC data store: Portico reads LDAP directories only/);
    assert.match(report.skippedItems[3].reason, /one sign-in form, taken from "HTMLFormPD"/);
    const key = await server.request("GET", "/keyPairs/signing/devsigningcert");
    assert.equal(key.statusCode, 200, key.body);
    assert.match(key.json().subjectDN, /devsigningcert\.example/);
    const store = (await server.request("GET", "/dataStores/LDAP-1")).json();
    assert.equal(store.password, undefined);
    assert.ok(store.encryptedPassword, "the bind password is kept, sealed");
    const validator = (await server.request("GET", "/passwordCredentialValidators/pdldappcv")).json();
    assert.deepEqual(validator.configuration, pcv("pdldappcv", "LDAP-1").configuration);
    const form = (await server.request("GET", "/idp/adapters/htmlform")).json();
    assert.deepEqual(
      form.configuration.tables[0].rows.map((r: any) => r.fields[0].value),
      ["pdldappcv"],
    );
    assert.ok(!imported.body.includes("bind-secret-1"));
  });

  it("exports data stores, validators, the sign-in form and SP connections in PingFederate's order, which a fresh server imports", async () => {
    const exported = await server.request("GET", "/bulk/export");
    assert.equal(exported.statusCode, 200, exported.body);
    assert.ok(!exported.body.includes("bind-secret-1"), "the bind password leaves only sealed");
    const document = exported.json();
    assert.match(document.metadata.pfVersion, /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(
      document.operations.map((o: { operationType: string; resourceType: string }) => [
        o.operationType,
        o.resourceType,
      ]),
      [
        ["SAVE", "/dataStores"],
        ["SAVE", "/passwordCredentialValidators"],
        ["SAVE", "/idp/adapters"],
        ["SAVE", "/idp/spConnections"],
      ],
    );
    const [stores, validators, adapters, connections] = document.operations;
    assert.deepEqual(
      stores.items.map((s: { id: string }) => s.id),
      ["LDAP-1"],
    );
    assert.equal(stores.items[0].password, undefined);
    assert.deepEqual(
      validators.items.map((v: { id: string }) => v.id),
      ["pdldappcv"],
    );
    assert.equal(adapters.items[0].id, "htmlform");
    assert.equal(
      adapters.items[0].pluginDescriptorRef.id,
      "com.pingidentity.adapters.htmlform.idp.HtmlFormIdpAuthnAdapter",
    );
    assert.deepEqual(
      adapters.items[0].attributeContract.coreAttributes.map((a: { name: string }) => a.name),
      ["policy.action", "username"],
    );
    assert.deepEqual(connections.items.map((c: { name: string }) => c.name).sort(), [
      "Dummy SP Connection",
      "docker",
    ]);

    // The same master key opens the sealed bind password: the whole sign-in setup comes across.
    const other = await startTestServer({ masterKey: server.masterKeyText });
    try {
      const key = await other.request("POST", "/keyPairs/signing/generate", {
        id: "devsigningcert",
        commonName: "x",
      });
      assert.equal(key.statusCode, 201, key.body);
      const again = await other.request("POST", "/bulk/import", document);
      assert.equal(again.statusCode, 200, again.body);
      const report = again.json();
      assert.equal(report.spConnectionsImported.length, 2);
      assert.deepEqual(report.dataStoresImported, ["LDAP-1"]);
      assert.deepEqual(report.passwordCredentialValidatorsImported, ["pdldappcv"]);
      assert.deepEqual(report.htmlFormAdapterImported, {
        from: "htmlform",
        credentialValidators: ["pdldappcv"],
      });
      assert.deepEqual(report.skippedItems, []);
      const dummy = await other.request("GET", "/idp/spConnections/gpFvXmhDHSRUSHWLZLZ_XBIU_YK");
      assert.equal(dummy.json().spBrowserSso.ssoServiceEndpoints[0].url, "https://httpbin.org/anything");
      const store = (await other.request("GET", "/dataStores/LDAP-1")).json();
      assert.equal(
        other.context.secretBox.openText(store.encryptedPassword, "dataStore.password"),
        "bind-secret-1",
      );
      for (const path of ["/passwordCredentialValidators/pdldappcv", "/idp/adapters/htmlform"])
        assert.deepEqual(
          (await other.request("GET", path)).json(),
          (await server.request("GET", path)).json(),
          path,
        );
      // Imported twice: the ids are taken now, and nothing more is stored.
      assertProblem(await other.request("POST", "/bulk/import", document), "CONFIG_NOT_EMPTY");
    } finally {
      await other.dispose();
    }
    // Another master key cannot open it: the data store is refused, asking for the password in clear.
    const stranger = await startTestServer();
    try {
      const refused = assertProblem(
        await stranger.request("POST", "/bulk/import", document),
        "CONFIG_BUNDLE_INVALID",
      );
      assert.match(
        refused.detail,
        /operations\[0\]\.items\[0\]\.encryptedPassword was not issued by this server/,
      );
      await assertNothingStored(stranger);
    } finally {
      await stranger.dispose();
    }
  });

  it("refuses Portico's own bundle on /bulk/import, pointing at its path", async () => {
    const bundle = (await server.request("GET", "/portico/config/export")).json();
    assert.equal(bundle.formatVersion, 1);
    const refused = await server.request("POST", "/bulk/import", bundle);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json().detail, /operations/);
  });
});
