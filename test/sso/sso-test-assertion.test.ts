/**
 * `sso test` must not mint a login: the Response it shows by default is refused by a real SP
 * that trusts Portico (the Salesforce emulator's ACS, over a socket) and by xmlsec1 with Portico's
 * certificate; only an ADMIN account's explicit request yields one they accept, and the audit log
 * names the user it was for.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertProblem } from "../support/errors.ts";
import { type Federation, startFederation } from "../support/federation.ts";
import { xmlsecVerify } from "../support/peers.ts";

type TestResult = { xml: string; acsUrl: string; usable: boolean; notice: string; ok: boolean };
type Validation = { status: string; checks: { name: string; ok: boolean; detail: string }[] };

describe("sso test and the assertions it shows", () => {
  let federation: Federation;
  let certificate: string;
  before(async () => {
    federation = await startFederation();
    certificate = (await federation.portico.request("GET", "/keyPairs/signing/default-signing/certificate"))
      .body;
  });
  after(() => federation.dispose());

  const ssoTest = async (body: Record<string, unknown>, auth?: string) => {
    const response = await federation.portico.request(
      "POST",
      "/sso/test",
      { partnerSpId: federation.spEntityId, uid: "integration", ...body },
      auth === undefined ? {} : { auth },
    );
    return response;
  };

  /** Posts a Response to the emulator's ACS as a browser would, and reads Salesforce's verdict. */
  const postToSalesforce = async (result: TestResult): Promise<Validation> => {
    const landed = await fetch(result.acsUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: Buffer.from(result.xml).toString("base64") }),
    });
    await landed.text();
    return federation.emulatorJson<Validation>("/_emulator/sso/validations/last");
  };

  it("shows by default a Response that Salesforce and xmlsec1 refuse, while its checks pass", async () => {
    const response = await ssoTest({});
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as TestResult;
    assert.equal(result.ok, true, "the checks ran on the Response signed with the connection's key");
    assert.equal(result.usable, false);
    assert.match(result.notice, /throwaway key/);
    const verdict = await postToSalesforce(result);
    assert.equal(verdict.status, "Signature Invalid", JSON.stringify(verdict.checks));
    const xmlsec = await xmlsecVerify(result.xml, certificate, "Response");
    assert.equal(xmlsec.ok, false, "xmlsec1 refuses it with Portico's certificate");
  });

  it("shows a Response Salesforce accepts only when an admin account asks, and audits it by user", async () => {
    const response = await ssoTest({ allowUsableAssertion: true });
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json() as TestResult;
    assert.equal(result.usable, true);
    const xmlsec = await xmlsecVerify(result.xml, certificate, "Response");
    assert.equal(xmlsec.ok, true, xmlsec.output);
    const verdict = await postToSalesforce(result);
    assert.equal(verdict.status, "Success", JSON.stringify(verdict.checks));

    const audit = (await federation.portico.request("GET", "/auditLog")).json() as {
      items: { action: string; actor: string; detail: Record<string, unknown> | null }[];
    };
    const event = audit.items.find((e) => e.action === "sso.test.usableAssertion");
    assert.equal(event?.actor, "admin");
    assert.equal(event?.detail?.uid, "integration");
    assert.equal(event?.detail?.nameId, federation.org.adminUsername);
  });

  it("refuses a usable assertion to an API token, and records the attempt", async () => {
    const created = await federation.portico.request("POST", "/apiTokens", { name: "automation" });
    assert.equal(created.statusCode, 201, created.body);
    const token = (created.json() as { token: string }).token;
    const refused = await ssoTest({ allowUsableAssertion: true }, `Bearer ${token}`);
    assertProblem(refused, "AUTH_FORBIDDEN");
    assert.doesNotMatch(refused.body, /SignatureValue/);
    const withoutAsking = await ssoTest({}, `Bearer ${token}`);
    assert.equal(withoutAsking.statusCode, 200, "a token still gets the throwaway-signed test");
    const audit = (await federation.portico.request("GET", "/auditLog")).json() as {
      items: { action: string; actor: string; outcome: string; detail: Record<string, unknown> | null }[];
    };
    const attempt = audit.items.find(
      (e) => e.action === "sso.test.usableAssertion" && e.outcome === "FAILURE",
    );
    assert.equal(attempt?.actor, "token:automation");
    assert.equal(attempt?.detail?.uid, "integration");
  });
});
