import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cc } from "./oauth-cases.ts";
import { firstError, type Harness, harness } from "./support.ts";

/** Sessions on REST calls (salesforce-api.md §1): lifetimes and revocation as the API sees them. */

describe("sessions on REST calls", () => {
  let h: Harness;
  before(async () => {
    h = await harness({ tokenLifetimeSeconds: 60 });
  });
  after(async () => {
    await h.close();
  });

  const sessionExpired = [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }];

  it("a session ends after the configured lifetime, with 401 INVALID_SESSION_ID", async () => {
    const token = ((await h.form("/services/oauth2/token", cc(h))).body as { access_token: string })
      .access_token;
    const auth = { authorization: `Bearer ${token}` };
    assert.equal((await h.api("GET", "limits", undefined, auth)).status, 200);
    h.advance(60_000);
    const res = await h.api("GET", "limits", undefined, auth);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, sessionExpired);
  });

  const table: { name: string; headers: Record<string, string>; status: number; errorCode: string }[] = [
    {
      name: "no Authorization header",
      headers: { authorization: "" },
      status: 401,
      errorCode: "INVALID_SESSION_ID",
    },
    {
      name: "an unknown token",
      headers: { authorization: "Bearer 00Dnope!x" },
      status: 401,
      errorCode: "INVALID_SESSION_ID",
    },
    {
      name: "a Basic header",
      headers: { authorization: "Basic YTpi" },
      status: 401,
      errorCode: "INVALID_AUTH_HEADER",
    },
  ];
  for (const c of table) {
    it(`refuses ${c.name}`, async () => {
      const res = await h.api("GET", "limits", undefined, c.headers);
      assert.equal(res.status, c.status);
      assert.equal(firstError(res.body).errorCode, c.errorCode);
    });
  }

  it("takes the OAuth scheme as well as Bearer", async () => {
    const token = ((await h.form("/services/oauth2/token", cc(h))).body as { access_token: string })
      .access_token;
    assert.equal((await h.api("GET", "limits", undefined, { authorization: `OAuth ${token}` })).status, 200);
  });

  it("expire-tokens ends sessions now", async () => {
    const token = ((await h.form("/services/oauth2/token", cc(h))).body as { access_token: string })
      .access_token;
    const expired = await h.control("POST", "/expire-tokens", {});
    assert.ok((expired.body as { expired: number }).expired >= 1);
    const res = await h.api("GET", "limits", undefined, { authorization: `Bearer ${token}` });
    assert.deepEqual(res.body, sessionExpired);
  });

  it("the identity URL answers for the session's user", async () => {
    const body = (await h.form("/services/oauth2/token", cc(h))).body as { access_token: string; id: string };
    const path = new URL(body.id).pathname;
    const res = await h.emulator.app.inject({
      method: "GET",
      url: path,
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(res.statusCode, 200);
    const identity = res.json() as Record<string, unknown>;
    assert.equal(identity.user_id, h.info.adminUserId);
    assert.equal(identity.organization_id, h.info.orgId);
    assert.equal(identity.username, h.info.adminUsername);
  });
});
