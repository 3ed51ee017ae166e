import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { type Harness, IDP_SLO_URL, startHarness } from "./test-harness.ts";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});
// Each case starts from an org with no sessions and no history.
beforeEach(() => {
  h.sp.reset();
});

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** What samlify needs to check a Redirect-binding signature: the query and the signed octets. */
function redirectRequest(location: string) {
  const query = location.slice(location.indexOf("?") + 1);
  return {
    query: Object.fromEntries(new URLSearchParams(query)),
    octetString: query.slice(0, query.indexOf("&Signature=")),
  };
}

type LogoutCase = {
  name: string;
  idp: Parameters<Harness["samlifyIdp"]>[0];
  signed: boolean;
  sessionIndex?: "same" | "other";
  ends: boolean;
  refusal?: RegExp;
};

const idpInitiated: LogoutCase[] = [
  { name: "signed, naming the user", idp: {}, signed: true, ends: true },
  {
    name: "signed, naming the user and the session",
    idp: {},
    signed: true,
    sessionIndex: "same",
    ends: true,
  },
  {
    name: "signed, but for another session of the user",
    idp: {},
    signed: true,
    sessionIndex: "other",
    ends: false,
  },
  { name: "unsigned", idp: {}, signed: false, ends: false, refusal: /not signed/ },
  {
    name: "signed by a stranger",
    idp: { signer: "stranger" },
    signed: true,
    ends: false,
    refusal: /signature does not verify/,
  },
  {
    name: "from another issuer",
    idp: { issuer: "https://other-idp.example.test" },
    signed: true,
    ends: false,
    refusal: /Issuer "https:\/\/other-idp\.example\.test" is not the configured/,
  },
];

describe("IdP-initiated single logout at /services/auth/sp/saml2/logout (HTTP-Redirect)", () => {
  for (const c of idpInitiated) {
    test(c.name, async () => {
      await h.configure();
      const { sessionIndex } = await h.login("ada@acme.test");
      await h.login("grace@acme.test");
      const idp = h.samlifyIdp(c.idp);
      const sp = await h.samlifySp({ wantLogoutRequestSigned: c.signed });
      const made = idp.createLogoutRequest(sp, "redirect", {
        logoutNameID: "ada@acme.test",
        ...(c.sessionIndex ? { sessionIndex: c.sessionIndex === "same" ? sessionIndex : "_s_unknown" } : {}),
      });
      const res = await h.app.inject({ url: pathOf(made.context) });
      const left = (await h.sessions()).map((s) => s.username);
      const event = (await h.app.inject({ url: "/_emulator/sso/logouts" })).json()[0];
      assert.ok(left.includes("grace@acme.test"), "another user's session is untouched");
      if (c.ends || c.sessionIndex === "other") {
        assert.equal(res.statusCode, 302, res.body);
        assert.equal(event.ok, true);
        assert.equal(left.includes("ada@acme.test"), !c.ends);
        assert.equal(event.endedSessions, c.ends ? 1 : 0);
        const location = String(res.headers.location);
        assert.ok(location.startsWith(`${IDP_SLO_URL}?SAMLResponse=`));
        const parsed = await h
          .samlifyIdp({ wantLogoutResponseSigned: true })
          .parseLogoutResponse(await h.samlifySp(), "redirect", redirectRequest(location));
        assert.equal(parsed.extract.response?.inResponseTo, made.id);
      } else {
        assert.equal(res.statusCode, 400);
        assert.match(res.body, /We are unable to log you out/);
        assert.ok(left.includes("ada@acme.test"), "the session survives a refused LogoutRequest");
        assert.equal(event.ok, false);
        assert.match(event.detail, c.refusal ?? /^$/);
      }
    });
  }

  test("HTTP-POST LogoutRequest with an enveloped signature ends the session", async () => {
    await h.configure();
    await h.login("ada@acme.test");
    const made = h
      .samlifyIdp({})
      .createLogoutRequest(await h.samlifySp({ wantLogoutRequestSigned: true }), "post", {
        logoutNameID: "ada@acme.test",
      });
    assert.ok("entityEndpoint" in made);
    const res = await h.app.inject({
      method: "POST",
      url: pathOf(made.entityEndpoint),
      payload: new URLSearchParams({ SAMLRequest: made.context }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(res.statusCode, 302, res.body);
    assert.deepEqual(await h.sessions(), []);
  });

  test("without an IdP logout URL the SP ends the session and shows a page", async () => {
    await h.configure({ idpLogoutUrl: null });
    await h.login("ada@acme.test");
    const made = h
      .samlifyIdp({})
      .createLogoutRequest(await h.samlifySp({ wantLogoutRequestSigned: true }), "redirect", {
        logoutNameID: "ada@acme.test",
      });
    const res = await h.app.inject({ url: pathOf(made.context) });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Ended 1 session/);
  });
});

describe("SP-initiated single logout from /secur/logout.jsp", () => {
  test("ends the session, sends a signed LogoutRequest, and accepts the IdP's LogoutResponse", async () => {
    await h.configure();
    const { cookie, sessionIndex } = await h.login("ada@acme.test");
    const res = await h.app.inject({ url: "/secur/logout.jsp", headers: { cookie } });
    assert.equal(res.statusCode, 302);
    assert.match(String(res.headers["set-cookie"]), /^sid=;.*Max-Age=0/);
    assert.deepEqual(await h.sessions(), []);
    const location = String(res.headers.location);
    assert.ok(location.startsWith(`${IDP_SLO_URL}?SAMLRequest=`));

    const idp = h.samlifyIdp({ wantLogoutRequestSigned: true });
    const request = await idp.parseLogoutRequest(await h.samlifySp(), "redirect", redirectRequest(location));
    assert.equal(request.extract.nameID, "ada@acme.test");
    assert.deepEqual([request.extract.sessionIndex].flat(), [sessionIndex]);

    const answer = idp.createLogoutResponse(
      await h.samlifySp({ wantLogoutResponseSigned: true }),
      { extract: request.extract },
      "redirect",
    );
    const done = await h.app.inject({ url: pathOf(answer.context) });
    assert.equal(done.statusCode, 200, done.body);
    assert.match(done.body, /You have logged out/);
    const event = (await h.app.inject({ url: "/_emulator/sso/logouts" })).json()[0];
    assert.equal(event.message, "LogoutResponse");
    assert.equal(event.ok, true);

    const again = await h.app.inject({ url: pathOf(answer.context) });
    assert.equal(again.statusCode, 400, "a LogoutResponse is accepted once");
  });
});
