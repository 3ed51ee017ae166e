import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { firstError, type Harness, harness, type Reply } from "./support.ts";

/**
 * Salesforce's record rules on single-record REST calls (salesforce-api.md §2.3–2.4, §3, §4), as
 * tables: each call, the status it gets, and the error Salesforce would give.
 */

export type Case = {
  name: string;
  run(h: Harness): Promise<Reply>;
  status: number;
  errorCode?: string;
  fields?: string[];
  message?: string | RegExp;
};

export async function createContact(h: Harness, account: string, n: string): Promise<string> {
  const res = await h.api("POST", "sobjects/Contact", {
    AccountId: h.info.accounts[account],
    LastName: `Contact${n}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return (res.body as { id: string }).id;
}

export const communityProfile = (h: Harness) => h.info.profiles["Acme Customer Community User"];

/**
 * One suite per table, on a fresh org each case; `more` adds tests that share the harness.
 * Every answer carries Sforce-Limit-Info; errors come as Salesforce's JSON array.
 */
export const describeRules = (title: string, cases: Case[], more?: (org: () => Harness) => void): void => {
  describe(title, () => {
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
        assert.equal(res.status, c.status, JSON.stringify(res.body));
        assert.match(String(res.headers["sforce-limit-info"]), /^api-usage=\d+\/\d+$/);
        if (c.errorCode === undefined) return;
        assert.ok(Array.isArray(res.body), "errors come as a JSON array");
        const err = firstError(res.body);
        assert.equal(err.errorCode, c.errorCode);
        if (c.fields !== undefined) assert.deepEqual(err.fields, c.fields);
        if (typeof c.message === "string") assert.equal(err.message, c.message);
        if (c.message instanceof RegExp) assert.match(err.message, c.message);
      });
    }
    more?.(() => h);
  });
};
