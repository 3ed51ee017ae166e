import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { firstError, type Harness, harness, newUser, type Reply } from "./support.ts";

/**
 * Upsert by External ID or idLookup field (REST API guide, "sObject Rows by External ID" and
 * "Upsert Records Using sObject Collections"): one row and up to 200 records.
 */

const v = "/services/data/v66.0";

function withoutUsername(user: Record<string, unknown>): Record<string, unknown> {
  const { Username: _u, ...rest } = user;
  return rest;
}

async function userBy(h: Harness, where: string): Promise<Record<string, unknown>[]> {
  const soql = `SELECT Id, Username, Title, Email, FederationIdentifier FROM User WHERE ${where}`;
  const res = await h.api("GET", `query?q=${encodeURIComponent(soql)}`);
  return (res.body as { records: Record<string, unknown>[] }).records;
}

describe("upsert one row: PATCH /sobjects/{Type}/{field}/{value}", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  beforeEach(async () => {
    await h.control("POST", "/reset");
  });
  after(async () => {
    await h.close();
  });

  const byUsername = (username: string, body: unknown, version = "66.0"): Promise<Reply> =>
    h.api("PATCH", `/services/data/v${version}/sobjects/User/Username/${encodeURIComponent(username)}`, body);

  it("creates when nothing matches (201, created: true, Location) and updates when one does (200)", async () => {
    const created = await byUsername("up1@test.example.com", withoutUsername(newUser(h.info, "up1")));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = (created.body as { id: string }).id;
    assert.deepEqual(created.body, { id, success: true, errors: [], created: true });
    assert.equal(created.headers.location, `${v}/sobjects/User/${id}`);
    assert.deepEqual(
      (await userBy(h, "Username = 'up1@test.example.com'")).map((u) => u.Id),
      [id],
    );

    const updated = await byUsername("UP1@test.example.com", { Title: "Engineer" });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { id, success: true, errors: [], created: false });
    assert.equal((await userBy(h, `Id = '${id}'`))[0]?.Title, "Engineer");
  });

  it("before v46.0 an update answers 204 and a create has no created flag", async () => {
    const created = await byUsername("up2@test.example.com", withoutUsername(newUser(h.info, "up2")), "45.0");
    assert.equal(created.status, 201);
    assert.equal("created" in (created.body as object), false);
    const updated = await byUsername("up2@test.example.com", { Title: "Old API" }, "45.0");
    assert.deepEqual([updated.status, updated.body], [204, ""]);
  });

  it("matches Federation ID case-insensitively, as the org's default setting does", async () => {
    const fed = "Ada.Lovelace@Example.COM";
    const created = await h.api(
      "PATCH",
      `sobjects/User/FederationIdentifier/${encodeURIComponent(fed)}`,
      newUser(h.info, "up3"),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const again = await h.api("PATCH", "sobjects/User/FederationIdentifier/ada.lovelace%40example.com", {
      Title: "Countess",
    });
    assert.equal(again.status, 200);
    const [user] = await userBy(h, "Username = 'userup3@test.example.com'");
    assert.deepEqual([user?.FederationIdentifier, user?.Title], [fed, "Countess"]);
  });

  it("several matches answer 300 with their URLs and change nothing", async () => {
    for (const n of ["m1", "m2"]) {
      const res = await h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, n, { Email: "shared@test.example.com" }),
      );
      assert.equal(res.status, 201);
    }
    const res = await h.api("PATCH", "sobjects/User/Email/shared%40test.example.com", { Title: "Both?" });
    assert.equal(res.status, 300);
    const urls = res.body as string[];
    assert.equal(urls.length, 2);
    assert.ok(urls.every((u) => u.startsWith(`${v}/sobjects/User/005`)));
    assert.deepEqual(
      (await userBy(h, "Email = 'shared@test.example.com'")).map((u) => u.Title),
      [null, null],
    );
  });

  const refusals: { name: string; run(h: Harness): Promise<Reply>; status: number; errorCode: string }[] = [
    {
      name: "a field that is neither External ID nor idLookup",
      run: (h) => h.api("PATCH", "sobjects/User/LastName/Lovelace", { Title: "x" }),
      status: 404,
      errorCode: "NOT_FOUND",
    },
    {
      name: "a field the object does not have",
      run: (h) => h.api("PATCH", "sobjects/User/Nope__c/1", { Title: "x" }),
      status: 404,
      errorCode: "NOT_FOUND",
    },
    {
      name: "Id in the body",
      run: (h) =>
        h.api("PATCH", "sobjects/User/Username/new%40test.example.com", {
          ...withoutUsername(newUser(h.info, "x")),
          Id: h.info.adminUserId,
        }),
      status: 400,
      errorCode: "INVALID_FIELD",
    },
    {
      name: "the external ID field in the body as well as in the URL",
      run: (h) => h.api("PATCH", "sobjects/User/Username/new%40test.example.com", newUser(h.info, "x")),
      status: 400,
      errorCode: "INVALID_FIELD",
    },
    {
      name: "a Username in the URL that is not an email address",
      run: (h) =>
        h.api("PATCH", "sobjects/User/Username/not-an-email", withoutUsername(newUser(h.info, "x"))),
      status: 400,
      errorCode: "FIELD_INTEGRITY_EXCEPTION",
    },
    {
      name: "a value the record rules refuse",
      run: (h) =>
        h.api(
          "PATCH",
          "sobjects/User/Username/new%40test.example.com",
          withoutUsername(newUser(h.info, "x", { TimeZoneSidKey: "Mars/Olympus" })),
        ),
      status: 400,
      errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    },
    {
      name: "updateOnly=true when nothing matches",
      run: (h) =>
        h.api(
          "PATCH",
          "sobjects/User/Username/new%40test.example.com?updateOnly=true",
          withoutUsername(newUser(h.info, "x")),
        ),
      status: 404,
      errorCode: "NOT_FOUND",
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}, creating nothing`, async () => {
      const before = (await h.control("GET", "/stats")).body as { records: { User: number } };
      const res = await c.run(h);
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.equal(firstError(res.body).errorCode, c.errorCode);
      const after = (await h.control("GET", "/stats")).body as { records: { User: number } };
      assert.equal(after.records.User, before.records.User);
    });
  }

  it("a custom External ID field upserts, reads and deletes by value", async () => {
    const field = await h.control("POST", "/fields", {
      object: "Contact",
      name: "Source_Id__c",
      externalId: true,
    });
    assert.equal(field.status, 201);
    const account = h.info.accounts["Acme Customers"];
    const created = await h.api("PATCH", "sobjects/Contact/Source_Id__c/src-1", {
      LastName: "One",
      AccountId: account,
    });
    assert.equal(created.status, 201);
    const id = (created.body as { id: string }).id;
    const read = await h.api("GET", "sobjects/Contact/Source_Id__c/SRC-1?fields=Id,Source_Id__c,LastName");
    assert.deepEqual((read.body as Record<string, unknown>).Source_Id__c, "src-1");
    const updated = await h.api("PATCH", "sobjects/Contact/Source_Id__c/src-1", { LastName: "Uno" });
    assert.deepEqual([updated.status, (updated.body as { id: string }).id], [200, id]);
    assert.equal((await h.api("DELETE", "sobjects/Contact/Source_Id__c/src-1")).status, 204);
    assert.equal((await h.api("GET", `sobjects/Contact/${id}`)).status, 404);
    assert.equal((await h.api("DELETE", "sobjects/Contact/Source_Id__c/src-1")).status, 404);
  });

  it("POST to /sobjects/{Type}/Id creates a record (Id as the external ID, no value)", async () => {
    const res = await h.api("POST", "sobjects/Contact/Id", { LastName: "ViaId" });
    assert.equal(res.status, 201);
    assert.match((res.body as { id: string }).id, /^003/);
  });

  it("DELETE by an external ID on a User answers 405: users are never deleted", async () => {
    const res = await h.api("DELETE", `sobjects/User/Username/${encodeURIComponent(h.info.adminUsername)}`);
    assert.equal(res.status, 405);
  });
});

type UpsertResult = {
  id?: string;
  success: boolean;
  created?: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
};

describe("upsert a collection: PATCH /composite/sobjects/{Type}/{field}", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  beforeEach(async () => {
    await h.control("POST", "/reset");
  });
  after(async () => {
    await h.close();
  });

  const user = (n: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
    attributes: { type: "User" },
    ...newUser(h.info, n, fields),
  });
  const upsert = (records: unknown[], allOrNone = false, path = "composite/sobjects/User/Username") =>
    h.api("PATCH", path, { allOrNone, records });

  it("creates and updates in one call, each result saying which", async () => {
    const first = await h.api("POST", "sobjects/User", newUser(h.info, "c1"));
    const existing = (first.body as { id: string }).id;
    const res = await upsert([user("c1", { Title: "Updated" }), user("c2")]);
    assert.equal(res.status, 200);
    const results = res.body as UpsertResult[];
    assert.deepEqual(results[0], { id: existing, success: true, errors: [], created: false });
    assert.equal(results[1]?.created, true);
    assert.match(String(results[1]?.id), /^005/);
    assert.equal((await userBy(h, `Id = '${existing}'`))[0]?.Title, "Updated");
  });

  it("without allOrNone, a failing record fails alone", async () => {
    const res = await upsert([user("p1"), user("p2", { TimeZoneSidKey: "Mars/Olympus" }), user("p3")]);
    const results = res.body as UpsertResult[];
    assert.deepEqual(
      results.map((r) => (r.success ? "ok" : r.errors[0]?.statusCode)),
      ["ok", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "ok"],
    );
    assert.equal((await userBy(h, "Username LIKE 'userp%'")).length, 2);
  });

  it("with allOrNone, one failure rolls back every record, updates included", async () => {
    await h.api("POST", "sobjects/User", newUser(h.info, "a1"));
    const res = await upsert(
      [user("a1", { Title: "Changed" }), user("a2"), user("a3", { Alias: "far-too-long" })],
      true,
    );
    const results = res.body as UpsertResult[];
    assert.deepEqual(
      results.map((r) => r.errors[0]?.statusCode),
      ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "ALL_OR_NONE_OPERATION_ROLLED_BACK", "STRING_TOO_LONG"],
    );
    const users = await userBy(h, "Username LIKE 'usera%'");
    assert.deepEqual(
      users.map((u) => [u.Username, u.Title]),
      [["usera1@test.example.com", null]],
    );
  });

  it("reports a record with an Id, one without a value, and one matching several records", async () => {
    for (const n of ["d1", "d2"])
      await h.api("POST", "sobjects/User", newUser(h.info, n, { Email: "dup@test.example.com" }));
    const { Email: _e, ...noEmail } = user("d3");
    const res = await upsert(
      [
        { ...user("d4", { Email: "d4@test.example.com" }), Id: h.info.adminUserId },
        noEmail,
        user("d5", { Email: "DUP@test.example.com" }),
      ],
      false,
      "composite/sobjects/User/Email",
    );
    assert.equal(res.status, 200);
    const results = res.body as UpsertResult[];
    assert.deepEqual(
      results.map((r) => r.errors[0]?.statusCode),
      ["INVALID_FIELD", "MISSING_ARGUMENT", "DUPLICATE_EXTERNAL_ID"],
    );
    assert.match(String(results[2]?.errors[0]?.message), /more than one record found for external id field/);
  });

  const refusals: { name: string; run(h: Harness): Promise<Reply>; status: number; errorCode: string }[] = [
    {
      name: "a record of another type than the URL's",
      run: (h) =>
        h.api("PATCH", "composite/sobjects/User/Username", {
          records: [{ attributes: { type: "Contact" }, LastName: "x" }],
        }),
      status: 400,
      errorCode: "INVALID_TYPE",
    },
    {
      name: "more than 200 records",
      run: (h) =>
        h.api("PATCH", "composite/sobjects/User/Username", {
          records: Array.from({ length: 201 }, (_, i) => ({
            attributes: { type: "User" },
            ...newUser(h.info, `o${i}`),
          })),
        }),
      status: 400,
      errorCode: "EXCEEDED_ID_LIMIT",
    },
    {
      name: "a field that is not an external ID",
      run: (h) => h.api("PATCH", "composite/sobjects/User/LastName", { records: [] }),
      status: 404,
      errorCode: "NOT_FOUND",
    },
    {
      name: "an API version before 46.0",
      run: (h) => h.api("PATCH", "/services/data/v45.0/composite/sobjects/User/Username", { records: [] }),
      status: 404,
      errorCode: "NOT_FOUND",
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} before any DML`, async () => {
      const res = await c.run(h);
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.equal(firstError(res.body).errorCode, c.errorCode);
      assert.equal((await userBy(h, "Username LIKE 'usero%'")).length, 0);
    });
  }
});
