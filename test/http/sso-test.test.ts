import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { getSigningCertificatePem, loadSigningPrivateKey } from "../../src/services/keys.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createDirectoryUser, createSalesforceConnection, orgAcs, spEntityId } from "../support/sso.ts";

type Check = { name: string; ok: boolean; detail: string; warning: string | null };
type Result = {
  connection: { id: string; name: string; entityId: string; active: boolean };
  user: string;
  acsUrl: string;
  relayState: null;
  xml: string;
  prettyXml: string;
  usable: boolean;
  notice: string;
  summary: {
    issuer: string;
    signatures: { on: string; verified: boolean }[];
    assertion: { nameId: string; audiences: string[] } | null;
  };
  checks: Check[];
  ok: boolean;
};

const inactiveEntityId = "https://inactive.my.salesforce.com";

describe("POST /sso/test", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await createDirectoryUser(server);
    await createDirectoryUser(server, { uid: "nomail", password: "nomail-password-1", sn: "Nomail" });
    await createSalesforceConnection(server, (c) => {
      // Both signatures, so that the test verifies two.
      if (c.spBrowserSso) c.spBrowserSso.signAssertions = true;
    });
    await createSalesforceConnection(server, (c) => {
      c.id = "inactive";
      c.name = "Sandbox (not live yet)";
      c.entityId = inactiveEntityId;
      c.active = false;
    });
  });
  after(() => server.dispose());

  const test = (body: unknown) => server.request("POST", "/sso/test", body);
  const failing = (result: Result) => result.checks.filter((c) => !c.ok).map((c) => c.name);

  it("returns the signed Response, its summary and a checklist that passes for a healthy connection", async () => {
    const response = await test({ partnerSpId: spEntityId, uid: "ada" });
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as Result;
    assert.deepEqual(failing(result), []);
    assert.equal(result.ok, true);
    assert.deepEqual(result.connection, {
      id: "salesforce",
      name: result.connection.name,
      entityId: spEntityId,
      active: true,
    });
    assert.equal(result.user, "ada");
    assert.equal(result.acsUrl, orgAcs);
    assert.equal(result.relayState, null);
    assert.equal(result.usable, false, "the Response shown is signed with a throwaway key");
    assert.match(result.notice, /signed with a throwaway key made for this test alone/);
    assert.equal(result.summary.issuer, "https://idp.example.com");
    assert.equal(result.summary.assertion?.nameId, "ada@acme.example.com");
    assert.deepEqual(result.summary.assertion?.audiences, [spEntityId]);
    assert.deepEqual(
      result.summary.signatures.map((s) => [s.on, s.verified]),
      [
        ["Response", true],
        ["Assertion", true],
      ],
    );
    assert.deepEqual(
      result.checks.map((c) => c.name),
      [
        "Connection active",
        "SSO profiles",
        "Status",
        "Signature",
        "Issuer",
        "Destination",
        "InResponseTo",
        "Assertion",
        "Audience",
        "Recipient",
        "Subject",
        "Subject confirmation",
        "Validity window",
      ],
    );
    assert.match(result.xml, /<saml:NameID [^>]*>ada@acme\.example\.com<\/saml:NameID>/);
    assert.match(result.prettyXml, /\n {2}<saml:Issuer /);
  });

  it("never returns the private key", async () => {
    const response = await test({ partnerSpId: spEntityId, uid: "ada" });
    const privateKey = await loadSigningPrivateKey(server.context, "default-signing");
    // The modulus is in the certificate (in KeyInfo) too: only the lines it does not explain are secret.
    const certificate = (await getSigningCertificatePem(server.context, "default-signing")).replace(
      /-----[^-]+-----|\s/g,
      "",
    );
    const keyLines = privateKey
      .split("\n")
      .filter((line) => line.length > 40 && !line.startsWith("-----") && !certificate.includes(line));
    assert.ok(keyLines.length > 5);
    assert.doesNotMatch(response.body, /PRIVATE KEY/);
    for (const line of keyLines) assert.ok(!response.body.includes(line), "a line of the private key leaked");
  });

  it("tests an inactive connection, failing only “Connection active”", async () => {
    const response = await test({ partnerSpId: inactiveEntityId, uid: "ada" });
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as Result;
    assert.equal(result.ok, false);
    assert.deepEqual(failing(result), ["Connection active"]);
    const active = result.checks.find((c) => c.name === "Connection active");
    assert.match(active?.detail ?? "", /is inactive.*portico connections activate inactive/);
  });

  it("answers problem+json when the user lacks the NameID attribute", async () => {
    const response = await test({ partnerSpId: spEntityId, uid: "nomail" });
    const problem = assertProblem(response, "SAML_SUBJECT_MISSING");
    assert.match(problem.detail, /has no value for SAML_SUBJECT.*"mail"/);
  });

  it("answers problem+json for an unknown user, partner or ACS index", async () => {
    const cases: [unknown, number, ErrorCode][] = [
      [{ partnerSpId: spEntityId, uid: "nobody" }, 404, "DIR_USER_NOT_FOUND"],
      [{ partnerSpId: "https://unknown.example.com", uid: "ada" }, 404, "CONN_NOT_FOUND"],
      [{ partnerSpId: spEntityId, uid: "ada", acsIndex: 9 }, 400, "SAML_ACS_UNKNOWN"],
      [{ partnerSpId: spEntityId }, 400, "REQ_VALIDATION"],
      [{ partnerSpId: spEntityId, uid: "ada", relayState: "/home" }, 400, "REQ_VALIDATION"],
      [{ partnerSpId: spEntityId, uid: "ada", acsIndex: "1" }, 400, "REQ_VALIDATION"],
    ];
    for (const [body, status, code] of cases) {
      const response = await test(body);
      assertProblem(response, code, status);
    }
  });

  it("is documented in the OpenAPI document", async () => {
    const openapi = (await server.request("GET", "/openapi.json")).json() as {
      paths: Record<string, unknown>;
    };
    assert.ok(openapi.paths["/sso/test"], "POST /sso/test is in openapi.json");
  });
});
