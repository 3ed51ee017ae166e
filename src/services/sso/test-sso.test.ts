import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rejectsWithCode } from "../../../test/support/errors.ts";
import { startTestServer, type TestServer } from "../../../test/support/server.ts";
import {
  communityAcs,
  createDirectoryUser,
  createSalesforceConnection,
  orgAcs,
  spEntityId,
} from "../../../test/support/sso.ts";
import type { Store } from "../../domain/ports.ts";
import type { Principal } from "../admin-auth.ts";
import type { ServiceContext } from "../context.ts";
import { directoryAuthenticationSource } from "./directory-source.ts";
import { testSso } from "./test-sso.ts";

const actor: Principal = { name: "admin", kind: "admin", role: "ADMIN" };

/** The store, recording every repository method called through it as `repository.method`. */
const recordingStore = (store: Store, calls: string[]): Store =>
  new Proxy(store, {
    get(target, repository, receiver) {
      const value: unknown = Reflect.get(target, repository, receiver);
      if (typeof value !== "object" || value === null) return value;
      return new Proxy(value, {
        get(repo, method, repoReceiver) {
          const member: unknown = Reflect.get(repo, method, repoReceiver);
          if (typeof member !== "function") return member;
          return (...args: unknown[]) => {
            calls.push(`${String(repository)}.${String(method)}`);
            return member.apply(repo, args);
          };
        },
      });
    },
  });

describe("testSso", () => {
  let server: TestServer;
  let context: ServiceContext;
  const calls: string[] = [];
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createDirectoryUser(server, { uid: "nomail", password: "nomail-password-1", sn: "Nomail" });
    await createSalesforceConnection(server);
    context = { ...server.context, store: recordingStore(server.context.store, calls) };
  });
  after(() => server.dispose());

  const run = (input: { partnerSpId?: string; uid?: string; acsIndex?: number }) =>
    testSso(context, directoryAuthenticationSource(context), actor, {
      partnerSpId: input.partnerSpId ?? spEntityId,
      uid: input.uid ?? "ada",
      ...(input.acsIndex === undefined ? {} : { acsIndex: input.acsIndex }),
    });

  it("builds the signed Response a user would get and passes every check", async () => {
    calls.length = 0;
    const result = await run({});
    assert.deepEqual(
      result.checks.filter((c) => !c.ok),
      [],
    );
    assert.equal(result.ok, true);
    assert.equal(result.acsUrl, orgAcs);
    assert.equal(result.connection.entityId, spEntityId);
    assert.equal(result.summary.assertion?.nameId, "ada@acme.example.com");
    assert.equal(result.summary.assertion?.sessionIndex, "_sso-test");
    assert.match(result.xml, /^<samlp:Response [^>]*><saml:Issuer/, "the signed bytes, not indented");
    assert.match(result.prettyXml, /\n {2}<saml:Issuer/);
    assert.deepEqual(
      result.checks.slice(0, 2).map((c) => c.name),
      ["Connection active", "SSO profiles"],
    );
  });

  it("writes nothing but one audit event, which holds no assertion content", async () => {
    calls.length = 0;
    await run({});
    const writes = calls.filter((call) => !/\.(get\w*|list\w*|groupsOf)$/.test(call));
    assert.deepEqual(writes, ["auditLog.append"], "no session, no replay entry, no other write");
    const [event] = await server.context.store.auditLog.list({ limit: 1 });
    assert.equal(event?.action, "sso.test");
    assert.equal(event?.actor, "admin");
    assert.equal(event?.resourceId, "salesforce");
    assert.equal(event?.outcome, "SUCCESS");
    assert.deepEqual(event?.detail, {
      partnerSpId: spEntityId,
      uid: "ada",
      validator: "PorticoDirectory",
      acsUrl: orgAcs,
      failedChecks: [],
    });
    assert.doesNotMatch(JSON.stringify(event), /acme\.example\.com|Signature|Assertion/);
  });

  it("uses the ACS chosen by index, and refuses an index the connection does not have", async () => {
    assert.equal((await run({ acsIndex: 1 })).acsUrl, communityAcs);
    await rejectsWithCode(run({ acsIndex: 7 }), "SAML_ACS_UNKNOWN", /index 7 \(it has 0, 1\)/);
  });

  it("explains a user without the attribute the NameID comes from", async () => {
    await rejectsWithCode(
      run({ uid: "nomail" }),
      "SAML_SUBJECT_MISSING",
      /User "nomail" has no value for SAML_SUBJECT.*directory attribute "mail"/,
    );
    const [event] = await server.context.store.auditLog.list({ limit: 1 });
    assert.equal(event?.outcome, "FAILURE");
    assert.deepEqual(event?.detail, { partnerSpId: spEntityId, uid: "nomail", code: "SAML_SUBJECT_MISSING" });
  });

  it("refuses an unknown or disabled user, and an unknown partner", async () => {
    await rejectsWithCode(run({ uid: "nobody" }), "DIR_USER_NOT_FOUND");
    const disabled = await server.request("POST", "/directory/users", {
      uid: "gone",
      password: "gone-password-1",
      mail: "gone@acme.example.com",
      enabled: false,
    });
    assert.equal(disabled.statusCode, 201, disabled.body);
    await rejectsWithCode(
      run({ uid: "gone" }),
      "DIR_USER_NOT_FOUND",
      /finds an enabled user "gone" \(asked, in order: "PorticoDirectory" \(the built-in directory\)\): it does not exist or is disabled/,
    );
    await rejectsWithCode(run({ partnerSpId: "https://other.my.salesforce.com" }), "CONN_NOT_FOUND");
  });
});
