import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LOGIN_STATUS, type LoginStatus } from "./constants.ts";
import {
  decodeResponse,
  encodeResponse,
  type Harness,
  INSTANCE_URL,
  ORG_ACS,
  ORG_ID,
  SITE_ACS,
  startHarness,
  USERS,
} from "./test-harness.ts";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

const SITE_PATH = `/customers/login?so=${ORG_ID}&sc=0DM5g0000004CQz`;

const ASSERTION = /<saml:Assertion[\s\S]*<\/saml:Assertion>/;
const SIGNATURE = /<ds:Signature[\s\S]*?<\/ds:Signature>/;

function assertionOf(xml: string): string {
  const match = xml.match(ASSERTION);
  assert.ok(match, "response has an assertion");
  return match[0];
}

/** Puts `wrapped` into a samlp:Extensions right after the Response's Issuer. */
function wrapAfterIssuer(xml: string, wrapped: string): string {
  return xml.replace(/(<\/saml:Issuer>)/, `$1<samlp:Extensions>${wrapped}</samlp:Extensions>`);
}

type Accepted = {
  name: string;
  settings?: Record<string, unknown>;
  make: (h: Harness) => Promise<string>;
  path?: string;
  user: string;
};

const accepted: Accepted[] = [
  { name: "assertion signed (RSA-SHA256)", make: (h) => h.issueResponse(), user: "ada@acme.test" },
  { name: "response signed only", make: (h) => h.issueResponse({ sign: "response" }), user: "ada@acme.test" },
  {
    name: "response and assertion signed",
    make: (h) => h.issueResponse({ sign: "both" }),
    user: "ada@acme.test",
  },
  {
    name: "assertion signed with RSA-SHA1",
    make: (h) => h.issueResponse({ sigAlg: "rsa-sha1" }),
    user: "ada@acme.test",
  },
  {
    name: "Federation ID in NameID, matched case-insensitively by the org",
    settings: { identityType: "FederationId" },
    make: (h) => h.issueResponse({ nameId: "ADA.FED" }),
    user: "ada@acme.test",
  },
  {
    name: "Username in the SFDC_USERNAME attribute",
    settings: { identityLocation: "Attribute", attributeName: "SFDC_USERNAME" },
    make: (h) =>
      h.issueResponse({ nameId: "opaque-id-42", attributes: { SFDC_USERNAME: "grace@acme.test" } }),
    user: "grace@acme.test",
  },
  {
    name: "Conditions ended 1 minute ago, inside the 3 minute clock skew",
    make: (h) =>
      h.issueResponse({
        issueInstant: new Date(h.clock.now.getTime() - 4 * 60_000),
        notOnOrAfter: new Date(h.clock.now.getTime() - 60_000),
      }),
    user: "ada@acme.test",
  },
  {
    name: "Experience Cloud site login URL",
    make: (h) => h.issueResponse({ recipient: SITE_ACS, destination: SITE_ACS }),
    path: SITE_PATH,
    user: "ada@acme.test",
  },
  {
    name: "encrypted assertion to the SP's decryption certificate",
    settings: { assertionDecryptionCertificate: true },
    make: (h) => h.issueResponse({ encrypt: true }),
    user: "ada@acme.test",
  },
];

describe("the login URL accepts a correctly signed SAMLResponse", () => {
  for (const c of accepted) {
    test(c.name, async () => {
      await h.configure(c.settings);
      const res = await h.post(await c.make(h), {
        ...(c.path ? { path: c.path } : {}),
        relayState: "/001/o",
      });
      const user = USERS.find((u) => u.Username === c.user);
      assert.ok(user);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers["set-cookie"]), new RegExp(`^sid=${ORG_ID}!`));
      assert.match(res.body, new RegExp(`<span id="username">${c.user}</span>`));
      assert.match(res.body, new RegExp(`<span id="user-id">${user.Id}</span>`));
      assert.match(res.body, /\/001\/o/);
      const last = await h.last();
      assert.equal(last.status, LOGIN_STATUS.success);
      assert.equal(last.success, true);
      assert.equal(last.userId, user.Id);
      assert.ok(last.checks.every((check) => check.ok));
      const sessions = (await h.app.inject({ url: "/_emulator/sso/sessions" })).json();
      assert.equal(sessions[0].userId, user.Id);
    });
  }
});

