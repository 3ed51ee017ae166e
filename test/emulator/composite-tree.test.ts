import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { firstError, type Harness, harness } from "./support.ts";

/** sObject Tree (REST API guide): nested records with referenceIds, 200 records, all or nothing. */

type TreeResponse = {
  hasErrors: boolean;
  results: {
    referenceId: string;
    id?: string;
    errors?: { statusCode: string; message: string; fields: string[] }[];
  }[];
};

const account = (ref: string, name: string, extra: Record<string, unknown> = {}) => ({
  attributes: { type: "Account", referenceId: ref },
  Name: name,
  ...extra,
});
const contact = (ref: string, lastName: string, extra: Record<string, unknown> = {}) => ({
  attributes: { type: "Contact", referenceId: ref },
  LastName: lastName,
  ...extra,
});

async function count(h: Harness, soql: string): Promise<number> {
  const res = await h.api("GET", `query?q=${encodeURIComponent(soql)}`);
  return (res.body as { totalSize: number }).totalSize;
}

describe("composite tree", () => {
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

  it("creates parents and children linked by id: 201 with every referenceId and id", async () => {
    const res = await h.api("POST", "composite/tree/Account", {
      records: [
        account("acme", "Tree Acme", {
          Contacts: { records: [contact("ada", "Lovelace"), contact("grace", "Hopper")] },
        }),
        account("globex", "Tree Globex", {
          ChildAccounts: { records: [account("globexEu", "Tree Globex EU")] },
        }),
      ],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const body = res.body as TreeResponse;
    assert.equal(body.hasErrors, false);
    assert.deepEqual(
      body.results.map((r) => r.referenceId),
      ["acme", "ada", "grace", "globex", "globexEu"],
    );
    const ids = Object.fromEntries(body.results.map((r) => [r.referenceId, r.id]));
    const ada = await h.api("GET", `sobjects/Contact/${ids.ada}?fields=AccountId`);
    assert.equal((ada.body as { AccountId: string }).AccountId, ids.acme);
    const eu = await h.api("GET", `sobjects/Account/${ids.globexEu}?fields=ParentId`);
    assert.equal((eu.body as { ParentId: string }).ParentId, ids.globex);
  });

  it("one failing record rolls the whole request back: 400 with that record's errors only", async () => {
    const res = await h.api("POST", "composite/tree/Account", {
      records: [
        account("ok", "Tree Rollback", {
          Contacts: { records: [contact("good", "Good"), contact("bad", "Bad", { Email: "not-an-email" })] },
        }),
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      hasErrors: true,
      results: [
        {
          referenceId: "bad",
          errors: [
            {
              statusCode: "INVALID_EMAIL_ADDRESS",
              message: "Email: invalid email address: not-an-email",
              fields: ["Email"],
            },
          ],
        },
      ],
    });
    assert.equal(await count(h, "SELECT Id FROM Account WHERE Name = 'Tree Rollback'"), 0);
    assert.equal(await count(h, "SELECT Id FROM Contact WHERE LastName = 'Good'"), 0);
  });

  const inputErrors: { name: string; records: unknown[]; referenceId: string }[] = [
    {
      name: "a duplicate referenceId",
      records: [account("same", "A"), account("same", "B")],
      referenceId: "same",
    },
    {
      name: "a referenceId that does not start with a letter",
      records: [account("1st", "A")],
      referenceId: "1st",
    },
    {
      name: "a root record of another type than the URL's",
      records: [contact("wrongType", "Root")],
      referenceId: "wrongType",
    },
    {
      name: "an Id in a record",
      records: [account("withId", "A", { Id: "001000000000000AAA" })],
      referenceId: "withId",
    },
  ];
  for (const c of inputErrors) {
    it(`refuses ${c.name}, creating nothing`, async () => {
      const before = await count(h, "SELECT Id FROM Account");
      const res = await h.api("POST", "composite/tree/Account", { records: c.records });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      const body = res.body as TreeResponse;
      assert.equal(body.hasErrors, true);
      assert.equal(body.results[0]?.referenceId, c.referenceId);
      assert.equal(body.results[0]?.errors?.[0]?.statusCode, "INVALID_INPUT");
      assert.equal(await count(h, "SELECT Id FROM Account"), before);
    });
  }

  it("refuses more than 200 records across the trees", async () => {
    const records = Array.from({ length: 101 }, (_, i) =>
      account(`a${i}`, `Big ${i}`, { Contacts: { records: [contact(`c${i}`, `Big ${i}`)] } }),
    );
    const res = await h.api("POST", "composite/tree/Account", { records });
    assert.equal(res.status, 400);
    assert.equal(firstError(res.body).errorCode, "LIMIT_EXCEEDED");
    assert.equal(await count(h, "SELECT Id FROM Account WHERE Name LIKE 'Big %'"), 0);
  });

  it("accepts exactly 200 unrelated records of one type", async () => {
    const records = Array.from({ length: 200 }, (_, i) => contact(`r${i}`, `Flat ${i}`));
    const res = await h.api("POST", "composite/tree/Contact", { records });
    assert.equal(res.status, 201);
    assert.equal((res.body as TreeResponse).results.length, 200);
  });

  it("a child relationship the object does not have is an unknown field", async () => {
    const res = await h.api("POST", "composite/tree/Account", {
      records: [account("x", "A", { Opportunities: { records: [] } })],
    });
    assert.equal(res.status, 400);
    assert.equal(firstError(res.body).errorCode, "INVALID_FIELD");
  });

  it("describe names the child relationships the tree uses", async () => {
    const d = (await h.api("GET", "sobjects/Account/describe")).body as {
      childRelationships: { childSObject: string; field: string; relationshipName: string | null }[];
    };
    assert.ok(
      d.childRelationships.some((r) => r.childSObject === "Contact" && r.relationshipName === "Contacts"),
    );
  });
});
