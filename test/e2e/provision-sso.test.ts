import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { runChannel } from "../../src/services/provisioning/channels.ts";
import { type Federation, startFederation } from "../support/federation.ts";
import { staffChannel } from "../support/provisioning.ts";
import { browserInject, cookieJar, readPostForm } from "../support/sso.ts";

type Validation = {
  status: string;
  success: boolean;
  username?: string;
  userId?: string;
  nameId?: string;
};
type OrgInfo = { clientId: string; clientSecret: string };

/**
 * Provisioning and SSO on one connection, as the seed's Provisioner has them: a directory user
 * the channel creates in Salesforce can sign in at once, with no manual step — the connection's
 * NameID (the directory's mail) is the Username the channel maps, and the Federation ID too. The
 * emulated org's ACS accepts the assertion and resolves it to the user the channel created.
 */
describe("a provisioned user signs in to Salesforce through SSO", () => {
  let federation: Federation;
  const connectionId = "emulated-org";
  const password = "grace-password-1";

  const lastValidation = () => federation.emulatorJson<Validation>("/_emulator/sso/validations/last");
  const orgUser = async (username: string) =>
    (
      await federation.emulatorJson<{ records: { Id: string; Username: string; IsActive: boolean }[] }>(
        "/_emulator/records/User",
      )
    ).records.find((u) => u.Username === username);

  /** Grace signs in at Portico (IdP-initiated), and her browser posts the response to Salesforce. */
  const signIn = async (): Promise<Validation> => {
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
      form: { resume: readPostForm(login.body).resume ?? "", username: "grace", password },
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const form = readPostForm(posted.body);
    const acs = form.action ?? "";
    assert.ok(acs.startsWith(federation.emulatorUrl), acs);
    await fetch(acs, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: form.samlResponse ?? "" }),
    });
    return lastValidation();
  };

  /** The emulated org's SSO settings, matching users by `identityType`. */
  const ssoSettings = async (identityType: "Username" | "FederationId") => {
    const certificate = (
      await federation.portico.request("GET", "/keyPairs/signing/default-signing/certificate")
    ).body;
    await federation.emulatorJson("/_emulator/sso", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        issuer: federation.porticoUrl,
        idpCertificate: certificate,
        identityType,
        identityLocation: "SubjectNameId",
        idpLoginUrl: `${federation.porticoUrl}/idp/SSO.saml2`,
        idpLogoutUrl: `${federation.porticoUrl}/idp/SLO.saml2`,
        requestBinding: "HTTP-Redirect",
        signRequests: true,
      }),
    });
  };

  before(async () => {
    federation = await startFederation();
    const { portico } = federation;
    const user = await portico.request("POST", "/directory/users", {
      uid: "grace",
      password,
      mail: "grace@acme.example.com",
      givenName: "Grace",
      sn: "Hopper",
    });
    assert.equal(user.statusCode, 201, user.body);
    const group = await portico.request("POST", "/directory/groups", {
      cn: "salesforce-users",
      members: ["grace"],
    });
    assert.equal(group.statusCode, 201, group.body);

    // The SSO connection made from the org's metadata gets its provisioning half: the org as
    // target, and the default channel for the built-in directory.
    const org = await federation.emulatorJson<OrgInfo>("/_emulator/org");
    const connection = (
      await portico.request("GET", `/idp/spConnections/${connectionId}`)
    ).json() as SpConnection;
    assert.ok(connection.outboundProvision, "the Provisioner template has an outbound half");
    connection.outboundProvision.targetSettings = [
      { name: "SALESFORCE_DOMAIN", value: federation.emulatorUrl },
      { name: "AUTH_METHOD", value: "CLIENT_CREDENTIALS" },
      { name: "CLIENT_ID", value: org.clientId },
      { name: "CLIENT_SECRET", value: org.clientSecret },
    ];
    connection.outboundProvision.channels = [staffChannel()];
    const saved = await portico.request("PUT", `/idp/spConnections/${connectionId}`, connection);
    assert.equal(saved.statusCode, 200, saved.body);
  });
  after(() => federation?.dispose());

  it("cannot sign in before the channel has provisioned her", async () => {
    const validation = await signIn();
    assert.equal(validation.success, false);
    assert.equal(validation.nameId, "grace@acme.example.com");
    assert.equal(await orgUser("grace@acme.example.com"), undefined);
  });

  it("signs in as the user the channel created, matched by Username", async () => {
    const report = await runChannel(federation.portico.context, connectionId, "staff");
    assert.equal(report.summary.counts.CREATE, 1, JSON.stringify(report.summary));
    const created = await orgUser("grace@acme.example.com");
    assert.ok(created?.IsActive);
    const validation = await signIn();
    assert.equal(validation.status, "Success", JSON.stringify(validation));
    assert.equal(validation.nameId, "grace@acme.example.com", "the NameID is the mapped Username");
    assert.equal(validation.username, "grace@acme.example.com");
    assert.equal(validation.userId, created.Id);
  });

  it("signs in as the same user when the org matches by Federation ID", async () => {
    await ssoSettings("FederationId");
    try {
      const validation = await signIn();
      assert.equal(validation.status, "Success", JSON.stringify(validation));
      assert.equal(validation.userId, (await orgUser("grace@acme.example.com"))?.Id);
    } finally {
      await ssoSettings("Username");
    }
  });
});
