import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { firstError, type Harness, harness, newUser } from "./support.ts";

/** The identity URL (salesforce-api.md §1.7) and the Organization object, as clients read them. */

describe("identity URL", () => {
  let h: Harness;
  let identity: string;
  before(async () => {
    h = await harness();
    const token = await h.form("/services/oauth2/token", {
      grant_type: "client_credentials",
      client_id: h.info.clientId,
      client_secret: h.info.clientSecret,
    });
    identity = (token.body as { id: string }).id;
  });
  after(async () => {
    await h.close();
  });

  const path = (url: string): string => new URL(url).pathname + new URL(url).search;

  it("the version's resources list the identity URL of the token's user", async () => {
    const res = await h.api("GET", "/services/data/v66.0/");
    assert.equal(res.status, 200);
    const resources = res.body as Record<string, string>;
    assert.equal(resources.identity, identity);
    assert.equal(resources.sobjects, "/services/data/v66.0/sobjects");
    assert.ok(identity.endsWith(`/id/${h.info.orgId}/${h.info.adminUserId}`));
  });

  it("answers the documented fields for the bearer's user", async () => {
    const res = await h.api("GET", path(identity));
    assert.equal(res.status, 200);
    const info = res.body as Record<string, unknown> & { urls: Record<string, string> };
    assert.equal(info.id, identity);
    assert.equal(info.user_id, h.info.adminUserId);
    assert.equal(info.organization_id, h.info.orgId);
    assert.equal(info.username, h.info.adminUsername);
    assert.equal(info.active, true);
    assert.equal(info.user_type, "STANDARD");
    assert.equal(info.locale, "en_US");
    // The integration user is in America/Los_Angeles: UTC-7 in July, in milliseconds.
    assert.equal(info.utcOffset, -7 * 3600 * 1000);
    for (const key of ["nick_name", "display_name", "email", "language", "last_modified_date", "photos"]) {
      assert.ok(key in info, key);
    }
    // `{version}` stays literal unless the caller asks for one.
    assert.equal(info.urls.rest, `${h.info.instanceUrl}/services/data/v{version}/`);
    assert.equal(info.urls.sobjects, `${h.info.instanceUrl}/services/data/v{version}/sobjects/`);
    assert.equal(info.urls.query, `${h.info.instanceUrl}/services/data/v{version}/query/`);
  });

  it("?version=latest fills the URLs with the newest version", async () => {
    const res = await h.api("GET", `${path(identity)}?version=latest`);
    const info = res.body as { urls: Record<string, string> };
    assert.equal(info.urls.rest, `${h.info.instanceUrl}/services/data/v66.0/`);
  });

  it("takes the token as oauth_token, as jsforce sends it, and keeps it out of the request log", async () => {
    const url = `${path(identity)}?format=json&oauth_token=${encodeURIComponent(h.token)}`;
    const res = await h.emulator.app.inject({ method: "GET", url });
    assert.equal(res.statusCode, 200);
    const logged = (await h.control("GET", "/requests?path=/id/")).body as { requests: { path: string }[] };
    const last = logged.requests.at(-1)?.path ?? "";
    assert.ok(last.includes("oauth_token=%5BREDACTED%5D"), last);
    assert.ok(!last.includes(h.token.slice(20)));
  });

  it("refuses a missing or unknown token with 403 Bad_OAuth_Token, an unknown user with 404", async () => {
    const none = await h.emulator.app.inject({ method: "GET", url: path(identity) });
    assert.deepEqual([none.statusCode, none.body], [403, "Bad_OAuth_Token"]);
    const bad = await h.api("GET", path(identity), undefined, { authorization: "Bearer 00Dxx!nope" });
    assert.equal(bad.status, 403);
    const other = path(identity).replace(h.info.adminUserId, "005000000000000AAA");
    assert.deepEqual([(await h.api("GET", other)).status], [404]);
  });
});

describe("Organization", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => {
    await h.close();
  });

  it("is one record whose Id is the org id, queryable with the fields clients read", async () => {
    const soql =
      "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName, NamespacePrefix FROM Organization";
    const res = await h.api("GET", `query?q=${encodeURIComponent(soql)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as { totalSize: number; records: Record<string, unknown>[] };
    assert.equal(body.totalSize, 1);
    const org = body.records[0] ?? {};
    assert.equal(org.Id, h.info.orgId);
    assert.equal(org.OrganizationType, "Developer Edition");
    assert.equal(org.IsSandbox, false);
    assert.equal(org.NamespacePrefix, null);
    assert.match(String(org.InstanceName), /^[A-Z0-9]{2,5}$/);
    assert.equal(typeof org.Name, "string");
  });

  it("is retrieved by its id, 15 or 18 characters", async () => {
    for (const id of [h.info.orgId, h.info.orgId15]) {
      const res = await h.api("GET", `sobjects/Organization/${id}?fields=Id,IsSandbox`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        attributes: {
          type: "Organization",
          url: `/services/data/v66.0/sobjects/Organization/${h.info.orgId}`,
        },
        Id: h.info.orgId,
        IsSandbox: false,
      });
    }
  });

  it("is read-only: no create, update or delete, and describe says so", async () => {
    const update = await h.api("PATCH", `sobjects/Organization/${h.info.orgId}`, { Name: "Renamed" });
    assert.equal(update.status, 405);
    assert.equal(firstError(update.body).errorCode, "METHOD_NOT_ALLOWED");
    assert.equal((await h.api("POST", "sobjects/Organization", { Name: "New" })).status, 405);
    assert.equal((await h.api("DELETE", `sobjects/Organization/${h.info.orgId}`)).status, 405);
    const d = (await h.api("GET", "sobjects/Organization/describe")).body as {
      createable: boolean;
      updateable: boolean;
      deletable: boolean;
      fields: { name: string; updateable: boolean }[];
    };
    assert.deepEqual([d.createable, d.updateable, d.deletable], [false, false, false]);
    assert.ok(d.fields.every((f) => !f.updateable));
    const name = await h.api("GET", `sobjects/Organization/${h.info.orgId}?fields=Name`);
    assert.notEqual((name.body as { Name: string }).Name, "Renamed");
  });

  it("survives a reset and a saved state", async () => {
    await h.control("POST", "/reset");
    const res = await h.api("GET", `sobjects/Organization/${h.info.orgId}`);
    assert.equal(res.status, 200);
    // A user created afterwards is unaffected by the org record.
    assert.equal((await h.api("POST", "sobjects/User", newUser(h.info, "org1"))).status, 201);
  });
});
