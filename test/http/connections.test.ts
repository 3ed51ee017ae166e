import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { stripLocations } from "../../src/domain/references.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

const fixture = (): SpConnection =>
  JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  );

/** The document without what the server computes, for comparing round trips. */
const comparable = (document: SpConnection): SpConnection => {
  const copy = structuredClone(document);
  delete copy.creationDate;
  delete copy.modificationDate;
  if (copy.spBrowserSso) delete copy.spBrowserSso.ssoApplicationEndpoint;
  for (const cert of copy.credentials?.certs ?? []) delete cert.certView;
  stripLocations(copy);
  for (const setting of copy.outboundProvision?.targetSettings ?? []) {
    if (setting.encryptedValue !== undefined) setting.encryptedValue = "<sealed>";
  }
  return copy;
};

const secretValues = ["s3cr3t-client-secret-value", "00D-access-token-value", "5Aep-refresh-token-value"];

describe("SP connections", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const key = await server.request("POST", "/keyPairs/signing/generate", {
      id: "sig1",
      commonName: "idp.acme.example",
    });
    assert.equal(key.statusCode, 201, key.body);
  });
  after(() => server.dispose());

  it("creates a PingFederate-shaped connection and returns it with secrets only sealed", async () => {
    const created = await server.request("POST", "/idp/spConnections", fixture());
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, "/pf-admin-api/v1/idp/spConnections/sfprod");
    for (const secret of secretValues)
      assert.ok(!created.body.includes(secret), "a secret came back in clear");
    const document = created.json() as SpConnection;
    const settings = new Map(document.outboundProvision?.targetSettings.map((s) => [s.name, s]));
    assert.equal(settings.get("CLIENT_ID")?.value, "3MVG9test.client.id");
    assert.equal(settings.get("CLIENT_SECRET")?.value, undefined);
    assert.match(settings.get("CLIENT_SECRET")?.encryptedValue ?? "", /^v2\./);
    assert.equal(
      document.spBrowserSso?.ssoApplicationEndpoint,
      "https://idp.example.com/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Facme.my.salesforce.com",
    );
    assert.ok(document.creationDate && document.modificationDate);
    assert.equal(
      document.credentials?.signingSettings?.signingKeyPairRef.location,
      "http://localhost:80/pf-admin-api/v1/keyPairs/signing/sig1",
      "a reference carries this server's location",
    );
    const input = fixture();
    input.outboundProvision?.targetSettings.forEach((s) => {
      if (secretValues.includes(s.value ?? "")) {
        delete s.value;
        s.encryptedValue = "<sealed>";
      }
    });
    if (input.spBrowserSso) delete input.spBrowserSso.ssoApplicationEndpoint;
    assert.deepEqual(
      comparable(document),
      input,
      "everything but the secrets and computed fields comes back as sent",
    );
  });

  it("keeps a secret when a client echoes its encryptedValue, and replaces it when given a value", async () => {
    const got = (await server.request("GET", "/idp/spConnections/sfprod")).json() as SpConnection;
    got.name = "Salesforce Production (renamed)";
    const put = await server.request("PUT", "/idp/spConnections/sfprod", got);
    assert.equal(put.statusCode, 200, put.body);
    const stored = await server.context.store.connections.get("sfprod");
    const sealed = stored?.document.outboundProvision?.targetSettings.find(
      (s) => s.name === "CLIENT_SECRET",
    )?.encryptedValue;
    assert.equal(
      server.context.secretBox.open(sealed ?? "", "spConnection.targetSettings:CLIENT_SECRET").toString(),
      "s3cr3t-client-secret-value",
    );
    assert.equal((put.json() as SpConnection).name, "Salesforce Production (renamed)");

    const secret = got.outboundProvision?.targetSettings.find((s) => s.name === "CLIENT_SECRET");
    assert.ok(secret);
    delete secret.encryptedValue;
    secret.value = "a-new-secret";
    assert.equal((await server.request("PUT", "/idp/spConnections/sfprod", got)).statusCode, 200);
    const after = await server.context.store.connections.get("sfprod");
    const sealedAgain = after?.document.outboundProvision?.targetSettings.find(
      (s) => s.name === "CLIENT_SECRET",
    )?.encryptedValue;
    assert.equal(
      server.context.secretBox
        .open(sealedAgain ?? "", "spConnection.targetSettings:CLIENT_SECRET")
        .toString(),
      "a-new-secret",
    );
  });

  it("refuses an encryptedValue this server did not issue, or one moved to another field", async () => {
    const got = (await server.request("GET", "/idp/spConnections/sfprod")).json() as SpConnection;
    const settings = got.outboundProvision?.targetSettings ?? [];
    const access = settings.find((s) => s.name === "OAUTH_ACCESS_TOKEN");
    const secret = settings.find((s) => s.name === "CLIENT_SECRET");
    assert.ok(access && secret);
    secret.encryptedValue = access.encryptedValue ?? "";
    const moved = await server.request("PUT", "/idp/spConnections/sfprod", got);
    assertProblem(moved, "CONN_ENCRYPTED_VALUE_INVALID");
    secret.encryptedValue = "v1.AAAA.BBBB.CCCC";
    assertProblem(
      await server.request("PUT", "/idp/spConnections/sfprod", got),
      "CONN_ENCRYPTED_VALUE_INVALID",
    );
  });

  it("round-trips through get, export and import into an empty server sharing the master key", async () => {
    const exported = await server.request("GET", "/portico/config/export");
    assert.equal(exported.statusCode, 200);
    for (const secret of secretValues) assert.ok(!exported.body.includes(secret));
    assert.ok(!exported.body.includes("PRIVATE KEY"), "private keys leave only sealed");
    const other = await startTestServer({ masterKey: server.masterKeyText });
    try {
      const imported = await other.request("POST", "/portico/config/import", exported.json());
      assert.equal(imported.statusCode, 200, imported.body);
      assert.deepEqual(imported.json().spConnectionsImported, ["sfprod"]);
      const original = (await server.request("GET", "/idp/spConnections/sfprod")).json() as SpConnection;
      const copy = (await other.request("GET", "/idp/spConnections/sfprod")).json() as SpConnection;
      assert.deepEqual(comparable(copy), comparable(original));
      const sealed =
        copy.outboundProvision?.targetSettings.find((s) => s.name === "CLIENT_SECRET")?.encryptedValue ?? "";
      assert.equal(
        other.context.secretBox.open(sealed, "spConnection.targetSettings:CLIENT_SECRET").toString(),
        "a-new-secret",
      );
      const again = await other.request("POST", "/portico/config/import", exported.json());
      assertProblem(again, "CONFIG_NOT_EMPTY");
    } finally {
      await other.dispose();
    }
    const stranger = await startTestServer();
    try {
      const refused = await stranger.request("POST", "/portico/config/import", exported.json());
      assertProblem(refused, "CONFIG_BUNDLE_INVALID");
      assert.deepEqual(
        (await stranger.request("GET", "/idp/spConnections")).json(),
        { items: [] },
        "nothing was stored",
      );
    } finally {
      await stranger.dispose();
    }
  });

  it("lists connections as items, filtered by entity ID or name", async () => {
    const all = (await server.request("GET", "/idp/spConnections")).json() as { items: SpConnection[] };
    assert.deepEqual(
      all.items.map((c) => c.id),
      ["sfprod"],
    );
    const byEntity = await server.request(
      "GET",
      `/idp/spConnections?entityId=${encodeURIComponent("https://nope.example")}`,
    );
    assert.deepEqual(byEntity.json(), { items: [] });
    const byName = await server.request("GET", "/idp/spConnections?filter=PRODUCTION");
    assert.equal((byName.json() as { items: unknown[] }).items.length, 1);
  });

  it("shows which connections use a key, refuses deleting it, and refuses deleting an active connection", async () => {
    const keys = (await server.request("GET", "/keyPairs/signing")).json() as {
      items: { id: string; usedBy: { id: string }[] }[];
    };
    assert.deepEqual(
      keys.items.find((k) => k.id === "sig1")?.usedBy.map((u) => u.id),
      ["sfprod"],
    );
    const deleteKey = await server.request("DELETE", "/keyPairs/signing/sig1");
    assertProblem(deleteKey, "KEY_IN_USE");
    const deleteActive = await server.request("DELETE", "/idp/spConnections/sfprod");
    assertProblem(deleteActive, "CONN_ACTIVE");
    const got = (await server.request("GET", "/idp/spConnections/sfprod")).json() as SpConnection;
    got.active = false;
    assert.equal((await server.request("PUT", "/idp/spConnections/sfprod", got)).statusCode, 200);
    assert.equal((await server.request("DELETE", "/idp/spConnections/sfprod")).statusCode, 204);
    assertProblem(await server.request("GET", "/idp/spConnections/sfprod"), "CONN_NOT_FOUND");
  });

  it("writes an audit event for every change, without secrets", async () => {
    const audit = await server.request("GET", "/auditLog");
    const actions = (audit.json() as { items: { action: string; actor: string }[] }).items.map(
      (e) => e.action,
    );
    for (const action of [
      "signingKey.generate",
      "spConnection.create",
      "spConnection.update",
      "spConnection.delete",
    ]) {
      assert.ok(actions.includes(action), `${action} is audited`);
    }
    for (const secret of [...secretValues, "a-new-secret"]) assert.ok(!audit.body.includes(secret));
  });

  it("never logs a secret, a password or a private key", () => {
    const logs = server.logs();
    assert.ok(logs.length > 0, "the server logged its requests");
    for (const secret of [...secretValues, "a-new-secret", "correct-horse-battery-staple", "PRIVATE KEY"]) {
      assert.ok(!logs.includes(secret), `the log holds ${secret}`);
    }
  });
});
