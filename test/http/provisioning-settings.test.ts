import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { salesforceSettings } from "../../src/provisioning/salesforce/settings.ts";
import { assertProblem } from "../support/errors.ts";
import {
  connectionWithTarget,
  refreshTokenFor,
  refreshTokenSettings,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from "../support/salesforce.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/**
 * The Salesforce target settings on the admin API: checked when a connection is saved (complete
 * only once a channel is active), described by `/idp/connectors/descriptors`, and their secrets —
 * and every token Portico gets — never shown by the API or written to the log.
 */

type Setting = { name: string; value?: string; encryptedValue?: string };
const settingsOf = (document: { outboundProvision?: { targetSettings: Setting[] } }) =>
  new Map((document.outboundProvision?.targetSettings ?? []).map((s) => [s.name, s]));

describe("Salesforce target settings", () => {
  let sf: SalesforceEmulator;
  let server: TestServer;

  before(async () => {
    sf = await startSalesforceEmulator({ rotateRefreshTokens: true });
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
    await sf.close();
  });

  it("are refused on save when a name is mistyped or a value is bad, naming the setting, and nothing is stored", async () => {
    const typo = await server.request(
      "POST",
      "/idp/spConnections",
      connectionWithTarget("typo", { CLIENT_ID: "x", CLIENT_SECRT: "s" }),
    );
    assertProblem(typo, "CONN_INVALID");
    assert.equal(
      typo.json().detail,
      "outboundProvision.targetSettings[1] (CLIENT_SECRT): is not a setting of the Salesforce connector; did you mean CLIENT_SECRET?",
    );
    assert.equal((await server.request("GET", "/idp/spConnections/typo")).statusCode, 404);

    const good = connectionWithTarget("kept", {
      SALESFORCE_DOMAIN: "acme.my.salesforce.com",
      CLIENT_ID: "x",
    });
    assert.equal((await server.request("POST", "/idp/spConnections", good)).statusCode, 201);
    const before = (await server.request("GET", "/idp/spConnections/kept")).json();
    const bad = connectionWithTarget("kept", {
      SALESFORCE_DOMAIN: "http://acme.my.salesforce.com",
      AUTH_METHOD: "OAUTH",
    });
    const refused = await server.request("PUT", "/idp/spConnections/kept", bad);
    assert.equal(refused.statusCode, 422);
    assert.deepEqual(
      refused.json().errors.map((e: { field: string }) => e.field),
      [
        "outboundProvision.targetSettings[0] (SALESFORCE_DOMAIN)",
        "outboundProvision.targetSettings[1] (AUTH_METHOD)",
      ],
    );
    assert.deepEqual(
      (await server.request("GET", "/idp/spConnections/kept")).json(),
      before,
      "stored data untouched",
    );
  });

  it("may be incomplete while no channel is active, and must be complete once one is", async () => {
    const draft = connectionWithTarget("draft", { AUTH_METHOD: "JWT_BEARER", CLIENT_ID: "3MVG9.x" });
    draft.outboundProvision?.channels.push({
      name: "Staff",
      active: false,
      channelSource: { dataSource: { id: "builtin" } },
      attributeMapping: [{ fieldName: "Username", saasFieldInfo: { attributeNames: ["mail"] } }],
    });
    assert.equal((await server.request("POST", "/idp/spConnections", draft)).statusCode, 201);
    const channel = draft.outboundProvision?.channels[0];
    if (channel) channel.active = true;
    const activated = await server.request("PUT", "/idp/spConnections/draft", draft);
    assert.equal(activated.statusCode, 422);
    assert.deepEqual(
      activated.json().errors.map((e: { field: string; message: string }) => `${e.field}: ${e.message}`),
      [
        'outboundProvision.targetSettings (JWT_USERNAME): is required when AUTH_METHOD is JWT_BEARER (channel "Staff" is active)',
        'outboundProvision.targetSettings (JWT_SIGNING_CERTIFICATE): is required when AUTH_METHOD is JWT_BEARER (channel "Staff" is active)',
      ],
    );
    const withKey = connectionWithTarget("draft", {
      AUTH_METHOD: "JWT_BEARER",
      CLIENT_ID: "3MVG9.x",
      JWT_USERNAME: "api@acme.example.com",
      JWT_SIGNING_CERTIFICATE: "no-such-key",
    });
    const unknownKey = await server.request("PUT", "/idp/spConnections/draft", withKey);
    assert.equal(unknownKey.statusCode, 422);
    assert.match(unknownKey.json().detail, /\(JWT_SIGNING_CERTIFICATE\): no signing key pair "no-such-key"/);
  });

  it("keep the JWT signing key pair they name from being deleted", async () => {
    assert.equal(
      (await server.request("POST", "/keyPairs/signing/generate", { id: "jwt-key" })).statusCode,
      201,
    );
    const document = connectionWithTarget("jwt", {
      AUTH_METHOD: "JWT_BEARER",
      CLIENT_ID: "3MVG9.x",
      JWT_USERNAME: "api@acme.example.com",
      JWT_SIGNING_CERTIFICATE: "jwt-key",
    });
    assert.equal((await server.request("POST", "/idp/spConnections", document)).statusCode, 201);
    const refused = await server.request("DELETE", "/keyPairs/signing/jwt-key");
    assertProblem(refused, "KEY_IN_USE");
    assert.match(refused.json().detail, /\(jwt\)/);
  });

  it("are described by /idp/connectors/descriptors as PingFederate describes a connector", async () => {
    const list = await server.request("GET", "/idp/connectors/descriptors");
    assert.equal(list.statusCode, 200);
    const [descriptor] = list.json().items;
    assert.equal(descriptor.id, "SalesforceProvisioner");
    type Field = {
      name: string;
      type: string;
      required: boolean;
      defaultValue?: string;
      optionValues?: unknown[];
    };
    const fields = new Map<string, Field>(descriptor.configDescriptor.fields.map((f: Field) => [f.name, f]));
    assert.deepEqual(
      [...fields.keys()],
      salesforceSettings.map((s) => s.name),
    );
    assert.deepEqual(
      [...fields.values()].filter((f) => f.type === "HASHED_TEXT").map((f) => f.name),
      ["CLIENT_SECRET", "OAUTH_ACCESS_TOKEN", "OAUTH_REFRESH_TOKEN"],
    );
    assert.equal(fields.get("CLIENT_ID")?.required, true);
    assert.equal(fields.get("CREATE_USERS")?.type, "CHECK_BOX");
    assert.equal(fields.get("CREATE_USERS")?.defaultValue, "true");
    assert.equal(fields.get("AUTH_METHOD")?.optionValues?.length, 3);
    assert.deepEqual(fields.get("PERMISSION_SET_MANAGEMENT")?.optionValues, [
      { name: "Merge with permission sets in Salesforce", value: "Merge with permission sets in Salesforce" },
      { name: "Overwrite permission sets in Salesforce", value: "Overwrite permission sets in Salesforce" },
    ]);
    const one = await server.request("GET", "/idp/connectors/descriptors/SalesforceProvisioner");
    assert.deepEqual(one.json(), descriptor);
    const unknown = await server.request("GET", "/idp/connectors/descriptors/ScimProvisioner");
    assertProblem(unknown, "REQ_NOT_FOUND");
    const openapi = (await server.request("GET", "/openapi.json")).json() as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      "/idp/connectors/descriptors",
      "/idp/connectors/descriptors/{id}",
      "/provisioning/connections/{connectionId}/test",
      "/provisioning/connections/{connectionId}/oauth/start",
    ]) {
      assert.ok(openapi.paths[path], `${path} is documented`);
    }
    // `curl -X POST …/run` needs no body: the document must not tell generated clients otherwise.
    const channel = "/provisioning/connections/{connectionId}/channels/{channelName}";
    const bodyOf = (path: string) =>
      (openapi.paths[path] as { post?: { requestBody?: { required?: boolean } } } | undefined)?.post
        ?.requestBody;
    for (const action of ["run", "retry", "preview"])
      assert.equal(bodyOf(`${channel}/${action}`)?.required, false, `${action}: the body is optional`);
    assert.equal(bodyOf(`${channel}/provisionUser`)?.required, true, "provisionUser needs its user");
  });

  it("never show a secret or a token Portico got, in the API or in the log", async () => {
    const configured = await refreshTokenFor(sf);
    const created = await server.request(
      "POST",
      "/idp/spConnections",
      connectionWithTarget("live", refreshTokenSettings(sf, configured)),
    );
    assert.equal(created.statusCode, 201);
    assert.equal((await server.request("POST", "/provisioning/connections/live/test")).statusCode, 200);
    const failed = connectionWithTarget("dead", refreshTokenSettings(sf, "5Aep861.not.a.live.token"));
    assert.equal((await server.request("POST", "/idp/spConnections", failed)).statusCode, 201);
    assert.equal((await server.request("POST", "/provisioning/connections/dead/test")).statusCode, 422);

    const shown = (await server.request("GET", "/idp/spConnections/live")).json();
    for (const name of ["CLIENT_SECRET", "OAUTH_REFRESH_TOKEN"]) {
      assert.equal(settingsOf(shown).get(name)?.value, undefined, name);
      assert.match(settingsOf(shown).get(name)?.encryptedValue ?? "", /^v2\./, name);
    }
    const state = await sf.control<{ tokens: { access: { token: string }[]; refresh: { token: string }[] } }>(
      "GET",
      "/state",
    );
    const secrets = [
      sf.org.clientSecret,
      configured,
      ...state.tokens.access.map((t) => t.token),
      ...state.tokens.refresh.map((t) => t.token),
    ];
    assert.ok(state.tokens.refresh.length >= 2, "the refresh rotated");
    const texts = {
      connection: JSON.stringify(shown),
      list: (await server.request("GET", "/idp/spConnections")).body,
      export: (await server.request("GET", "/portico/config/export")).body,
      log: server.logs(),
    };
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of secrets) assert.equal(text.includes(secret), false, `${where} holds a secret`);
    }
    assert.match(texts.log, /Salesforce token request failed/, "the failure was logged, without the token");
  });
});
