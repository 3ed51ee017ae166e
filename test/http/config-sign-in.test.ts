import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createSalesforceConnection } from "../support/sso.ts";

/**
 * LDAP sign-in in Portico's own configuration bundle (`/portico/config/export|import`): the
 * password credential validators and the sign-in form's list travel with the data stores they
 * search, are imported after them and before the connections, and every reference must resolve
 * or nothing is stored. (PingFederate's bulk format is covered in pf-bulk.test.ts.)
 */

type Bundle = {
  keyPairs: unknown[];
  dataStores: { id: string }[];
  passwordCredentialValidators?: {
    id: string;
    configuration: { fields: { name: string; value: string }[] };
  }[];
  htmlFormAdapter?: { configuration: { tables: { rows: { fields: { value: string }[] }[] }[] } };
  spConnections: SpConnection[];
};

const pluginId = "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator";

const validator = (id: string, dataStore: string) => ({
  id,
  name: `${id} validator`,
  pluginDescriptorRef: { id: pluginId },
  configuration: {
    fields: [
      { name: "LDAP Datastore", value: dataStore },
      { name: "Search Base", value: "ou=people,dc=example,dc=com" },
      { name: "Search Filter", value: `(uid=${usernamePlaceholder})` },
      { name: "Display Name Attribute", value: "displayName" },
    ],
  },
});

const form = (ids: string[]) => ({
  configuration: {
    tables: [
      {
        name: "Credential Validators",
        rows: ids.map((value) => ({ fields: [{ name: "Password Credential Validator Instance", value }] })),
      },
    ],
  },
});

const formIds = async (server: TestServer): Promise<string[]> =>
  (await server.request("GET", "/idp/adapters/htmlform"))
    .json()
    .configuration.tables[0].rows.map((r: { fields: { value: string }[] }) => r.fields[0]?.value);

