import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

/** `/passwordCredentialValidators` and `/idp/adapters/htmlform` over the admin API. */

type Problem = { code: string; detail: string; errors?: { field?: string; message: string }[] };
const pluginId = "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator";

const validator = (fields: Record<string, string>, overrides: Record<string, unknown> = {}) => ({
  id: "corpLdap",
  name: "Corporate LDAP",
  pluginDescriptorRef: { id: pluginId },
  configuration: {
    tables: [{ name: "Authentication Error Overrides", rows: [] }],
    fields: Object.entries(fields).map(([name, value]) => ({ name, value })),
  },
  attributeContract: { coreAttributes: [{ name: "DN" }, { name: "username" }], extendedAttributes: [] },
  ...overrides,
});

const fields = {
  "LDAP Datastore": "corp",
  "Search Base": "ou=people,dc=example,dc=com",
  "Search Filter": `(uid=${usernamePlaceholder})`,
  "Scope of Search": "Subtree",
  "Case-Sensitive Matching": "false",
  "Display Name Attribute": "displayName",
};

const credentialValidators = (ids: string[]) => ({
  configuration: {
    tables: [
      {
        name: "Credential Validators",
        rows: ids.map((id) => ({ fields: [{ name: "Password Credential Validator Instance", value: id }] })),
      },
    ],
  },
});

