import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { firstError, type Harness, harness, newUser } from "./support.ts";

/** sObject Collections (salesforce-api.md §2.7): 200 records a call, SaveResults, allOrNone. */

type SaveResult = {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
};

const user = (h: Harness, n: string | number, fields: Record<string, unknown> = {}) => ({
  attributes: { type: "User" },
  ...newUser(h.info, n, fields),
});

async function countUsers(h: Harness, like: string): Promise<number> {
  const q = await h.api(
    "GET",
    `query?q=${encodeURIComponent(`SELECT COUNT() FROM User WHERE Username LIKE '${like}'`)}`,
  );
  return (q.body as { totalSize: number }).totalSize;
}

type Case = {
  name: string;
  run(h: Harness): Promise<{ status: number; body: unknown }>;
  status: number;
  /** Per record: "ok" or the expected statusCode. */
  results?: string[];
  errorCode?: string;
  after?: (h: Harness) => Promise<void>;
};

const cases: Case[] = [
  {
    name: "creates each record on its own without allOrNone",
    run: (h) =>
      h.api("POST", "composite/sobjects", {
        allOrNone: false,
        records: [user(h, "c1"), user(h, "c2", { Username: h.info.adminUsername }), user(h, "c3")],
      }),
    status: 200,
    results: ["ok", "DUPLICATE_USERNAME", "ok"],
    after: async (h) => assert.equal(await countUsers(h, "userc%"), 2),
  },
  {
    name: "allOrNone rolls every record back when one fails",
    run: (h) =>
      h.api("POST", "composite/sobjects", {
        allOrNone: true,
        records: [user(h, "r1"), user(h, "r2", { TimeZoneSidKey: "Mars/Olympus" }), user(h, "r3")],
      }),
    status: 200,
    results: [
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    ],
    after: async (h) => assert.equal(await countUsers(h, "userr%"), 0),
  },
  {
    name: "a duplicate inside the same call fails the second record",
    run: (h) =>
      h.api("POST", "composite/sobjects", {
        records: [user(h, "d1"), user(h, "d2", { Username: "userd1@test.example.com" })],
      }),
    status: 200,
    results: ["ok", "DUPLICATE_USERNAME"],
  },
  {
    name: "200 records in one call",
    run: (h) =>
      h.api("POST", "composite/sobjects", {
        records: Array.from({ length: 200 }, (_, i) => user(h, `m${i}`)),
      }),
    status: 200,
    results: Array.from({ length: 200 }, () => "ok"),
  },
  {
    name: "201 records in one call",
    run: (h) =>
      h.api("POST", "composite/sobjects", {
        records: Array.from({ length: 201 }, (_, i) => user(h, `x${i}`)),
      }),
    status: 400,
    errorCode: "EXCEEDED_ID_LIMIT",
    after: async (h) => assert.equal(await countUsers(h, "userx%"), 0),
  },
  {
    name: "an Id in an insert",
    run: (h) => h.api("POST", "composite/sobjects", { records: [user(h, "i1", { Id: h.info.adminUserId })] }),
    status: 200,
    results: ["INVALID_FIELD"],
  },
  {
    name: "an unknown field fails the whole call before any insert",
    run: (h) =>
      h.api("POST", "composite/sobjects", { records: [user(h, "u1"), user(h, "u2", { Nope__c: 1 })] }),
    status: 400,
    errorCode: "INVALID_FIELD",
    after: async (h) => assert.equal(await countUsers(h, "useru%"), 0),
  },
  {
    name: "a record without a type",
    run: (h) => h.api("POST", "composite/sobjects", { records: [newUser(h.info, "t1")] }),
    status: 400,
    errorCode: "INVALID_TYPE",
  },
  {
    name: "setup and non-setup objects in one call",
    run: (h) =>
      h.api("POST", "composite/sobjects", {
        records: [user(h, "mx1"), { attributes: { type: "Account" }, Name: "Mixed Inc" }],
      }),
    status: 200,
    results: ["ok", "MIXED_DML_OPERATION"],
  },
  {
    name: "updates by id; a bad id and a missing id fail on their own",
    run: (h) =>
      h.api("PATCH", "composite/sobjects", {
        records: [
          { attributes: { type: "User" }, id: h.info.adminUserId, Title: "Integration" },
          { attributes: { type: "User" }, id: "not-an-id", Title: "x" },
          { attributes: { type: "User" }, Title: "x" },
        ],
      }),
    status: 200,
    results: ["ok", "MALFORMED_ID", "MISSING_ARGUMENT"],
  },
  {
    name: "allOrNone updates roll back",
    run: (h) =>
      h.api("PATCH", "composite/sobjects", {
        allOrNone: true,
        records: [
          { attributes: { type: "User" }, id: h.info.adminUserId, Title: "Changed" },
          { attributes: { type: "User" }, id: h.info.adminUserId, Alias: "far-too-long" },
        ],
      }),
    status: 200,
    results: ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "STRING_TOO_LONG"],
    after: async (h) => {
      const res = await h.api("GET", `sobjects/User/${h.info.adminUserId}?fields=Title`);
      assert.equal((res.body as { Title: string }).Title, "Integration User");
    },
  },
  {
    name: "deletes by ids; a deleted record is gone",
    run: async (h) => {
      const made = await h.api("POST", "composite/sobjects", {
        records: [
          { attributes: { type: "Contact" }, LastName: "One", AccountId: h.info.accounts["Acme Customers"] },
          { attributes: { type: "Contact" }, LastName: "Two" },
        ],
      });
      const [a, b] = (made.body as SaveResult[]).map((r) => r.id);
      await h.api("DELETE", `sobjects/Contact/${b}`);
      return h.api("DELETE", `composite/sobjects?ids=${a},${b},003000000000000AAA`);
    },
    status: 200,
    results: ["ok", "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"],
  },
  {
    name: "a user cannot be deleted",
    run: (h) => h.api("DELETE", `composite/sobjects?ids=${h.info.adminUserId}`),
    status: 200,
    results: ["INVALID_TYPE_FOR_OPERATION"],
  },
  {
    name: "more than 200 ids",
    run: (h) =>
      h.api(
        "DELETE",
        `composite/sobjects?ids=${Array.from({ length: 201 }, () => h.info.adminUserId).join(",")}`,
      ),
    status: 400,
    errorCode: "EXCEEDED_ID_LIMIT",
  },
];