type Rejected = {
  name: string;
  settings?: Record<string, unknown>;
  make: (h: Harness) => Promise<string>;
  path?: string;
  status: LoginStatus;
};

const rejected: Rejected[] = [
  {
    name: "NameID changed after signing",
    make: async (h) =>
      encodeResponse(decodeResponse(await h.issueResponse()).replace(">ada@acme.test<", ">grace@acme.test<")),
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "signed by a stranger's key (its certificate in KeyInfo)",
    make: (h) => h.issueResponse({ signer: "stranger" }),
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "response signed by a stranger's key",
    make: (h) => h.issueResponse({ sign: "response", signer: "stranger" }),
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "not signed at all",
    make: (h) => h.issueResponse({ sign: "none" }),
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "XSW: unsigned evil assertion in front, the signed one wrapped in Extensions",
    make: async (h) => {
      const xml = decodeResponse(await h.issueResponse({ nameId: "grace@acme.test" }));
      const original = assertionOf(xml);
      const evil = original
        .replace(SIGNATURE, "")
        .replace(/ID="[^"]+"/, 'ID="_evil"')
        .replace("grace@", "ada@");
      return encodeResponse(wrapAfterIssuer(xml.replace(original, evil), original));
    },
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "XSW: evil assertion carries the original signature, which points at the wrapped one",
    make: async (h) => {
      const xml = decodeResponse(await h.issueResponse({ nameId: "grace@acme.test" }));
      const original = assertionOf(xml);
      const evil = original.replace(/ID="[^"]+"/, 'ID="_evil"').replace("grace@", "ada@");
      return encodeResponse(wrapAfterIssuer(xml.replace(original, evil), original.replace(SIGNATURE, "")));
    },
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "XSW: evil assertion reuses the signed assertion's ID",
    make: async (h) => {
      const xml = decodeResponse(await h.issueResponse({ nameId: "grace@acme.test" }));
      const original = assertionOf(xml);
      const evil = original.replace("grace@", "ada@");
      return encodeResponse(wrapAfterIssuer(xml.replace(original, evil), original.replace(SIGNATURE, "")));
    },
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "XSW: signed Response wrapped inside an unsigned one",
    make: async (h) => {
      const signed = decodeResponse(await h.issueResponse({ sign: "response", nameId: "grace@acme.test" }));
      const evil = assertionOf(signed)
        .replace(SIGNATURE, "")
        .replace(/ID="[^"]+"/, 'ID="_evil"');
      const outer = signed
        .replace(SIGNATURE, "")
        .replace(/ID="_r[^"]+"/, 'ID="_outer"')
        .replace(ASSERTION, evil.replace("grace@", "ada@"));
      return encodeResponse(wrapAfterIssuer(outer, signed.replace(/^<\?xml[^>]*\?>/, "")));
    },
    status: LOGIN_STATUS.signatureInvalid,
  },
  {
    name: "expired (issued 20 minutes ago, ended 15 minutes ago)",
    make: (h) =>
      h.issueResponse({
        issueInstant: new Date(h.clock.now.getTime() - 20 * 60_000),
        notOnOrAfter: new Date(h.clock.now.getTime() - 15 * 60_000),
      }),
    status: LOGIN_STATUS.assertionExpired,
  },
  {
    name: "recently issued but its Conditions ended 4 minutes ago (beyond the 3 minute skew)",
    make: (h) =>
      h.issueResponse({
        issueInstant: new Date(h.clock.now.getTime() - 2 * 60_000),
        notOnOrAfter: new Date(h.clock.now.getTime() - 4 * 60_000),
      }),
    status: LOGIN_STATUS.assertionExpired,
  },
  {
    name: "older than 5 minutes plus skew, though still inside its own window",
    make: (h) =>
      h.issueResponse({
        issueInstant: new Date(h.clock.now.getTime() - 9 * 60_000),
        notOnOrAfter: new Date(h.clock.now.getTime() + 60 * 60_000),
      }),
    status: LOGIN_STATUS.assertionExpired,
  },
  {
    name: "issued 10 minutes in the future",
    make: (h) => h.issueResponse({ issueInstant: new Date(h.clock.now.getTime() + 10 * 60_000) }),
    status: LOGIN_STATUS.assertionExpired,
  },
  {
    name: "audience is the legacy entity ID, not the configured one",
    make: (h) => h.issueResponse({ audience: "https://saml.salesforce.com" }),
    status: LOGIN_STATUS.audienceInvalid,
  },
  {
    name: "Recipient is another URL",
    make: (h) => h.issueResponse({ recipient: "https://evil.example/acs" }),
    status: LOGIN_STATUS.recipientMismatched,
  },
  {
    name: "org assertion posted to the site's login URL",
    make: (h) => h.issueResponse(),
    path: SITE_PATH,
    status: LOGIN_STATUS.recipientMismatched,
  },
  {
    name: "Issuer is not the configured one",
    make: (h) => h.issueResponse({ issuer: "https://other-idp.example.test" }),
    status: LOGIN_STATUS.issuerMismatched,
  },
  {
    name: "unknown user",
    make: (h) => h.issueResponse({ nameId: "nobody@acme.test" }),
    status: LOGIN_STATUS.unmappedSubject,
  },
  {
    name: "Username sent while the configuration expects a Federation ID",
    settings: { identityType: "FederationId" },
    make: (h) => h.issueResponse({ nameId: "ada@acme.test" }),
    status: LOGIN_STATUS.unmappedSubject,
  },
  {
    name: "inactive user",
    make: (h) => h.issueResponse({ nameId: "ivan@acme.test" }),
    status: LOGIN_STATUS.userInactive,
  },
  {
    name: "frozen user",
    make: (h) => h.issueResponse({ nameId: "frank@acme.test" }),
    status: LOGIN_STATUS.userFrozen,
  },
  {
    name: "InResponseTo names a request this org never sent",
    make: (h) => h.issueResponse({ inResponseTo: "_2CAAAAnever-sent" }),
    status: LOGIN_STATUS.inResponseToInvalid,
  },
  {
    name: "no Subject",
    make: (h) =>
      h.issueResponse({ editTemplate: (t) => t.replace(/<saml:Subject>[\s\S]*<\/saml:Subject>/, "") }),
    status: LOGIN_STATUS.assertionInvalid,
  },
  {
    name: "Status is not Success",
    make: (h) => h.issueResponse({ statusCode: "urn:oasis:names:tc:SAML:2.0:status:Requester" }),
    status: LOGIN_STATUS.assertionInvalid,
  },
  {
    name: "a DOCTYPE (entity expansion) is refused",
    make: async (h) =>
      encodeResponse(`<!DOCTYPE r [<!ENTITY x "ada@acme.test">]>${decodeResponse(await h.issueResponse())}`),
    status: LOGIN_STATUS.assertionInvalid,
  },
  {
    name: "SAMLResponse is not base64",
    make: async () => "%%%not-base64%%%",
    status: LOGIN_STATUS.assertionInvalid,
  },
  {
    name: "plain assertion while a decryption certificate is configured",
    settings: { assertionDecryptionCertificate: true },
    make: (h) => h.issueResponse(),
    status: LOGIN_STATUS.assertionInvalid,
  },
];