describe("password credential validators and the sign-in form's list", () => {
  let server: TestServer;
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
  });
  after(() => server.dispose());

  const refused = async (
    response: { statusCode: number; json(): unknown },
    status: number,
    code: string,
  ): Promise<Problem> => {
    assert.equal(response.statusCode, status, JSON.stringify(response.json()));
    const problem = response.json() as Problem;
    assert.equal(problem.code, code);
    return problem;
  };

  it("starts with the built-in directory alone in the sign-in form", async () => {
    const form = await server.request("GET", "/idp/adapters/htmlform");
    assert.equal(form.statusCode, 200, form.body);
    const body = form.json();
    assert.equal(
      body.pluginDescriptorRef.id,
      "com.pingidentity.adapters.htmlform.idp.HtmlFormIdpAuthnAdapter",
    );
    assert.deepEqual(body.configuration.tables[0].rows[0].fields, [
      { name: "Password Credential Validator Instance", value: "PorticoDirectory" },
    ]);
    await refused(await server.request("GET", "/idp/adapters/other"), 404, "ADAPTER_NOT_FOUND");
  });

  it("creates an LDAP validator in PingFederate's shape and reads it back field by field", async () => {
    const created = await server.request("POST", "/passwordCredentialValidators", validator(fields));
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, "/pf-admin-api/v1/passwordCredentialValidators/corpLdap");
    const read = (await server.request("GET", "/passwordCredentialValidators/corpLdap")).json();
    assert.equal(read.pluginDescriptorRef.id, pluginId);
    assert.match(read.pluginDescriptorRef.location, /passwordCredentialValidatorDescriptors/);
    assert.deepEqual(read.configuration, validator(fields).configuration, "PingFederate's other fields kept");
    const list = (await server.request("GET", "/passwordCredentialValidators")).json();
    assert.deepEqual(
      list.items.map((v: { id: string }) => v.id),
      ["corpLdap"],
    );
  });

  it("refuses a validator without its fields, with a filter that lacks the username or does not parse, or an unknown data store", async () => {
    const missing = await refused(
      await server.request("POST", "/passwordCredentialValidators", validator({}, { id: "v2", name: "v2" })),
      422,
      "PCV_INVALID",
    );
    assert.deepEqual(
      missing.errors?.map((e) => e.field),
      [
        "configuration.fields[LDAP Datastore]",
        "configuration.fields[Search Base]",
        "configuration.fields[Search Filter]",
      ],
    );
    const cases: [Record<string, string>, RegExp][] = [
      [{ "Search Filter": "(uid=ada)" }, /must use \$\{username\}/],
      [{ "Search Filter": `(uid=${usernamePlaceholder}` }, /missing "\)"|expected/],
      [{ "LDAP Datastore": "nope" }, /no data store "nope"/],
      [{ "Scope of Search": "Everywhere" }, /"One Level" or "Subtree"/],
    ];
    for (const [change, message] of cases) {
      const problem = await refused(
        await server.request(
          "POST",
          "/passwordCredentialValidators",
          validator({ ...fields, ...change }, { id: "v2", name: "v2" }),
        ),
        422,
        "PCV_INVALID",
      );
      assert.match(problem.detail, message);
    }
    await refused(
      await server.request(
        "POST",
        "/passwordCredentialValidators",
        validator(fields, { id: "v2", name: "v2", pluginDescriptorRef: { id: "org.example.Other" } }),
      ),
      422,
      "PCV_INVALID",
    );
    await refused(
      await server.request(
        "POST",
        "/passwordCredentialValidators",
        validator(fields, { id: "PorticoDirectory", name: "x" }),
      ),
      409,
      "PCV_ID_TAKEN",
    );
    await refused(
      await server.request("POST", "/passwordCredentialValidators", validator(fields)),
      409,
      "PCV_ID_TAKEN",
    );
  });

  it("lists validators in the sign-in form in order, and refuses unknown ones or an empty list", async () => {
    const put = await server.request(
      "PUT",
      "/idp/adapters/htmlform",
      credentialValidators(["corpLdap", "PorticoDirectory"]),
    );
    assert.equal(put.statusCode, 200, put.body);
    const rows = (await server.request("GET", "/idp/adapters/htmlform")).json().configuration.tables[0].rows;
    assert.deepEqual(
      rows.map((r: { fields: { value: string }[] }) => r.fields[0]?.value),
      ["corpLdap", "PorticoDirectory"],
    );
    const unknown = await refused(
      await server.request("PUT", "/idp/adapters/htmlform", credentialValidators(["corpLdap", "ghost"])),
      422,
      "ADAPTER_INVALID",
    );
    assert.match(unknown.detail, /no password credential validator "ghost"/);
    await refused(
      await server.request("PUT", "/idp/adapters/htmlform", credentialValidators([])),
      422,
      "ADAPTER_INVALID",
    );
  });

  it("will not delete a validator the form lists, nor the data store a validator uses", async () => {
    const inUse = await refused(
      await server.request("DELETE", "/passwordCredentialValidators/corpLdap"),
      409,
      "PCV_IN_USE",
    );
    assert.match(inUse.detail, /sign-in form/);
    const store = await refused(await server.request("DELETE", "/dataStores/corp"), 409, "DATASTORE_IN_USE");
    assert.match(store.detail, /password credential validator "Corporate LDAP"/);
    assert.equal(
      (await server.request("PUT", "/idp/adapters/htmlform", credentialValidators(["PorticoDirectory"])))
        .statusCode,
      200,
    );
    assert.equal((await server.request("DELETE", "/passwordCredentialValidators/corpLdap")).statusCode, 204);
    await refused(
      await server.request("GET", "/passwordCredentialValidators/corpLdap"),
      404,
      "PCV_NOT_FOUND",
    );
    assert.equal((await server.request("DELETE", "/dataStores/corp")).statusCode, 204);
  });

  it("audits each change, by field name", async () => {
    const events = (await server.request("GET", "/auditLog?limit=50")).json() as {
      items: { action: string; resourceId: string; detail: Record<string, unknown> | null }[];
    };
    const actions = events.items.map((e) => e.action);
    for (const action of [
      "passwordCredentialValidator.create",
      "passwordCredentialValidator.delete",
      "idpAdapter.update",
    ])
      assert.ok(actions.includes(action), action);
    assert.doesNotMatch(JSON.stringify(events.items), /ou=people/, "values stay out of the audit log");
  });
});
