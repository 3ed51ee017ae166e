import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createDirectoryUser, salesforceMetadata, spEntityId } from "../support/sso.ts";

/** The Salesforce template's Just-in-Time provisioning contract, and its validation (issue 9, item 7). */

describe("the Salesforce template's JIT contract", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  const convert = async (jit?: { profile: string }) => {
    const response = await server.request("POST", "/connectionMetadata/convert", {
      connectionType: "SP",
      samlMetadata: salesforceMetadata().toString("base64"),
      ...(jit === undefined ? {} : { jit }),
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().connection as SpConnection;
  };

  const create = (connection: SpConnection, id: string) =>
    server.request("POST", "/idp/spConnections", {
      ...connection,
      id,
      entityId: `${connection.entityId}/${id}`,
    });

  it("adds User.* attributes filled from the directory, the profile as a constant", async () => {
    const connection = await convert({ profile: "Standard User" });
    const sso = connection.spBrowserSso;
    const fulfillment = sso?.adapterMappings[0]?.attributeContractFulfillment ?? {};
    assert.deepEqual(
      (sso?.attributeContract.extendedAttributes ?? []).map((a) => [a.name, a.nameFormat]),
      [
        "User.Username",
        "User.Email",
        "User.FirstName",
        "User.LastName",
        "User.FederationIdentifier",
        "User.ProfileId",
      ].map((n) => [n, "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"]),
    );
    assert.deepEqual(fulfillment["User.LastName"], { source: { type: "ADAPTER" }, value: "sn" });
    assert.deepEqual(fulfillment["User.ProfileId"], { source: { type: "TEXT" }, value: "Standard User" });
    // Salesforce requires the Federation ID to be the subject: both come from the same source.
    assert.deepEqual(fulfillment["User.FederationIdentifier"], fulfillment.SAML_SUBJECT);
    const created = await create(connection, "jit-ok");
    assert.equal(created.statusCode, 201, created.body);
  });

  it("leaves JIT out unless asked", async () => {
    const connection = await convert();
    assert.deepEqual(connection.spBrowserSso?.attributeContract.extendedAttributes, []);
  });

  it("refuses a connection that turns JIT on without a field Salesforce requires, naming it", async () => {
    const connection = await convert({ profile: "Standard User" });
    const sso = connection.spBrowserSso;
    assert.ok(sso);
    sso.attributeContract.extendedAttributes = (sso.attributeContract.extendedAttributes ?? []).filter(
      (a) => a.name !== "User.LastName" && a.name !== "User.ProfileId",
    );
    const refused = await create(connection, "jit-missing");
    assertProblem(refused, "CONN_JIT_CONTRACT_INCOMPLETE", 422);
    assert.match(refused.json().detail, /requires User\.LastName, User\.ProfileId in the attribute contract/);
  });

  it("asks for the Contact and Account fields once the contract carries Experience Cloud ones", async () => {
    const connection = await convert({ profile: "Customer Community User" });
    const sso = connection.spBrowserSso;
    const mapping = sso?.adapterMappings[0];
    assert.ok(sso && mapping);
    sso.attributeContract.extendedAttributes?.push({ name: "Contact.Email" });
    mapping.attributeContractFulfillment["Contact.Email"] = { source: { type: "ADAPTER" }, value: "mail" };
    const refused = await create(connection, "jit-site");
    assertProblem(refused, "CONN_JIT_CONTRACT_INCOMPLETE");
    assert.match(refused.json().detail, /requires Contact\.LastName, Account\.Name, Account\.AccountNumber/);
  });
});

describe("sso test shows the JIT attributes a user would send", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createDirectoryUser(server, {
      uid: "nosn",
      password: "nosn-password-1",
      mail: "nosn@acme.example.com",
    });
    const converted = await server.request("POST", "/connectionMetadata/convert", {
      connectionType: "SP",
      samlMetadata: salesforceMetadata().toString("base64"),
      jit: { profile: "Standard User" },
    });
    const connection = converted.json().connection as SpConnection;
    const created = await server.request("POST", "/idp/spConnections", {
      ...connection,
      id: "sf",
      active: true,
    });
    assert.equal(created.statusCode, 201, created.body);
  });
  after(() => server.dispose());

  const test = (uid: string) => server.request("POST", "/sso/test", { partnerSpId: spEntityId, uid });

  it("lists each User.* attribute with the user's value, and passes when none required is empty", async () => {
    const result = (await test("ada")).json();
    assert.deepEqual(result.jit, {
      attributes: [
        { name: "User.Username", values: ["ada@acme.example.com"] },
        { name: "User.Email", values: ["ada@acme.example.com"] },
        { name: "User.FirstName", values: ["Ada"] },
        { name: "User.LastName", values: ["Lovelace"] },
        { name: "User.FederationIdentifier", values: ["ada@acme.example.com"] },
        { name: "User.ProfileId", values: ["Standard User"] },
      ],
      missing: [],
    });
    const check = result.checks.find((c: { name: string }) => c.name === "Salesforce JIT attributes");
    assert.equal(check?.ok, true);
    assert.equal(result.ok, true, JSON.stringify(result.checks.filter((c: { ok: boolean }) => !c.ok)));
  });

  it("fails the check, naming the attribute, for a user without a last name", async () => {
    const result = (await test("nosn")).json();
    assert.deepEqual(result.jit.missing, ["User.LastName"]);
    const check = result.checks.find((c: { name: string }) => c.name === "Salesforce JIT attributes");
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? "", /no value for User\.LastName.*JIT error 5/);
    assert.equal(result.ok, false);
  });
});
