import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Federation, startFederation } from "../support/federation.ts";
import { browserInject, cookieJar, readPostForm } from "../support/sso.ts";

type Validation = { status: string; success: boolean; username?: string; userId?: string; nameId?: string };
type OrgUser = { Id: string; Username: string; LastName: string; Title: string | null; ProfileId: string };

/**
 * Salesforce Just-in-Time provisioning instead of a channel (issue 9, item 7): the org's SSO
 * settings have "User Provisioning Enabled", Portico's connection carries the template's JIT
 * contract, and a directory user the org has never seen signs in. The emulated org creates them
 * from the assertion, updates them from the next one, and refuses one that lacks a required field.
 */
describe("Just-in-Time provisioning through SSO", () => {
  let federation: Federation;

  const orgUser = async (username: string) =>
    (await federation.emulatorJson<{ records: OrgUser[] }>("/_emulator/records/User")).records.find(
      (u) => u.Username === username,
    );

  /** The user signs in at Portico (IdP-initiated); the browser posts the Response to the org. */
  const signIn = async (uid: string, password: string) => {
    const jar = cookieJar();
    const runtime = federation.portico.runtimeApp;
    const login = await browserInject(runtime, jar, {
      method: "GET",
      url: `/idp/startSSO.ping?PartnerSpId=${encodeURIComponent(federation.spEntityId)}`,
    });
    assert.equal(login.statusCode, 200, login.body);
    const posted = await browserInject(runtime, jar, {
      method: "POST",
      url: "/idp/login",
      form: { resume: readPostForm(login.body).resume ?? "", username: uid, password },
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const form = readPostForm(posted.body);
    const atOrg = await fetch(form.action ?? "", {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: form.samlResponse ?? "" }),
    });
    const validation = await federation.emulatorJson<Validation>("/_emulator/sso/validations/last");
    return { status: atOrg.status, location: atOrg.headers.get("location"), validation };
  };

  const addUser = async (user: Record<string, string>) => {
    const created = await federation.portico.request("POST", "/directory/users", user);
    assert.equal(created.statusCode, 201, created.body);
  };

  before(async () => {
    federation = await startFederation({ jit: { profile: "Standard User" } });
    const certificate = (
      await federation.portico.request("GET", "/keyPairs/signing/default-signing/certificate")
    ).body;
    await federation.emulatorJson("/_emulator/sso", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        issuer: federation.porticoUrl,
        idpCertificate: certificate,
        identityType: "FederationId",
        identityLocation: "SubjectNameId",
        idpLoginUrl: `${federation.porticoUrl}/idp/SSO.saml2`,
        userProvisioning: true,
      }),
    });
    await addUser({
      uid: "grace",
      password: "grace-password-1",
      mail: "grace@acme.example.com",
      givenName: "Grace",
      sn: "Hopper",
    });
  });
  after(() => federation?.dispose());

  it("creates a user the org has never seen at their first sign-in", async () => {
    assert.equal(await orgUser("grace@acme.example.com"), undefined);
    const { status, validation } = await signIn("grace", "grace-password-1");
    assert.equal(validation.status, "Success", JSON.stringify(validation));
    assert.equal(status, 200);
    const created = await orgUser("grace@acme.example.com");
    assert.ok(created, "the org created her");
    assert.equal(created.LastName, "Hopper");
    assert.equal(validation.userId, created.Id);
    const org = await federation.emulatorJson<{ profiles: Record<string, string> }>("/_emulator/org");
    assert.equal(created.ProfileId, org.profiles["Standard User"]);
  });

  it("updates her from the directory at the next sign-in", async () => {
    const before = await orgUser("grace@acme.example.com");
    const changed = await federation.portico.request("PATCH", "/directory/users/grace", {
      sn: "Hopper-Murray",
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const { validation } = await signIn("grace", "grace-password-1");
    assert.equal(validation.status, "Success", JSON.stringify(validation));
    const after = await orgUser("grace@acme.example.com");
    assert.equal(after?.Id, before?.Id, "the same user, not another");
    assert.equal(after?.LastName, "Hopper-Murray");
  });

  it("is refused by the org with Salesforce's JIT error when a required attribute has no value", async () => {
    await addUser({
      uid: "nosn",
      password: "nosn-password-1",
      mail: "nosn@acme.example.com",
      givenName: "No",
    });
    const { status, location, validation } = await signIn("nosn", "nosn-password-1");
    assert.equal(status, 302);
    const error = new URL(location ?? "").searchParams;
    assert.deepEqual(
      [error.get("ErrorCode"), error.get("ErrorDescription"), error.get("ErrorDetails")],
      ["5", "Unable to create user", "REQUIRED_FIELD_MISSING LastName"],
    );
    assert.equal(validation.status, "SAML Provision Error");
    assert.equal(await orgUser("nosn@acme.example.com"), undefined);
  });
});
