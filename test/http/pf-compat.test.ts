import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { referenceCollections } from "../../src/domain/references.ts";
import { isSecretFieldName, type SpConnection } from "../../src/domain/sp-connection.ts";
import { assertProblem } from "../support/errors.ts";
import { pfCompatExamplesDir } from "../support/pf-compat.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { browserInject, cookieJar, createDirectoryUser, readPostForm } from "../support/sso.ts";

/**
 * Five SP connections exported from real PingFederate deployments (../shared/pf-compat/, whose
 * SOURCES.md says where each comes from) are accepted unchanged and read back field by field.
 * What the server owns and so does not echo is listed in `expectedBack` (docs/pingfederate-import.md).
 */

const examplesDir = pfCompatExamplesDir();
const exampleFiles = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const example = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${examplesDir}${file}`, "utf8"));
const named = (prefix: string): string => {
  const file = exampleFiles.find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no example ${prefix}`);
  return file;
};

/** The data store example 03's LDAP attribute source names. */
const ldapSourceStore = "LDAP-E05B47F83CF3FA5B4C07A87D90E209BD1350C03E";

/** The test server's admin API as inject() reaches it. */
const apiBase = "http://localhost:80/pf-admin-api/v1";

/** Every known reference's location, rewritten to this server's (the only change to a reference). */
const relocate = (node: unknown): void => {
  if (Array.isArray(node)) {
    node.forEach(relocate);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    const collection = referenceCollections[key];
    for (const link of collection ? (Array.isArray(value) ? value : [value]) : []) {
      if (link && typeof link.id === "string") link.location = `${apiBase}/${collection}/${link.id}`;
    }
    relocate(value);
  }
};

/**
 * What a GET returns for a posted example: everything as sent, except what the server owns —
 * `creationDate`/`modificationDate` (this server's), `replicationStatus` (a PingFederate cluster's,
 * dropped), `spBrowserSso.ssoApplicationEndpoint` and `certView` (computed here), `id`/`type`
 * when absent (assigned), references' `location` (this server's), and secrets (sealed here).
 */
const expectedBack = (sent: Record<string, unknown>, returned: SpConnection): Record<string, unknown> => {
  const copy = structuredClone(sent) as Record<string, any>;
  delete copy.creationDate;
  delete copy.modificationDate;
  delete copy.replicationStatus;
  copy.id ??= returned.id;
  copy.type ??= "SP";
  copy.active ??= false;
  if (copy.spBrowserSso)
    copy.spBrowserSso.ssoApplicationEndpoint = returned.spBrowserSso?.ssoApplicationEndpoint;
  for (const cert of copy.credentials?.certs ?? []) cert.certView = "<computed>";
  for (const setting of copy.outboundProvision?.targetSettings ?? []) {
    if (isSecretFieldName(setting.name) && setting.value !== undefined) {
      delete setting.value;
      setting.encryptedValue = "<sealed>";
    }
  }
  relocate(copy);
  return copy;
};

/** The returned document with what cannot be predicted replaced by placeholders. */
const normalized = (returned: SpConnection): Record<string, unknown> => {
  const copy = structuredClone(returned) as Record<string, any>;
  delete copy.creationDate;
  delete copy.modificationDate;
  for (const cert of copy.credentials?.certs ?? []) if (cert.certView) cert.certView = "<computed>";
  for (const setting of copy.outboundProvision?.targetSettings ?? []) {
    if (setting.encryptedValue !== undefined) setting.encryptedValue = "<sealed>";
  }
  return copy;
};

const warningsOf = (headers: Record<string, unknown>): string[] => {
  const header = headers["portico-warnings"];
  return typeof header === "string" ? (JSON.parse(header) as string[]) : [];
};

