import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPostgresDatabase, type TestDatabase } from "../support/databases.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  browserInject,
  cookieJar,
  createDirectoryUser,
  createSalesforceConnection,
  readPostForm,
  spEntityId,
  submitSignInForm,
} from "../support/sso.ts";

/** The whole server on PostgreSQL (the clustered setup), not only its repositories. */
describe("Portico on PostgreSQL", () => {
  let database: TestDatabase;
  let server: TestServer;
  before(async () => {
    database = await createPostgresDatabase();
    server = await startTestServer({ databaseUrl: database.url });
  });
  after(async () => {
    await server?.dispose();
    await database?.drop();
  });

  it("bootstraps, stores a connection and a user, and signs the user in", async () => {
    assert.equal(server.context.store.dialect, "postgres");
    assert.equal((await server.request("GET", "/keyPairs/signing")).json().items.length, 1);
    await createDirectoryUser(server);
    await createSalesforceConnection(server);
    const jar = cookieJar();
    const login = await browserInject(server.runtimeApp, jar, {
      method: "GET",
      url: `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
    });
    const posted = await submitSignInForm(server.runtimeApp, jar, login.body, "ada", "ada-password-1");
    jar.take(posted);
    assert.ok(readPostForm(posted.body).samlResponse);
    const again = await server.runtimeApp.inject({
      method: "GET",
      url: `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(spEntityId)}`,
      headers: { cookie: jar.header() },
    });
    assert.ok(readPostForm(again.body).samlResponse, "the session lives in PostgreSQL");
    const exported = await server.request("GET", "/portico/config/export");
    assert.equal(exported.json().spConnections.length, 1);
  });
});
