import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { baseDn, type Slapd, serviceDn, servicePassword, startSlapd } from "../support/slapd.ts";

/** `/dataStores` over the admin API, tested against a real slapd. */

type DataStoreView = Record<string, unknown> & { id: string; name: string; encryptedPassword?: string };

const fixture = () =>
  JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  ) as Record<string, unknown> & {
    spBrowserSso: { adapterMappings: Record<string, unknown>[] };
    outboundProvision: { channels: { channelSource: { dataSource: { id: string } } }[] };
  };

describe("LDAP data stores (/dataStores)", () => {
  let slapd: Slapd;
  let server: TestServer;
  const bodies: string[] = [];
  const call = async (...args: Parameters<TestServer["request"]>) => {
    const response = await server.request(...args);
    bodies.push(response.body);
    return response;
  };

  before(async () => {
    slapd = await startSlapd({ bulkUsers: 0 });
    server = await startTestServer();
    const key = await server.request("POST", "/keyPairs/signing/generate", { id: "sig1", commonName: "idp" });
    assert.equal(key.statusCode, 201, key.body);
  });
  after(async () => {
    await server?.dispose();
    await slapd?.dispose();
  });

  const document = (overrides: Record<string, unknown> = {}) => ({
    type: "LDAP",
    ldapType: "GENERIC",
    hostnames: [slapd.hostname],
    userDN: serviceDn,
    password: servicePassword,
    useStartTLS: true,
    trustedCAs: [slapd.caPem],
    ...overrides,
  });

  let named = 0;
  const create = async (overrides: Record<string, unknown> = {}) => {
    const response = await call(
      "POST",
      "/dataStores",
      document({ name: `Directory ${++named}`, ...overrides }),
    );
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as DataStoreView;
  };

  it("creates a data store, seals the password and never shows it", async () => {
    const response = await call("POST", "/dataStores", document({ id: "corp-ldap", name: "Corporate LDAP" }));
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers.location, "/pf-admin-api/v1/dataStores/corp-ldap");
    const created = response.json() as DataStoreView;
    assert.equal(created.id, "corp-ldap");
    assert.equal(created.name, "Corporate LDAP");
    assert.equal(created.userDN, serviceDn);
    assert.equal(created.password, undefined);
    assert.match(created.encryptedPassword ?? "", /.{20,}/);
    const fetched = (await call("GET", "/dataStores/corp-ldap")).json() as DataStoreView;
    assert.deepEqual(fetched, created);
    const list = (await call("GET", "/dataStores")).json() as { items: DataStoreView[] };
    assert.ok(list.items.some((s) => s.id === "corp-ldap"));
  });

  it("gives a data store without id or name PingFederate's defaults", async () => {
    const created = await create({ name: undefined, useStartTLS: false, trustedCAs: undefined });
    assert.match(created.id, /^LDAP-/);
    assert.equal(created.name, `${slapd.hostname} (${serviceDn})`);
  });

  it("tests the connection through every stage and says which host answered", async () => {
    const response = await call("POST", "/dataStores/corp-ldap/test");
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as { hostname: string; stages: string[]; namingContexts: string[] };
    assert.equal(result.hostname, slapd.hostname);
    assert.deepEqual(result.stages, ["DNS", "TCP", "TLS", "BIND", "SEARCH"]);
    assert.deepEqual(result.namingContexts, [baseDn]);
    const withBase = await call("POST", "/dataStores/corp-ldap/test", { baseDn: `ou=people,${baseDn}` });
    assert.equal(withBase.statusCode, 200, withBase.body);
  });

  it("names the stage that failed: DNS, TCP, TLS (CA and host name), bind, search", async () => {
    const cases: [Record<string, unknown>, ErrorCode, RegExp, { baseDn: string } | undefined][] = [
      [
        { hostnames: ["directory.portico-test.invalid"] },
        "LDAP_DNS",
        /directory\.portico-test\.invalid/,
        undefined,
      ],
      [
        { hostnames: ["127.0.0.1:1"], useStartTLS: false, trustedCAs: undefined },
        "LDAP_TCP",
        /ECONNREFUSED/,
        undefined,
      ],
      [{ trustedCAs: [slapd.otherCaPem] }, "LDAP_TLS", /certificate/i, undefined],
      [{ hostnames: [`127.0.0.1:${slapd.port}`] }, "LDAP_TLS", /altnames|does not match/i, undefined],
      [{ password: "wrong-password" }, "LDAP_BIND", /invalidCredentials \(LDAP result 49\)/, undefined],
      [{}, "LDAP_SEARCH", /ou=missing,dc=example,dc=com.*does not exist/, { baseDn: `ou=missing,${baseDn}` }],
    ];
    for (const [overrides, code, message, body] of cases) {
      const store = await create(overrides);
      const problem = assertProblem(
        await call("POST", `/dataStores/${store.id}/test`, body),
        code,
        code === "LDAP_DNS" || code === "LDAP_TCP" ? 503 : 422,
      );
      assert.match(problem.detail, message, code);
    }
  });

  it("fails over to the next host name", async () => {
    const store = await create({ hostnames: ["127.0.0.1:1", slapd.hostname] });
    const result = (await call("POST", `/dataStores/${store.id}/test`)).json() as {
      hostname: string;
      skipped: { hostname: string; code: string }[];
    };
    assert.equal(result.hostname, slapd.hostname);
    assert.deepEqual(
      result.skipped.map((s) => [s.hostname, s.code]),
      [["127.0.0.1:1", "LDAP_TCP"]],
    );
  });

  it("connects with LDAPS", async () => {
    const store = await create({ useStartTLS: false, useSsl: true, hostnames: [slapd.ldapsHostname] });
    const response = await call("POST", `/dataStores/${store.id}/test`);
    assert.equal(response.statusCode, 200, response.body);
  });

  it("keeps the password when an update omits it or echoes encryptedPassword, and takes a new one", async () => {
    const stored = (await call("GET", "/dataStores/corp-ldap")).json() as DataStoreView;
    const { password: _p, ...withoutPassword } = document({ name: "Corporate LDAP", readTimeout: 5000 });
    const kept = await call("PUT", "/dataStores/corp-ldap", withoutPassword);
    assert.equal(kept.statusCode, 200, kept.body);
    assert.equal((kept.json() as DataStoreView).readTimeout, 5000);
    assert.equal((await call("POST", "/dataStores/corp-ldap/test")).statusCode, 200);
    const echoed = await call("PUT", "/dataStores/corp-ldap", { ...stored, id: undefined });
    assert.equal(echoed.statusCode, 200, echoed.body);
    assert.equal((await call("POST", "/dataStores/corp-ldap/test")).statusCode, 200);
    const changed = await call(
      "PUT",
      "/dataStores/corp-ldap",
      document({ name: "Corporate LDAP", password: "wrong" }),
    );
    assert.equal(changed.statusCode, 200);
    assertProblem(await call("POST", "/dataStores/corp-ldap/test"), "LDAP_BIND", 422);
    await call("PUT", "/dataStores/corp-ldap", document({ name: "Corporate LDAP" }));
    assert.equal((await call("POST", "/dataStores/corp-ldap/test")).statusCode, 200);
  });

  it("refuses an encryptedPassword this server did not issue", async () => {
    const problem = assertProblem(
      await call("POST", "/dataStores", {
        ...document({ password: undefined }),
        encryptedPassword: "v1.forged.value",
      }),
      "DATASTORE_INVALID",
      422,
    );
    assert.match(problem.detail, /not issued by this server/);
  });

  it("refuses an unusable data store, naming each field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ hostnames: undefined }, "hostnames"],
      [{ hostnames: ["ldap.example.com:99999"] }, "hostnames[0]"],
      [{ useSsl: true }, "useStartTLS"],
      [{ password: undefined }, "password"],
      [{ userDN: undefined }, "userDN"],
      [{ trustedCAs: ["not a certificate"] }, "trustedCAs[0]"],
      [{ useDnsSrvRecords: true }, "useDnsSrvRecords"],
      [{ followLDAPReferrals: true }, "followLDAPReferrals"],
      [{ minConnections: 5, maxConnections: 2 }, "minConnections"],
    ];
    for (const [overrides, field] of cases) {
      const problem = assertProblem(
        await call("POST", "/dataStores", document(overrides)),
        "DATASTORE_INVALID",
        422,
      );
      assert.ok(
        problem.errors?.some((e) => e.field === field),
        `${field}: ${JSON.stringify(problem.errors)}`,
      );
    }
    assertProblem(await call("POST", "/dataStores", document({ ldapType: "NOVELL" })), "REQ_VALIDATION", 400);
    assertProblem(await call("POST", "/dataStores", document({ hostName: "x" })), "REQ_VALIDATION", 400);
  });

  it("refuses a taken id or name", async () => {
    assertProblem(
      await call("POST", "/dataStores", document({ id: "corp-ldap" })),
      "DATASTORE_ID_TAKEN",
      409,
    );
    const problem = assertProblem(
      await call("POST", "/dataStores", document({ name: "Corporate LDAP" })),
      "DATASTORE_INVALID",
      422,
    );
    assert.equal(problem.errors?.[0]?.field, "name");
  });

  it("refuses to delete a data store a connection uses, and deletes it once unused", async () => {
    const store = await create({ name: "Used by an attribute source" });
    const connection = fixture();
    const [mapping] = connection.spBrowserSso.adapterMappings;
    assert.ok(mapping);
    mapping.attributeSources = [
      {
        type: "LDAP",
        id: "people",
        dataStoreRef: { id: store.id },
        baseDn: `ou=people,${baseDn}`,
        searchScope: "SUBTREE",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's placeholder syntax
        searchFilter: "(uid=${uid})",
        attributeContractFulfillment: {},
      },
    ];
    const [channel] = connection.outboundProvision.channels;
    assert.ok(channel);
    channel.channelSource.dataSource.id = store.id;
    const created = await call("POST", "/idp/spConnections", connection);
    assert.equal(created.statusCode, 201, created.body);
    const problem = assertProblem(await call("DELETE", `/dataStores/${store.id}`), "DATASTORE_IN_USE", 409);
    assert.match(problem.detail, /channel "AD users" of connection ".+"/);
    assert.match(
      problem.detail,
      /connection ".+" \(spBrowserSso\.adapterMappings\[0\]\.attributeSources\[0\]\.dataStoreRef\)/,
    );
    assert.equal(problem.errors?.length, 2);
    mapping.attributeSources = [];
    channel.channelSource.dataSource.id = "ad1";
    const updated = await call("PUT", `/idp/spConnections/${connection.id}`, connection);
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal((await call("DELETE", `/dataStores/${store.id}`)).statusCode, 204);
    assertProblem(await call("GET", `/dataStores/${store.id}`), "DATASTORE_NOT_FOUND", 404);
    assertProblem(await call("DELETE", `/dataStores/${store.id}`), "DATASTORE_NOT_FOUND", 404);
  });

  it("travels in the configuration export and still binds after an import with the same master key", async () => {
    const exported = await call("GET", "/portico/config/export");
    assert.equal(exported.statusCode, 200, exported.body);
    const bundle = exported.json() as {
      dataStores: DataStoreView[];
      spConnections: unknown[];
      keyPairs: unknown[];
    };
    const corp = bundle.dataStores.find((s) => s.id === "corp-ldap");
    assert.ok(corp?.encryptedPassword);
    assert.equal(corp?.password, undefined);
    const restored = await startTestServer({ masterKey: server.masterKeyText });
    try {
      const imported = await restored.request("POST", "/portico/config/import", {
        ...bundle,
        keyPairs: [],
        spConnections: [],
        dataStores: [corp],
      });
      assert.equal(imported.statusCode, 200, imported.body);
      const tested = await restored.request("POST", "/dataStores/corp-ldap/test");
      assert.equal(tested.statusCode, 200, tested.body);
    } finally {
      await restored.dispose();
    }
    const stranger = await startTestServer();
    try {
      const refusedImport = await stranger.request("POST", "/portico/config/import", {
        ...bundle,
        keyPairs: [],
        spConnections: [],
        dataStores: [corp],
      });
      assert.match(
        assertProblem(refusedImport, "CONFIG_BUNDLE_INVALID").detail,
        /dataStores\[0\]\.encryptedPassword was not issued by this server/,
      );
    } finally {
      await stranger.dispose();
    }
  });

  it("documents the routes in the OpenAPI document", async () => {
    const openapi = (await call("GET", "/openapi.json")).json() as { paths: Record<string, unknown> };
    for (const path of ["/dataStores", "/dataStores/{id}", "/dataStores/{id}/test"])
      assert.ok(openapi.paths[path], path);
  });

  it("audits every change by field name, and no response, log line or audit event holds a password", async () => {
    const events = await server.context.store.auditLog.list({ limit: 500 });
    const actions = new Set(events.map((e) => e.action));
    for (const action of ["dataStore.create", "dataStore.update", "dataStore.delete", "dataStore.test"])
      assert.ok(actions.has(action), action);
    const everything = [...bodies, server.logs(), JSON.stringify(events)].join("\n");
    for (const secret of [servicePassword, "wrong-password"]) assert.ok(!everything.includes(secret), secret);
  });
});