describe("sObject Collections", () => {
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

  for (const c of cases) {
    it(c.name, async () => {
      const res = await c.run(h);
      assert.equal(res.status, c.status, JSON.stringify(res.body).slice(0, 500));
      if (c.errorCode !== undefined) assert.equal(firstError(res.body).errorCode, c.errorCode);
      if (c.results !== undefined) {
        const results = res.body as SaveResult[];
        assert.deepEqual(
          results.map((r) => (r.success ? "ok" : r.errors[0]?.statusCode)),
          c.results,
        );
        for (const r of results) {
          if (r.success) {
            assert.match(String(r.id), /^[0-9A-Za-z]{18}$/);
            assert.deepEqual(r.errors, []);
          } else {
            assert.equal(r.id, undefined);
            assert.ok(Array.isArray(r.errors[0]?.fields), "per-record errors carry fields");
            assert.equal(typeof r.errors[0]?.message, "string");
          }
        }
      }
      await c.after?.(h);
    });
  }

  it("a rolled-back record says why", async () => {
    const res = await h.api("POST", "composite/sobjects", {
      allOrNone: true,
      records: [user(h, "w1"), user(h, "w2", { Email: "bad" })],
    });
    assert.deepEqual((res.body as SaveResult[])[0], {
      success: false,
      errors: [
        {
          statusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
          message:
            "Record rolled back because not all records were valid and the request was using AllOrNone header",
          fields: [],
        },
      ],
    });
  });

  it("retrieves by ids and fields, null where nothing matches (GET and POST)", async () => {
    const ids = [h.info.adminUserId, "005000000000000AAA"];
    const get = await h.api("GET", `composite/sobjects/User?ids=${ids.join(",")}&fields=Id,Username`);
    assert.equal(get.status, 200);
    const records = get.body as (Record<string, unknown> | null)[];
    assert.equal(records[0]?.Username, h.info.adminUsername);
    assert.equal(records[1], null);
    const post = await h.api("POST", "composite/sobjects/User", { ids, fields: ["Id", "Username"] });
    assert.deepEqual(post.body, get.body);
    const noFields = await h.api("GET", `composite/sobjects/User?ids=${ids[0]}`);
    assert.equal(noFields.status, 400);
  });
});