describe("LDAP sign-in in Portico's configuration bundle", () => {
  let server: TestServer;
  let bundle: Bundle;
  before(async () => {
    server = await startTestServer();
    const store = await server.request("POST", "/dataStores", {
      type: "LDAP",
      id: "corp",
      name: "Corporate",
      ldapType: "GENERIC",
      hostnames: ["ldap.example.com"],
      userDN: "cn=portico,dc=example,dc=com",
      password: "service-secret",
    });
    assert.equal(store.statusCode, 201, store.body);
    for (const body of [validator("corpLdap", "corp"), validator("backupLdap", "corp")]) {
      const created = await server.request("POST", "/passwordCredentialValidators", body);
      assert.equal(created.statusCode, 201, created.body);
    }
    const put = await server.request(
      "PUT",
      "/idp/adapters/htmlform",
      form(["corpLdap", "PorticoDirectory", "backupLdap"]),
    );
    assert.equal(put.statusCode, 200, put.body);
    await createSalesforceConnection(server, (c) => {
      const mapping = c.spBrowserSso?.adapterMappings[0];
      if (!mapping) throw new Error("no adapter mapping");
      mapping.attributeSources = [
        {
          type: "LDAP",
          id: "people",
          dataStoreRef: { id: "corp" },
          baseDn: "ou=people,dc=example,dc=com",
          searchScope: "SUBTREE",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder
          searchFilter: "(uid=${uid})",
        },
      ];
    });
    const exported = await server.request("GET", "/portico/config/export");
    assert.equal(exported.statusCode, 200, exported.body);
    assert.ok(!exported.body.includes("service-secret"));
    bundle = exported.json() as Bundle;
  });
  after(() => server.dispose());

  /** A server sharing the master key (so the bind password opens), for one test. */
  const withRestoreTarget = async (work: (target: TestServer) => Promise<void>) => {
    const target = await startTestServer({ masterKey: server.masterKeyText });
    try {
      await work(target);
    } finally {
      await target.dispose();
    }
  };

  const assertNothingStored = async (target: TestServer) => {
    for (const path of ["/idp/spConnections", "/dataStores", "/passwordCredentialValidators"])
      assert.deepEqual((await target.request("GET", path)).json().items, [], path);
    assert.deepEqual(await formIds(target), ["PorticoDirectory"]);
  };

  it("exports the validators and the sign-in form's list, in PingFederate's shapes", () => {
    assert.deepEqual(
      bundle.passwordCredentialValidators?.map((v) => v.id),
      ["backupLdap", "corpLdap"],
    );
    assert.deepEqual(
      bundle.htmlFormAdapter?.configuration.tables[0]?.rows.map((r) => r.fields[0]?.value),
      ["corpLdap", "PorticoDirectory", "backupLdap"],
    );
  });

  it("restores them after the data stores and before the connections, reading back the same", async () => {
    await withRestoreTarget(async (target) => {
      const imported = await target.request("POST", "/portico/config/import", bundle);
      assert.equal(imported.statusCode, 200, imported.body);
      const report = imported.json();
      assert.deepEqual(report.dataStoresImported, ["corp"]);
      assert.deepEqual(report.passwordCredentialValidatorsImported, ["backupLdap", "corpLdap"]);
      assert.deepEqual(report.htmlFormAdapterImported, ["corpLdap", "PorticoDirectory", "backupLdap"]);
      assert.deepEqual(report.spConnectionsImported, ["salesforce"]);
      for (const path of ["/passwordCredentialValidators", "/idp/adapters/htmlform", "/dataStores/corp"])
        assert.deepEqual(
          (await target.request("GET", path)).json(),
          (await server.request("GET", path)).json(),
          path,
        );
      // Restored, the validator and the connection hold on to their data store.
      const inUse = assertProblem(await target.request("DELETE", "/dataStores/corp"), "DATASTORE_IN_USE");
      assert.match(inUse.detail, /password credential validator "corpLdap validator"/);
      assert.match(inUse.detail, /attributeSources\[0\]\.dataStoreRef/);
      assertProblem(await target.request("POST", "/portico/config/import", bundle), "CONFIG_NOT_EMPTY");
    });
  });

  it("refuses references the bundle and the server cannot resolve, storing nothing", async () => {
    const otherStore = structuredClone(bundle);
    const cases: [Bundle, RegExp][] = [
      [
        { ...structuredClone(bundle), dataStores: [], spConnections: [] },
        /^passwordCredentialValidators\[0\]\.configuration\.fields\[LDAP Datastore\]: no data store "corp"/,
      ],
      [
        {
          ...structuredClone(bundle),
          passwordCredentialValidators: [],
          spConnections: [],
        },
        /^htmlFormAdapter\.configuration\.tables\[Credential Validators\]\.rows\[0\]: no password credential validator "corpLdap"/,
      ],
      [
        (() => {
          const source = otherStore.spConnections[0]?.spBrowserSso?.adapterMappings[0]?.attributeSources?.[0];
          if (source) source.dataStoreRef = { id: "elsewhere" };
          return otherStore;
        })(),
        /^spConnections\[0\]\.spBrowserSso\.adapterMappings\[0\]\.attributeSources\[0\]\.dataStoreRef\.id: no data store "elsewhere"/,
      ],
    ];
    await withRestoreTarget(async (target) => {
      for (const [document, message] of cases) {
        const refused = assertProblem(
          await target.request("POST", "/portico/config/import", document),
          "CONFIG_REFERENCE_UNRESOLVED",
          422,
        );
        assert.match(refused.detail, message);
        await assertNothingStored(target);
      }
    });
  });

  it("keeps a target's own sign-in form: an equal list imports, another is refused", async () => {
    await withRestoreTarget(async (target) => {
      const store = await target.request("POST", "/dataStores", { ...bundle.dataStores[0] });
      assert.equal(store.statusCode, 201, store.body);
      for (const id of ["corpLdap", "backupLdap"])
        assert.equal(
          (await target.request("POST", "/passwordCredentialValidators", validator(id, "corp"))).statusCode,
          201,
        );
      const only = {
        ...bundle,
        keyPairs: [],
        dataStores: [],
        passwordCredentialValidators: [],
        spConnections: [],
      };
      await target.request("PUT", "/idp/adapters/htmlform", form(["backupLdap"]));
      const refused = assertProblem(
        await target.request("POST", "/portico/config/import", only),
        "CONFIG_NOT_EMPTY",
      );
      assert.match(refused.detail, /sign-in form already lists backupLdap/);
      assert.deepEqual(await formIds(target), ["backupLdap"]);
      await target.request(
        "PUT",
        "/idp/adapters/htmlform",
        form(["corpLdap", "PorticoDirectory", "backupLdap"]),
      );
      const equal = await target.request("POST", "/portico/config/import", only);
      assert.equal(equal.statusCode, 200, equal.body);
    });
  });

  it("imports a bundle made before validators travelled, leaving the sign-in form alone", async () => {
    const { passwordCredentialValidators: _v, htmlFormAdapter: _f, ...older } = bundle;
    await withRestoreTarget(async (target) => {
      const imported = await target.request("POST", "/portico/config/import", older);
      assert.equal(imported.statusCode, 200, imported.body);
      assert.equal(imported.json().htmlFormAdapterImported, null);
      assert.deepEqual(imported.json().passwordCredentialValidatorsImported, []);
      assert.deepEqual(await formIds(target), ["PorticoDirectory"]);
    });
  });
});
