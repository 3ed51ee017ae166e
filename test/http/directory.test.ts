import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { authenticateUser } from "../../src/services/directory/users.ts";
import { assertProblem } from "../support/errors.ts";
import { adminPassword, api, basicAuth, startTestServer, type TestServer } from "../support/server.ts";

const password = "Ada-Secret-Passphrase-1815";
const laterPassword = "Analytical-Engine-1843";

describe("admin API: the built-in directory", () => {
  let server: TestServer;
  const responses: LightMyRequestResponse[] = [];

  type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Every call is kept, so the last test can show no response ever held a password. */
  const call = async (
    method: Method,
    path: string,
    body?: unknown,
    options: { raw?: string; contentType?: string } = {},
  ) => {
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await server.adminApp.inject({
      method,
      url: `${api}${path}`,
      headers: {
        authorization: basicAuth("admin", adminPassword),
        ...(method === "GET" ? {} : { "x-xsrf-header": "test" }),
        ...(payload === undefined ? {} : { "content-type": options.contentType ?? "application/json" }),
      },
      ...(payload === undefined ? {} : { payload }),
    });
    responses.push(response);
    return response;
  };
  const snapshot = async () => ({
    users: await server.context.store.directory.listUsers({ limit: 1000 }),
    groups: await server.context.store.directory.listGroups(),
    changes: await server.context.store.directory.listChanges({ afterSeq: 0, limit: 10_000 }),
  });

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it("creates a user from a flat LDAP-style document and shows it without the password", async () => {
    const created = await call("POST", "/directory/users", {
      uid: "ada",
      password,
      mail: "ada@acme.com",
      givenName: "Ada",
      sn: "Lovelace",
      telephoneNumber: ["+44 20 7946 0001", "+44 20 7946 0002"],
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, `${api}/directory/users/ada`);
    assert.deepEqual(created.json(), {
      uid: "ada",
      enabled: true,
      hasPassword: true,
      groups: [],
      createdAt: created.json().createdAt,
      updatedAt: created.json().createdAt,
      mail: "ada@acme.com",
      givenName: "Ada",
      sn: "Lovelace",
      telephoneNumber: ["+44 20 7946 0001", "+44 20 7946 0002"],
    });
    const fetched = await call("GET", "/directory/users/ADA");
    assert.equal(fetched.statusCode, 200);
    assert.equal(fetched.json().uid, "ada", "uids are found whatever their case");
    const user = await authenticateUser(server.context, "ada", password);
    assert.equal(user?.uid, "ada", "the password given at creation signs in");
  });

  it("changes a user with PATCH: given attributes replace, null removes, the rest stays", async () => {
    const patched = await call("PATCH", "/directory/users/ada", {
      title: "Countess",
      telephoneNumber: null,
      sn: ["King", "Lovelace"],
      hasPassword: true,
      createdAt: "ignored",
    });
    assert.equal(patched.statusCode, 200, patched.body);
    const body = patched.json();
    assert.equal(body.title, "Countess");
    assert.equal(body.telephoneNumber, undefined);
    assert.deepEqual(body.sn, ["King", "Lovelace"]);
    assert.equal(body.mail, "ada@acme.com");
    assert.notEqual(body.createdAt, "ignored", "read-only fields are ignored");
  });

  it("sets a password, disables and enables a user", async () => {
    const set = await call("PUT", "/directory/users/ada/password", { password: laterPassword });
    assert.equal(set.statusCode, 204, set.body);
    assert.equal(await authenticateUser(server.context, "ada", password), undefined);
    assert.equal((await authenticateUser(server.context, "ada", laterPassword))?.uid, "ada");

    const disabled = await call("POST", "/directory/users/ada/disable");
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(disabled.json().enabled, false);
    assert.equal(await authenticateUser(server.context, "ada", laterPassword), undefined, "cannot sign in");
    const enabled = await call("POST", "/directory/users/ada/enable");
    assert.equal(enabled.json().enabled, true);
    const viaPatch = await call("PATCH", "/directory/users/ada", { enabled: false });
    assert.equal(viaPatch.json().enabled, false);
    await call("PATCH", "/directory/users/ada", { enabled: true });
  });

  it("manages groups and their members; a user shows its groups", async () => {
    assert.equal(
      (await call("POST", "/directory/users", { uid: "grace", mail: "grace@acme.com" })).statusCode,
      201,
    );
    const created = await call("POST", "/directory/groups", {
      cn: "Sales EMEA",
      description: "Sales in Europe",
      members: ["ADA"],
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, `${api}/directory/groups/Sales%20EMEA`);
    assert.deepEqual(created.json().members, ["ada"]);

    const added = await call("PUT", "/directory/groups/sales%20emea/members/grace");
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(added.json().members, ["ada", "grace"]);
    assert.deepEqual((await call("GET", "/directory/users/grace")).json().groups, ["Sales EMEA"]);

    const removed = await call("DELETE", "/directory/groups/Sales%20EMEA/members/ada");
    assert.deepEqual(removed.json().members, ["grace"]);
    const replaced = await call("PATCH", "/directory/groups/Sales%20EMEA", {
      members: ["ada"],
      description: null,
    });
    assert.equal(replaced.statusCode, 200, replaced.body);
    assert.deepEqual(replaced.json(), { ...replaced.json(), members: ["ada"], description: null });

    const listed = await call("GET", "/directory/groups");
    assert.deepEqual(
      listed.json().items.map((g: { cn: string }) => g.cn),
      ["Sales EMEA"],
    );
    assert.equal((await call("DELETE", "/directory/groups/Sales%20EMEA")).statusCode, 204);
    assertProblem(await call("GET", "/directory/groups/Sales%20EMEA"), "DIR_GROUP_NOT_FOUND");
    assert.deepEqual((await call("GET", "/directory/users/ada")).json().groups, []);
  });

  it("lists users a page at a time and filters on uid, mail or cn", async () => {
    for (const uid of ["u1", "u2", "u3"]) {
      await call("POST", "/directory/users", { uid, cn: `Paging user ${uid}` });
    }
    const first = await call("GET", "/directory/users?limit=2");
    assert.deepEqual(
      first.json().items.map((u: { uid: string }) => u.uid),
      ["ada", "grace"],
    );
    const next = await call("GET", "/directory/users?limit=2&after=grace");
    assert.deepEqual(
      next.json().items.map((u: { uid: string }) => u.uid),
      ["u1", "u2"],
    );
    const filtered = await call("GET", "/directory/users?filter=PAGING%20USER");
    assert.deepEqual(
      filtered.json().items.map((u: { uid: string }) => u.uid),
      ["u1", "u2", "u3"],
    );
    const byMail = await call("GET", "/directory/users?filter=acme.com");
    assert.deepEqual(
      byMail.json().items.map((u: { uid: string }) => u.uid),
      ["ada", "grace"],
    );
    assertProblem(await call("GET", "/directory/users?limit=0"), "REQ_VALIDATION");
  });

  it("imports CSV sent as text/csv or as JSON {csv}, and reports what it created", async () => {
    const csv = [
      "uid,mail,givenName,sn,password,groups",
      `katherine,katherine@nasa.gov,Katherine,Johnson,${password},Computing;Flight Research`,
      'mary,mary@nasa.gov,Mary,"Jackson",,Computing',
    ].join("\r\n");
    const asText = await call("POST", "/directory/users/import", undefined, {
      raw: csv,
      contentType: "text/csv",
    });
    assert.equal(asText.statusCode, 200, asText.body);
    assert.deepEqual(asText.json(), {
      imported: 2,
      users: ["katherine", "mary"],
      groupsCreated: ["Computing", "Flight Research"],
    });
    assert.deepEqual((await call("GET", "/directory/users/katherine")).json().groups, [
      "Computing",
      "Flight Research",
    ]);
    const asJson = await call("POST", "/directory/users/import", { csv: "uid,sn\ndorothy,Vaughan\n" });
    assert.equal(asJson.statusCode, 200, asJson.body);
    assert.equal((await call("GET", "/directory/users/dorothy")).json().sn, "Vaughan");
  });

  it("imports nothing from a CSV with one bad row, naming its line and column", async () => {
    const before = await snapshot();
    const csv = "uid,mail\nnew1,new1@acme.com\nnew2,not-an-address\nnew3,new3@acme.com\n";
    const response = await call("POST", "/directory/users/import", undefined, {
      raw: csv,
      contentType: "text/csv",
    });
    assertProblem(response, "DIR_CSV_INVALID");
    assert.equal(response.json().errors[0].field, "line 3, column mail");
    assert.deepEqual(await snapshot(), before);
  });

  it("documents the directory in the OpenAPI document", async () => {
    const document = (await call("GET", "/openapi.json")).json();
    for (const path of [
      "/directory/users",
      "/directory/users/{uid}",
      "/directory/users/{uid}/password",
      "/directory/users/import",
      "/directory/groups/{cn}",
      "/directory/groups/{cn}/members/{uid}",
    ]) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    const body = document.paths["/directory/users"].post.requestBody.content["application/json"].schema;
    assert.ok(body.properties.uid && body.additionalProperties, "the flat user document is described");
  });

  it("deletes a user, and never shows, logs or audits a password or its hash", async () => {
    assert.equal((await call("DELETE", "/directory/users/grace")).statusCode, 204);
    assert.equal((await call("GET", "/directory/users/grace")).statusCode, 404);
    const audit = JSON.stringify(await server.context.store.auditLog.list({ limit: 1000 }));
    assert.match(audit, /directoryUser\.setPassword/);
    for (const text of [...responses.map((r) => r.body), server.logs(), audit]) {
      for (const secret of [password, laterPassword, "scrypt$", "passwordHash"]) {
        assert.ok(!text.includes(secret), `${secret} leaked into: ${text.slice(0, 200)}`);
      }
    }
  });
});