describe("the login URL rejects with Salesforce's Login History status", () => {
  for (const c of rejected) {
    test(`${c.name} → ${c.status}`, async () => {
      await h.configure(c.settings);
      const sessionsBefore = (await h.app.inject({ url: "/_emulator/sso/sessions" })).json().length;
      const res = await h.post(await c.make(h), c.path ? { path: c.path } : {});
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers["set-cookie"], undefined);
      assert.match(res.body, new RegExp(`<span id="status">${c.status.replace("/", "\\/")}</span>`));
      const last = await h.last();
      assert.equal(last.status, c.status, JSON.stringify(last.checks));
      assert.equal(last.success, false);
      assert.equal(last.checks.filter((check) => !check.ok).length >= 1, true);
      const sessionsAfter = (await h.app.inject({ url: "/_emulator/sso/sessions" })).json().length;
      assert.equal(sessionsAfter, sessionsBefore);
    });
  }
});

describe("replay, configuration and redirection", () => {
  test("the same assertion twice → Replay Detected", async () => {
    await h.configure();
    const response = await h.issueResponse();
    assert.equal((await h.post(response)).statusCode, 200);
    const second = await h.post(response);
    assert.equal(second.statusCode, 403);
    assert.equal((await h.last()).status, LOGIN_STATUS.replayDetected);
  });

  test("no Single Sign-On Settings → Configuration Error/Perm Disabled", async () => {
    await h.configure();
    const response = await h.issueResponse();
    await h.app.inject({ method: "DELETE", url: "/_emulator/sso" });
    const res = await h.post(response);
    assert.equal(res.statusCode, 403);
    assert.equal((await h.last()).status, LOGIN_STATUS.configurationError);
  });

  test("the login URL also answers to the 18-character org id", async () => {
    await h.configure();
    // Salesforce's case-safe suffix: one character per 5-character chunk, a bit per capital.
    const suffix = [0, 5, 10]
      .map((start) => {
        const bits = [...ORG_ID.slice(start, start + 5)].reduce(
          (n, ch, i) => (/[A-Z]/.test(ch) ? n | (1 << i) : n),
          0,
        );
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits];
      })
      .join("");
    const res = await h.post(await h.issueResponse(), { path: `/?so=${ORG_ID}${suffix}` });
    assert.equal(res.statusCode, 200, res.body);
  });

  test("a login URL for another org is not this org's page, and nothing is recorded", async () => {
    await h.configure();
    const before = (await h.app.inject({ url: "/_emulator/sso/validations" })).json().length;
    const res = await h.post(await h.issueResponse(), { path: "/?so=00D000000000001" });
    assert.equal(res.statusCode, 404);
    assert.equal((await h.app.inject({ url: "/_emulator/sso/validations" })).json().length, before);
  });

  test("an external RelayState signs the user in but shows Invalid Page Redirection", async () => {
    await h.configure();
    const res = await h.post(await h.issueResponse(), { relayState: "https://evil.example/phish" });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Invalid Page Redirection/);
    assert.doesNotMatch(res.body, /id="redirect-to"/);
    const last = await h.last();
    assert.equal(last.redirectError, "Invalid Page Redirection");
    assert.equal(last.redirectTo, undefined);
  });

  test("a relative RelayState is honoured on the instance", async () => {
    await h.configure();
    await h.post(await h.issueResponse(), { relayState: "/lightning/page/home" });
    assert.equal((await h.last()).redirectTo, `${INSTANCE_URL}/lightning/page/home`);
  });

  test("validations list newest first, with what the validator shows", async () => {
    await h.configure();
    await h.post(await h.issueResponse({ nameId: "frank@acme.test" }));
    await h.post(await h.issueResponse({ nameId: "grace@acme.test" }));
    const list = (await h.app.inject({ url: "/_emulator/sso/validations" })).json();
    assert.equal(list[0].username, "grace@acme.test");
    assert.equal(list[1].status, LOGIN_STATUS.userFrozen);
    assert.equal(list[1].acsUrl, ORG_ACS);
    assert.equal(list[1].issuer, "https://idp.example.test/portico");
    assert.match(list[1].assertionId, /^_a/);
  });
});
