import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { firstError, type Harness, harness, newUser } from "./support.ts";

/** Composite (salesforce-api.md §2.8): 25 subrequests, `@{ref}` references, allOrNone. */

type Sub = {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
};

const v = "/services/data/v66.0";

type Case = {
  name: string;
  request(h: Harness): unknown;
  status?: number;
  errorCode?: string;
  /** Per subrequest: the HTTP status and, for errors, the errorCode. */
  expect?: [status: number, errorCode?: string][];
  check?(subs: Sub[], h: Harness): Promise<void> | void;
};

const cases: Case[] = [
  {
    name: "a create, then a read of it through @{ref.id}",
    request: (h) => ({
      compositeRequest: [
        {
          method: "POST",
          url: `${v}/sobjects/Contact`,
          referenceId: "newContact",
          body: { LastName: "Lovelace", FirstName: "Ada", AccountId: h.info.accounts["Acme Customers"] },
        },
        {
          method: "GET",
          url: `${v}/sobjects/Contact/@{newContact.id}?fields=Id,AccountId`,
          referenceId: "readBack",
        },
      ],
    }),
    expect: [[201], [200]],
    check: (subs, h) => {
      const id = (subs[0]?.body as { id: string } | undefined)?.id;
      assert.equal(subs[0]?.httpHeaders.Location, `${v}/sobjects/Contact/${id}`);
      assert.equal(subs[0]?.referenceId, "newContact");
      assert.deepEqual(subs[1]?.body, {
        attributes: { type: "Contact", url: `${v}/sobjects/Contact/${id}` },
        Id: id,
        AccountId: h.info.accounts["Acme Customers"],
      });
    },
  },
  {
    name: "references into a query result and into a body",
    request: () => ({
      compositeRequest: [
        {
          method: "GET",
          url: `${v}/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name = 'Acme Customers'")}`,
          referenceId: "acct",
        },
        {
          method: "POST",
          url: `${v}/sobjects/Contact`,
          referenceId: "c",
          body: { LastName: "Ref", AccountId: "@{acct.records[0].Id}" },
        },
        {
          method: "PATCH",
          url: `${v}/sobjects/Contact/@{c.id}`,
          referenceId: "u",
          body: { Title: "Engineer" },
        },
      ],
    }),
    expect: [[200], [201], [204]],
    check: (subs) => assert.equal(subs[2]?.body, null),
  },
  {
    name: "allOrNone: one failure rolls back all, the others report PROCESSING_HALTED",
    request: (h) => ({
      allOrNone: true,
      compositeRequest: [
        { method: "POST", url: `${v}/sobjects/Account`, referenceId: "a", body: { Name: "Rolled Back Ltd" } },
        {
          method: "POST",
          url: `${v}/sobjects/User`,
          referenceId: "u",
          body: newUser(h.info, "cx", { Alias: "much-too-long" }),
        },
        { method: "GET", url: `${v}/limits`, referenceId: "l" },
      ],
    }),
    expect: [
      [400, "PROCESSING_HALTED"],
      [400, "STRING_TOO_LONG"],
      [400, "PROCESSING_HALTED"],
    ],
    check: async (subs, h) => {
      assert.equal(
        firstError(subs[0]?.body).message,
        "The transaction was rolled back since another operation in the same transaction failed.",
      );
      const q = await h.api(
        "GET",
        `query?q=${encodeURIComponent("SELECT COUNT() FROM Account WHERE Name = 'Rolled Back Ltd'")}`,
      );
      assert.equal((q.body as { totalSize: number }).totalSize, 0);
    },
  },
  {
    name: "without allOrNone a failure halts only the subrequests that reference it",
    request: (h) => ({
      compositeRequest: [
        {
          method: "POST",
          url: `${v}/sobjects/User`,
          referenceId: "bad",
          body: newUser(h.info, "cy", { Email: "nope" }),
        },
        { method: "GET", url: `${v}/sobjects/User/@{bad.id}`, referenceId: "dependent" },
        {
          method: "POST",
          url: `${v}/sobjects/Account`,
          referenceId: "independent",
          body: { Name: "Still Created" },
        },
      ],
    }),
    expect: [[400, "INVALID_EMAIL_ADDRESS"], [400, "PROCESSING_HALTED"], [201]],
    check: (subs) =>
      assert.match(
        firstError(subs[1]?.body).message,
        /^Invalid reference specified\. No value for bad\.id found in bad\./,
      ),
  },
  {
    name: "a collection inside a composite",
    request: (h) => ({
      compositeRequest: [
        {
          method: "POST",
          url: `${v}/composite/sobjects`,
          referenceId: "batch",
          body: { records: [{ attributes: { type: "User" }, ...newUser(h.info, "cz") }] },
        },
      ],
    }),
    expect: [[200]],
    check: (subs) => assert.equal((subs[0]?.body as { success: boolean }[] | undefined)?.[0]?.success, true),
  },
  {
    name: "26 subrequests",
    request: () => ({
      compositeRequest: Array.from({ length: 26 }, (_, i) => ({
        method: "GET",
        url: `${v}/limits`,
        referenceId: `r${i}`,
      })),
    }),
    status: 400,
    errorCode: "LIMIT_EXCEEDED",
  },
  {
    name: "a duplicate referenceId",
    request: () => ({
      compositeRequest: [
        { method: "GET", url: `${v}/limits`, referenceId: "same" },
        { method: "GET", url: `${v}/limits`, referenceId: "same" },
      ],
    }),
    status: 400,
    errorCode: "INVALID_INPUT",
  },
];

describe("Composite", () => {
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
      const res = await h.api("POST", "composite", c.request(h));
      assert.equal(res.status, c.status ?? 200, JSON.stringify(res.body).slice(0, 600));
      if (c.errorCode !== undefined) assert.equal(firstError(res.body).errorCode, c.errorCode);
      const subs = (res.body as { compositeResponse?: Sub[] }).compositeResponse ?? [];
      if (c.expect !== undefined) {
        assert.deepEqual(
          subs.map((s) =>
            s.httpStatusCode >= 400 ? [s.httpStatusCode, firstError(s.body).errorCode] : [s.httpStatusCode],
          ),
          c.expect,
        );
      }
      await c.check?.(subs, h);
    });
  }

  it("counts as one API call", async () => {
    const before = (await h.control("GET", "/stats")).body as { apiUsage: { used: number } };
    await h.api("POST", "composite", {
      compositeRequest: [
        { method: "GET", url: `${v}/limits`, referenceId: "a" },
        { method: "GET", url: `${v}/limits`, referenceId: "b" },
      ],
    });
    const afterStats = (await h.control("GET", "/stats")).body as { apiUsage: { used: number } };
    assert.equal(afterStats.apiUsage.used - before.apiUsage.used, 1);
  });
});