describe("PingFederate exports imported unchanged", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    // SOURCES.md: the key pairs the examples reference exist before they are posted.
    for (const [id, keyAlgorithm] of [
      ["devsigningcert", "RSA"],
      ["c8ywzxx0zuqltp709mtvjayu6", "RSA"],
      ["rsaprevious", "RSA"],
      ["ec256previous", "EC"],
      ["func-tests-demo", "RSA"],
    ]) {
      const key = await server.request("POST", "/keyPairs/signing/generate", {
        id,
        commonName: `${id}.example.com`,
        keyAlgorithm,
      });
      assert.equal(key.statusCode, 201, key.body);
    }
    // And the LDAP data store that 03's attribute source searches: a connection may not name one
    // that does not exist (tested below).
    const store = await server.request("POST", "/dataStores", {
      type: "LDAP",
      id: ldapSourceStore,
      name: "PingDirectory of example 03",
      ldapType: "PING_DIRECTORY",
      hostnames: ["pingdirectory.example.com"],
      bindAnonymously: true,
    });
    assert.equal(store.statusCode, 201, store.body);
  });
  after(() => server.dispose());

  it("finds the five examples in ../shared", () => {
    assert.equal(exampleFiles.length, 5, exampleFiles.join(", "));
  });

  for (const file of exampleFiles) {
    it(`accepts ${file} and reads it back field by field`, async () => {
      const sent = example(file);
      const created = await server.request("POST", "/idp/spConnections", sent);
      assert.equal(created.statusCode, 201, created.body);
      const returned = created.json() as SpConnection;
      assert.ok(returned.creationDate && returned.modificationDate, "the server dates it");
      assert.deepEqual(normalized(returned), expectedBack(sent, returned));
      const got = await server.request("GET", `/idp/spConnections/${encodeURIComponent(returned.id ?? "")}`);
      assert.equal(got.statusCode, 200, got.body);
      assert.deepEqual(normalized(got.json() as SpConnection), expectedBack(sent, returned));
      for (const secret of ["PINGID_PROPERTIES_FILE", "secret", "password"]) {
        assert.ok(!got.body.includes(`"value":"${secret}`), "no secret comes back in clear");
      }
    });
  }

  it("points every reference at this server, existing or not (an adapter Portico does not have)", async () => {
    const got = (await server.request("GET", "/idp/spConnections/DtNq7o1cOfzgVvcBxAkkfRejJRG")).json();
    const source = got.spBrowserSso.adapterMappings[0].attributeSources[0];
    assert.equal(source.dataStoreRef.location, `${apiBase}/dataStores/${ldapSourceStore}`);
    assert.equal(
      got.credentials.signingSettings.signingKeyPairRef.location,
      `${apiBase}/keyPairs/signing/c8ywzxx0zuqltp709mtvjayu6`,
    );
    assert.equal(got.spBrowserSso.adapterMappings[0].idpAdapterRef.location, `${apiBase}/idp/adapters/001`);
    const wsTrust = (await server.request("GET", "/idp/spConnections/IENFjGICXt3YsBKNxHSzkN28LWg")).json();
    assert.equal(
      wsTrust.wsTrust.tokenProcessorMappings[0].idpTokenProcessorRef.location,
      `${apiBase}/idp/tokenProcessors/UsernameTokenProcessor`,
    );
  });

  it("reports what it stores without serving in the Portico-Warnings header", async () => {
    const wsTrust = await server.request("GET", "/idp/spConnections/IENFjGICXt3YsBKNxHSzkN28LWg");
    const warnings = warningsOf(wsTrust.headers);
    assert.ok(
      warnings.some((w) => w.startsWith("wsTrust: WS-Trust") && w.includes("stored as sent")),
      warnings.join("\n"),
    );
    assert.ok(
      warnings.some((w) => w.includes("serves nothing")),
      warnings.join("\n"),
    );
    const policy = await server.request("GET", "/idp/spConnections/gpFvXmhDHSRUSHWLZLZ_XBIU_YK");
    assert.ok(
      warningsOf(policy.headers).some((w) => w.includes('contract "Zxp6N6W5PH9onACT"')),
      JSON.stringify(policy.headers),
    );
    const plain = await server.request("GET", "/idp/spConnections/DtNq7o1cOfzgVvcBxAkkfRejJRG");
    assert.deepEqual(warningsOf(plain.headers), [], "an ordinary SAML connection has nothing to report");

    const artifact = example(named("03"));
    Object.assign(artifact, { id: "artifact", entityId: "urn:artifact", active: false });
    Object.assign(artifact.spBrowserSso as object, {
      artifact: { lifetime: 60, resolverLocations: [{ index: 0, url: "https://sp.example.com/ars" }] },
    });
    Object.assign(artifact.credentials as object, { decryptionKeyPairRef: { id: "devsigningcert" } });
    const created = await server.request("POST", "/idp/spConnections", artifact);
    assert.equal(created.statusCode, 201, created.body);
    const reported = warningsOf(created.headers);
    assert.ok(
      reported.some((w) => w.startsWith("spBrowserSso.artifact: SAML artifact")),
      reported.join("\n"),
    );
    assert.ok(
      reported.some((w) => w.startsWith("credentials.decryptionKeyPairRef:")),
      reported.join("\n"),
    );
    assert.deepEqual(created.json().spBrowserSso.artifact, (artifact.spBrowserSso as any).artifact);
  });

  it("refuses what it cannot store honestly, naming the feature", async () => {
    const wsFed = example(named("03"));
    Object.assign(wsFed, { id: "wsfed", entityId: "urn:wsfed" });
    Object.assign(wsFed.spBrowserSso as object, { protocol: "WSFED", wsFedTokenType: "SAML11" });
    const refused = await server.request("POST", "/idp/spConnections", wsFed);
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(refused.json().detail, /spBrowserSso\.protocol: WS-Federation browser SSO is not supported/);
    // PingFederate's 422 fields, which its clients read, alongside problem+json's.
    assert.equal(refused.json().resultId, "validation_error");
    assert.equal(refused.json().message, refused.json().detail);
    assert.deepEqual(refused.json().validationErrors[0], {
      errorId: "invalid_value",
      fieldPath: "spBrowserSso.protocol",
      message: "WS-Federation browser SSO is not supported by Portico, which speaks SAML 2.0 (SAML20) only",
    });

    const backChannel = example(named("03"));
    Object.assign(backChannel, { id: "soap", entityId: "urn:soap" });
    Object.assign(backChannel.credentials as object, {
      inboundBackChannelAuth: { type: "INBOUND", httpBasicCredentials: { username: "u", password: "p4ss" } },
    });
    const soap = await server.request("POST", "/idp/spConnections", backChannel);
    assert.equal(soap.statusCode, 422, soap.body);
    assert.match(soap.json().detail, /back-channel \(SOAP\) authentication is not supported/);
    assert.ok(!soap.body.includes("p4ss"));
  });

  it("refuses an LDAP attribute source whose data store does not exist, naming the field, and keeps the store while it is used", async () => {
    const sent = example(named("03")) as any;
    Object.assign(sent, { id: "nostore", entityId: "urn:nostore" });
    sent.spBrowserSso.adapterMappings[0].attributeSources[0].dataStoreRef = { id: "LDAP-gone" };
    const refused = assertProblem(
      await server.request("POST", "/idp/spConnections", sent),
      "CONN_INVALID",
      422,
    );
    assert.deepEqual(refused.validationErrors, [
      {
        errorId: "invalid_value",
        fieldPath: "spBrowserSso.adapterMappings[0].attributeSources[0].dataStoreRef.id",
        message: 'no data store "LDAP-gone" (create it at /dataStores first)',
      },
    ]);
    assertProblem(await server.request("GET", "/idp/spConnections/nostore"), "CONN_NOT_FOUND", 404);
    const inUse = assertProblem(
      await server.request("DELETE", `/dataStores/${ldapSourceStore}`),
      "DATASTORE_IN_USE",
      409,
    );
    assert.match(
      inUse.detail,
      /connection "kavitha-sc" \(spBrowserSso\.adapterMappings\[0\]\.attributeSources\[0\]\.dataStoreRef\)/,
    );
  });

  it("refuses another server's encryptedValue, saying to resend the secret as value", async () => {
    const sent = example(named("05")) as any;
    sent.name = "PingID (copied)";
    sent.entityId = "urn:copied";
    const secret = sent.outboundProvision.targetSettings.find((s: any) => isSecretFieldName(s.name));
    delete secret.value;
    secret.encryptedValue =
      "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4Q0JDLUhTMjU2Iiwia2lkIjoiRW1JY1UxOVdueSJ9..abc.def.ghi";
    const refused = await server.request("POST", "/idp/spConnections", sent);
    assertProblem(refused, "CONN_ENCRYPTED_VALUE_INVALID", 422);
    assert.match(refused.json().detail, /not issued by this server.*resend the secret in clear as "value"/i);
  });

  it("signs a user in through a policy-contract mapping as it does through an adapter mapping", async () => {
    await createDirectoryUser(server);
    const sent = example(named("01")) as any;
    Object.assign(sent, { id: "policy-sso", entityId: "https://policy-sp.example.com", active: true });
    sent.spBrowserSso.attributeContract.extendedAttributes = [{ name: "mail" }, { name: "sn" }];
    Object.assign(
      sent.spBrowserSso.authenticationPolicyContractAssertionMappings[0].attributeContractFulfillment,
      {
        mail: { source: { type: "AUTHENTICATION_POLICY_CONTRACT" }, value: "mail" },
        sn: { source: { type: "EXPRESSION" }, value: "Upper([sn])" },
      },
    );
    const created = await server.request("POST", "/idp/spConnections", sent);
    assert.equal(created.statusCode, 201, created.body);

    const jar = cookieJar();
    const runtime = (method: "GET" | "POST", url: string, form?: Record<string, string>) =>
      browserInject(server.runtimeApp, jar, { method, url, form });
    const login = await runtime("GET", "/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Fpolicy-sp.example.com");
    const posted = await runtime("POST", "/idp/login", {
      resume: readPostForm(login.body).resume ?? "",
      username: "ada",
      password: "ada-password-1",
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const form = readPostForm(posted.body);
    const xml = Buffer.from(form.samlResponse ?? "", "base64").toString("utf8");
    assert.match(xml, /<saml:NameID[^>]*>ada<\/saml:NameID>/, "subject is the uid");
    assert.match(
      xml,
      /<saml:Attribute Name="mail"[^>]*>\s*<saml:AttributeValue[^>]*>ada@acme\.example\.com</,
    );
    assert.match(xml, /<saml:Attribute Name="sn"[^>]*>\s*<saml:AttributeValue[^>]*>LOVELACE</);

    const badExpression = structuredClone(sent);
    Object.assign(badExpression, { id: "policy-bad", entityId: "urn:policy-bad" });
    badExpression.spBrowserSso.authenticationPolicyContractAssertionMappings[0].attributeContractFulfillment.sn.value =
      "Upper([sn]";
    const refused = await server.request("POST", "/idp/spConnections", badExpression);
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(
      refused.body,
      /spBrowserSso\.authenticationPolicyContractAssertionMappings\[0\]\.attributeContractFulfillment\.sn\.value/,
    );
  });
});
