import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { ConfigField, SpConnection } from "../../src/domain/sp-connection.ts";
import { bootstrap } from "../../src/services/bootstrap.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * Secrets under names the connector did not foresee: any configuration field whose name contains
 * secret, token, password or key is stored sealed and shown only as encryptedValue, on every path.
 */

const secrets = {
  REFRESH_TOKEN: "oddly-named-refresh-token-1",
  client_secret: "lower-case-client-secret-2",
  Password: "mixed-case-password-3",
  API_KEY: "api-key-value-4",
  JWT_PRIVATE_KEY: "jwt-private-key-value-5",
} as const;
const plain = { ACCOUNT_ID: "001000000000001", PROFILE_ID: "00e000000000001", SALESFORCE_DOMAIN: "acme" };
const adapterPassword = "adapter-override-password-6";
const everySecret = [...Object.values(secrets), adapterPassword];

const connection = (): SpConnection => {
  const c = JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  ) as SpConnection;
  c.id = "odd";
  c.entityId = "https://odd.my.salesforce.com";
  // Another connector's settings: the Salesforce connector refuses names it does not know, but
  // the secret-name rule holds for every connector's fields.
  if (c.outboundProvision) c.outboundProvision.type = "ExampleSaasProvisioner";
  c.outboundProvision?.targetSettings.push(
    ...Object.entries({ ...secrets, ...plain }).map(([name, value]) => ({ name, value })),
  );
  const mapping = c.spBrowserSso?.adapterMappings[0];
  if (mapping) {
    mapping.adapterOverrideSettings = {
      configuration: {
        fields: [
          { name: "Bind Password", value: adapterPassword },
          { name: "Login Template", value: "html.form.login.template.html" },
        ],
      },
    };
  }
  return c;
};

const settingsOf = (document: SpConnection): Map<string, ConfigField> =>
  new Map((document.outboundProvision?.targetSettings ?? []).map((s) => [s.name, s]));

const assertShownSealed = (document: SpConnection) => {
  const settings = settingsOf(document);
  for (const name of Object.keys(secrets)) {
    assert.equal(settings.get(name)?.value, undefined, `${name} has no plain value`);
    assert.match(settings.get(name)?.encryptedValue ?? "", /^v2\./, `${name} is sealed`);
  }
  for (const [name, value] of Object.entries(plain)) {
    assert.deepEqual(settings.get(name), { name, value }, `${name} keeps its plain value`);
  }
  const fields = document.spBrowserSso?.adapterMappings[0]?.adapterOverrideSettings?.configuration?.fields;
  assert.equal(fields?.[0]?.value, undefined);
  assert.match(fields?.[0]?.encryptedValue ?? "", /^v2\./);
  assert.deepEqual(fields?.[1], { name: "Login Template", value: "html.form.login.template.html" });
};

const assertNoSecretIn = (text: string, where: string) => {
  for (const secret of everySecret) assert.ok(!text.includes(secret), `${where} shows ${secret}`);
};

describe("secrets under any secret-like name", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const key = await server.request("POST", "/keyPairs/signing/generate", { id: "sig1" });
    assert.equal(key.statusCode, 201, key.body);
  });
  after(() => server.dispose());

  it("seals them on create and shows them only as encryptedValue, in the API and in storage", async () => {
    const created = await server.request("POST", "/idp/spConnections", connection());
    assert.equal(created.statusCode, 201, created.body);
    assertNoSecretIn(created.body, "the create answer");
    assertShownSealed(created.json() as SpConnection);
    const got = await server.request("GET", "/idp/spConnections/odd");
    assertNoSecretIn(got.body, "GET");
    assertShownSealed(got.json() as SpConnection);
    const stored = await server.context.store.connections.get("odd");
    assertNoSecretIn(JSON.stringify(stored), "the database");
    const sealed = settingsOf(stored?.document ?? connection()).get("client_secret")?.encryptedValue ?? "";
    assert.equal(
      server.context.secretBox.openText(sealed, "spConnection.targetSettings:client_secret"),
      secrets.client_secret,
    );
  });

  it("keeps them when a PUT echoes their encryptedValue, and never in clear in the bulk export", async () => {
    const got = (await server.request("GET", "/idp/spConnections/odd")).json() as SpConnection;
    got.name = "Odd names (renamed)";
    const put = await server.request("PUT", "/idp/spConnections/odd", got);
    assert.equal(put.statusCode, 200, put.body);
    assertNoSecretIn(put.body, "the PUT answer");
    const stored = await server.context.store.connections.get("odd");
    const token = settingsOf(stored?.document ?? connection()).get("REFRESH_TOKEN")?.encryptedValue ?? "";
    assert.equal(
      server.context.secretBox.openText(token, "spConnection.targetSettings:REFRESH_TOKEN"),
      secrets.REFRESH_TOKEN,
    );
    const exported = await server.request("GET", "/portico/config/export");
    assert.equal(exported.statusCode, 200);
    assertNoSecretIn(exported.body, "the bulk export");
    const bundle = exported.json() as { spConnections: SpConnection[] };
    const document = bundle.spConnections.find((c) => c.id === "odd");
    assert.ok(document);
    assertShownSealed(document);
  });

  it("refuses an encryptedValue on a field that is not a secret", async () => {
    const got = (await server.request("GET", "/idp/spConnections/odd")).json() as SpConnection;
    const domain = settingsOf(got).get("SALESFORCE_DOMAIN");
    assert.ok(domain);
    domain.encryptedValue = settingsOf(got).get("API_KEY")?.encryptedValue ?? "";
    delete domain.value;
    const put = await server.request("PUT", "/idp/spConnections/odd", got);
    assertProblem(put, "CONN_INVALID");
    assert.match(put.json().detail, /SALESFORCE_DOMAIN is not a secret/);
  });

  it("seals at start-up a secret stored in clear before this rule, and never shows it meanwhile", async () => {
    const record = await server.context.store.connections.get("odd");
    assert.ok(record);
    const document = structuredClone(record.document);
    const legacy = settingsOf(document).get("REFRESH_TOKEN");
    assert.ok(legacy);
    delete legacy.encryptedValue;
    legacy.value = "stored-in-clear-token-7";
    await server.context.store.connections.update({ ...record, document });

    const shown = await server.request("GET", "/idp/spConnections/odd");
    assert.ok(!shown.body.includes("stored-in-clear-token-7"), "GET never shows a stored plain secret");
    assert.match(settingsOf(shown.json()).get("REFRESH_TOKEN")?.encryptedValue ?? "", /^v2\./);

    await bootstrap(server.context, { adminPassword: undefined });
    const after = await server.context.store.connections.get("odd");
    assert.ok(!JSON.stringify(after).includes("stored-in-clear-token-7"), "sealed in storage");
    const token = settingsOf(after?.document ?? document).get("REFRESH_TOKEN")?.encryptedValue ?? "";
    assert.equal(
      server.context.secretBox.openText(token, "spConnection.targetSettings:REFRESH_TOKEN"),
      "stored-in-clear-token-7",
    );
    const audit = await server.request("GET", "/auditLog");
    assert.match(audit.body, /spConnection\.sealSecrets/);
    assert.ok(!audit.body.includes("stored-in-clear-token-7"));
  });
});
