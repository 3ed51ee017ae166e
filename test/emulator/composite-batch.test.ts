import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { apiUsed, firstError, type Harness, harness, newUser } from "./support.ts";

/** Composite Batch (REST API guide): up to 25 independent subrequests, haltOnError, per-call limits. */

type BatchResult = { statusCode: number; result: unknown };
type BatchResponse = { hasErrors: boolean; results: BatchResult[] };

describe("composite batch", () => {
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

  it("runs subrequests in order, each answering its own status and result", async () => {
    const contact = await h.api("POST", "sobjects/Contact", { LastName: "Batch" });
    const id = (contact.body as { id: string }).id;
    const res = await h.api("POST", "composite/batch", {
      batchRequests: [
        { method: "PATCH", url: `v66.0/sobjects/Contact/${id}`, richInput: { FirstName: "Ada" } },
        { method: "GET", url: `v66.0/sobjects/Contact/${id}?fields=FirstName,LastName` },
        { method: "POST", url: "/services/data/v66.0/sobjects/User", richInput: newUser(h.info, "b1") },
        { method: "GET", url: "v66.0/limits" },
      ],
    });
    assert.equal(res.status, 200);
    const body = res.body as BatchResponse;
    assert.equal(body.hasErrors, false);
    assert.deepEqual(
      body.results.map((r) => r.statusCode),
      [204, 200, 201, 200],
    );
    assert.equal(body.results[0]?.result, null);
    assert.deepEqual(body.results[1]?.result, {
      attributes: { type: "Contact", url: `/services/data/v66.0/sobjects/Contact/${id}` },
      FirstName: "Ada",
      LastName: "Batch",
    });
    assert.match(String((body.results[2]?.result as { id?: string } | undefined)?.id), /^005/);
  });

  it("a failure rolls nothing back; later subrequests still run without haltOnError", async () => {
    const res = await h.api("POST", "composite/batch", {
      batchRequests: [
        { method: "POST", url: "v66.0/sobjects/Contact", richInput: { LastName: "Kept" } },
        { method: "POST", url: "v66.0/sobjects/Contact", richInput: { FirstName: "NoLastName" } },
        { method: "POST", url: "v66.0/sobjects/Contact", richInput: { LastName: "AlsoKept" } },
      ],
    });
    const body = res.body as BatchResponse;
    assert.equal(body.hasErrors, true);
    assert.deepEqual(
      body.results.map((r) => r.statusCode),
      [201, 400, 201],
    );
    assert.equal(firstError(body.results[1]?.result).errorCode, "REQUIRED_FIELD_MISSING");
    const q = await h.api(
      "GET",
      `query?q=${encodeURIComponent("SELECT LastName FROM Contact WHERE LastName LIKE '%Kept'")}`,
    );
    assert.equal((q.body as { totalSize: number }).totalSize, 2);
  });

  it("haltOnError answers 412 BATCH_PROCESSING_HALTED for every subrequest after a failure", async () => {
    const res = await h.api("POST", "composite/batch", {
      haltOnError: true,
      batchRequests: [
        { method: "GET", url: "v66.0/sobjects/Contact/003000000000000AAA" },
        { method: "POST", url: "v66.0/sobjects/Contact", richInput: { LastName: "NeverRun" } },
        { method: "GET", url: "v66.0/limits" },
      ],
    });
    const body = res.body as BatchResponse;
    assert.equal(res.status, 200);
    assert.equal(body.hasErrors, true);
    assert.deepEqual(
      body.results.map((r) => r.statusCode),
      [404, 412, 412],
    );
    assert.deepEqual(body.results[1]?.result, [
      { errorCode: "BATCH_PROCESSING_HALTED", message: "Batch processing halted per request" },
    ]);
    const q = await h.api(
      "GET",
      `query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName = 'NeverRun'")}`,
    );
    assert.equal((q.body as { totalSize: number }).totalSize, 0);
  });

  it("each subrequest counts as an API call; a subrequest past the quota answers 403", async () => {
    const before = await apiUsed(h);
    const three = Array.from({ length: 3 }, () => ({ method: "GET", url: "v66.0/limits" }));
    await h.api("POST", "composite/batch", { batchRequests: three });
    assert.equal((await apiUsed(h)) - before, 3);

    const used = await apiUsed(h);
    await h.control("PUT", "/limits", { dailyApiRequests: used + 2 });
    const res = await h.api("POST", "composite/batch", { batchRequests: three });
    const body = res.body as BatchResponse;
    assert.deepEqual(
      body.results.map((r) => r.statusCode),
      [200, 200, 403],
    );
    assert.equal(firstError(body.results[2]?.result).errorCode, "REQUEST_LIMIT_EXCEEDED");
  });

  const refusals: { name: string; body: unknown; errorCode: string }[] = [
    {
      name: "more than 25 subrequests",
      body: { batchRequests: Array.from({ length: 26 }, () => ({ method: "GET", url: "v66.0/limits" })) },
      errorCode: "LIMIT_EXCEEDED",
    },
    { name: "a body without batchRequests", body: { requests: [] }, errorCode: "JSON_PARSER_ERROR" },
    {
      name: "a subrequest without a url",
      body: { batchRequests: [{ method: "GET" }] },
      errorCode: "JSON_PARSER_ERROR",
    },
    {
      name: "a subrequest with an unknown method",
      body: { batchRequests: [{ method: "FETCH", url: "v66.0/limits" }] },
      errorCode: "INVALID_INPUT",
    },
    {
      name: "a subrequest for a later version than the batch's",
      body: { batchRequests: [{ method: "GET", url: "v67.0/limits" }] },
      errorCode: "INVALID_INPUT",
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name} with 400, running nothing`, async () => {
      const res = await h.api("POST", "composite/batch", c.body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(firstError(res.body).errorCode, c.errorCode);
    });
  }

  it("composite resources are not batchable: a nested one answers 404 on its own", async () => {
    const res = await h.api("POST", "composite/batch", {
      batchRequests: [
        { method: "POST", url: "v66.0/composite/sobjects", richInput: { records: [] } },
        { method: "GET", url: "v66.0/limits" },
      ],
    });
    const body = res.body as BatchResponse;
    assert.deepEqual(
      body.results.map((r) => r.statusCode),
      [404, 200],
    );
  });
});
