import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { LOGIN_STATUS } from "./constants.ts";
import { type Harness, startHarness } from "./test-harness.ts";

let a: Harness;
let b: Harness;
before(async () => {
  [a, b] = await Promise.all([startHarness(), startHarness()]);
});
after(async () => {
  await Promise.all([a.close(), b.close()]);
});

async function describeSso(h: Harness) {
  return (await h.app.inject({ url: "/_emulator/sso" })).json();
}

describe("SAML SP state", () => {
  test("toJSON → JSON → load carries keys, settings, sessions, history and the replay cache", async () => {
    await a.configure({ identityType: "FederationId" });
    const response = await a.issueResponse({ nameId: "ada.fed" });
    assert.equal((await a.post(response)).statusCode, 200);
    const saved = JSON.parse(JSON.stringify(a.sp.toJSON()));

    b.sp.load(saved);
    const [before, after] = [await describeSso(a), await describeSso(b)];
    assert.equal(after.spCertificate, before.spCertificate);
    assert.equal(after.configId, before.configId);
    assert.deepEqual(after.settings, before.settings);
    assert.deepEqual(await b.sessions(), await a.sessions());
    assert.equal((await b.last()).username, "ada@acme.test");

    assert.equal((await b.post(response)).statusCode, 403);
    assert.equal((await b.last()).status, LOGIN_STATUS.replayDetected);
  });

  test("load refuses something that is not a saved SAML state", () => {
    assert.throws(() => b.sp.load({ version: 2 }), /expected \{ version: 1/);
    assert.throws(
      () => b.sp.load({ version: 1, configId: "0LE", settings: { issuer: 5 } }),
      /settings invalid/,
    );
  });

  test("reset forgets settings, sessions and history but keeps the org's certificate", async () => {
    await a.configure();
    await a.login();
    const certificate = (await describeSso(a)).spCertificate;
    a.sp.reset();
    const after = await describeSso(a);
    assert.equal(after.configured, false);
    assert.equal(after.spCertificate, certificate);
    assert.deepEqual(await a.sessions(), []);
    assert.equal((await a.app.inject({ url: "/_emulator/sso/validations/last" })).statusCode, 404);
  });

  test("a different org id gets its own certificate naming it in OU", async () => {
    const before = (await describeSso(a)).spCertificate;
    a.view.orgId = "00D5g000009ZzYy";
    try {
      const after = (await describeSso(a)).spCertificate;
      assert.notEqual(after, before);
      assert.match(new X509Certificate(after).subject, /^OU=00D5g000009ZzYy$/m);
    } finally {
      a.view.orgId = "00D5g000004AbCd";
    }
  });
});
