import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { apiUsed, firstError, type Harness, harness, type Reply } from "./support.ts";

/**
 * Bulk API 2.0 ingest (Salesforce's Bulk API 2.0 guide): jobs, CSV uploads, states, the three
 * results files, and the REST API's record rules applied row by row.
 */

type Job = Record<string, unknown> & { id: string; state: string };

const csvHeaders = { "content-type": "text/csv" };
const userColumns =
  "Username,Email,LastName,Alias,TimeZoneSidKey,LocaleSidKey,EmailEncodingKey,LanguageLocaleKey,ProfileId";

function userRow(h: Harness, n: string, lastName = `Bulk${n}`): string {
  const username = `bulk${n}@test.example.com`;
  return `${username},${username},${lastName},b${n},Europe/London,en_GB,UTF-8,en_US,${h.info.profiles["Standard User"]}`;
}

describe("Bulk API 2.0 ingest", () => {
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

  const createJob = async (body: Record<string, unknown>): Promise<Job> => {
    const res = await h.api("POST", "jobs/ingest", body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Job;
  };
  const upload = (job: Job, csv: string): Promise<Reply> =>
    h.api("PUT", `jobs/ingest/${job.id}/batches`, csv, csvHeaders);
  const close = (job: Job): Promise<Reply> =>
    h.api("PATCH", `jobs/ingest/${job.id}`, { state: "UploadComplete" });
  const poll = async (job: Job): Promise<Job> => (await h.api("GET", `jobs/ingest/${job.id}`)).body as Job;
  /** Closes the job and polls until it finishes, as a client does; returns the states it saw. */
  const run = async (job: Job, csv: string): Promise<{ info: Job; states: string[] }> => {
    assert.equal((await upload(job, csv)).status, 201);
    const closed = await close(job);
    const states = [(closed.body as Job).state];
    let info = await poll(job);
    states.push(info.state);
    while (info.state === "UploadComplete" || info.state === "InProgress") {
      info = await poll(job);
      states.push(info.state);
    }
    return { info, states };
  };
  const results = async (job: Job, file: string): Promise<Reply> =>
    h.api("GET", `jobs/ingest/${job.id}/${file}/`);

  it("inserts: Open → UploadComplete → InProgress → JobComplete, with Salesforce's results files", async () => {
    const job = await createJob({
      object: "User",
      operation: "insert",
      contentType: "CSV",
      lineEnding: "LF",
    });
    assert.deepEqual(
      { ...job, id: undefined, createdDate: undefined, systemModstamp: undefined },
      {
        id: undefined,
        operation: "insert",
        object: "User",
        createdById: h.info.adminUserId,
        createdDate: undefined,
        systemModstamp: undefined,
        state: "Open",
        concurrencyMode: "Parallel",
        contentType: "CSV",
        apiVersion: 66,
        jobType: "V2Ingest",
        lineEnding: "LF",
        columnDelimiter: "COMMA",
        contentUrl: `services/data/v66.0/jobs/ingest/${job.id}/batches`,
      },
    );
    assert.match(job.id, /^750[0-9A-Za-z]{15}$/);
    const csv = [userColumns, userRow(h, "1"), userRow(h, "2", ""), userRow(h, "3")].join("\n");
    const { info, states } = await run(job, `${csv}\n`);
    assert.deepEqual(states, ["UploadComplete", "InProgress", "JobComplete"]);
    assert.equal(info.numberRecordsProcessed, 3);
    assert.equal(info.numberRecordsFailed, 1);

    const ok = await results(job, "successfulResults");
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers["content-type"]), /^text\/csv/);
    const okLines = String(ok.body).trimEnd().split("\n");
    assert.equal(okLines[0], `"sf__Id","sf__Created",${userColumns}`);
    assert.equal(okLines.length, 3);
    assert.match(String(okLines[1]), /^"005[0-9A-Za-z]{15}","true","bulk1@test\.example\.com",/);

    const failed = String((await results(job, "failedResults")).body)
      .trimEnd()
      .split("\n");
    assert.equal(failed[0], `"sf__Id","sf__Error",${userColumns}`);
    assert.equal(
      failed[1]?.split('","').slice(0, 3).join('","'),
      '"","REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --","bulk2@test.example.com',
    );
    assert.equal(String((await results(job, "unprocessedrecords")).body), `${userColumns}\n`);

    const q = await h.api(
      "GET",
      `query?q=${encodeURIComponent("SELECT Username FROM User WHERE Username LIKE 'bulk%'")}`,
    );
    assert.equal((q.body as { totalSize: number }).totalSize, 2);
  });

  it("updates by Id: an empty cell leaves a field alone, #N/A clears it", async () => {
    const contact = await h.api("POST", "sobjects/Contact", {
      LastName: "Before",
      FirstName: "Keep",
      Title: "Clear me",
    });
    const id = (contact.body as { id: string }).id;
    const job = await createJob({ object: "Contact", operation: "update" });
    const { info } = await run(job, `Id,LastName,FirstName,Title\n${id},After,,#N/A\n,NoId,,\n`);
    assert.deepEqual([info.numberRecordsProcessed, info.numberRecordsFailed], [2, 1]);
    const read = await h.api("GET", `sobjects/Contact/${id}?fields=LastName,FirstName,Title`);
    assert.deepEqual(
      [
        (read.body as Record<string, unknown>).LastName,
        (read.body as Record<string, unknown>).FirstName,
        (read.body as Record<string, unknown>).Title,
      ],
      ["After", "Keep", null],
    );
    const failed = String((await results(job, "failedResults")).body);
    assert.match(failed, /"MISSING_ARGUMENT:Id not specified in an update call:--"/);
  });

  it("upserts by Username: sf__Created tells a created row from an updated one", async () => {
    const job = await createJob({ object: "User", operation: "upsert", externalIdFieldName: "Username" });
    assert.equal(job.externalIdFieldName, "Username");
    const existing = `${h.info.adminUsername},${h.info.adminUsername},Integration,integ,America/Los_Angeles,en_US,UTF-8,en_US,${h.info.profiles["System Administrator"]}`;
    const { info } = await run(job, `${userColumns}\n${existing}\n${userRow(h, "u1")}\n`);
    assert.equal(info.numberRecordsFailed, 0);
    const lines = String((await results(job, "successfulResults")).body)
      .trimEnd()
      .split("\n");
    assert.equal(lines[1]?.startsWith(`"${h.info.adminUserId}","false",`), true);
    assert.match(String(lines[2]), /^"005[0-9A-Za-z]{15}","true",/);
  });

  it("deletes, and a user row fails on its own: users are never deleted", async () => {
    const contact = await h.api("POST", "sobjects/Contact", { LastName: "Gone" });
    const id = (contact.body as { id: string }).id;
    const job = await createJob({ object: "Contact", operation: "hardDelete" });
    const { info } = await run(job, `Id\n${id}\n003000000000000AAA\n`);
    assert.deepEqual([info.numberRecordsProcessed, info.numberRecordsFailed], [2, 1]);
    assert.equal((await h.api("GET", `sobjects/Contact/${id}`)).status, 404);

    const users = await createJob({ object: "User", operation: "delete" });
    const ran = await run(users, `Id\n${h.info.adminUserId}\n`);
    assert.equal(ran.info.numberRecordsFailed, 1);
    assert.match(
      String((await results(users, "failedResults")).body),
      /INVALID_TYPE_FOR_OPERATION:entity type cannot be deleted/,
    );
  });

  it("reads the job's delimiter and line ending, and quoted cells with both inside", async () => {
    const job = await createJob({
      object: "Contact",
      operation: "insert",
      columnDelimiter: "TAB",
      lineEnding: "CRLF",
    });
    const { info } = await run(job, 'LastName\tDescription\r\n"Tab\tName"\t"two\r\nlines"\r\n');
    assert.equal(info.numberRecordsFailed, 0);
    const ok = String((await results(job, "successfulResults")).body);
    assert.ok(ok.endsWith('"true"\t"Tab\tName"\t"two\r\nlines"\r\n'), JSON.stringify(ok));
  });

  it("a line ending other than the job's fails the job, processing nothing", async () => {
    const job = await createJob({ object: "Contact", operation: "insert", lineEnding: "LF" });
    const { info } = await run(job, "LastName\r\nCrlf\r\n");
    assert.equal(info.state, "Failed");
    assert.equal(
      info.errorMessage,
      "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF",
    );
    const q = await h.api(
      "GET",
      `query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName = 'Crlf'")}`,
    );
    assert.equal((q.body as { totalSize: number }).totalSize, 0);
  });

  it("an unknown column fails the job; its rows are listed as unprocessed", async () => {
    const job = await createJob({ object: "Contact", operation: "insert" });
    const { info } = await run(job, "LastName,Nope__c\nA,x\n");
    assert.deepEqual(
      [info.state, info.errorMessage],
      ["Failed", "InvalidBatch : Field name not found : Nope__c"],
    );
    assert.equal(String((await results(job, "unprocessedrecords")).body), "LastName,Nope__c\nA,x\n");
  });

  it("a value the field cannot hold fails its row with INVALID_TYPE_ON_FIELD_IN_RECORD", async () => {
    const job = await createJob({ object: "User", operation: "update" });
    await run(job, `Id,IsActive\n${h.info.adminUserId},maybe\n`);
    assert.match(
      String((await results(job, "failedResults")).body),
      /"INVALID_TYPE_ON_FIELD_IN_RECORD:Active: value not of required type: maybe:IsActive --"/,
    );
  });

  it("aborting keeps every uploaded row unprocessed; an aborted job cannot be closed", async () => {
    const job = await createJob({ object: "Contact", operation: "insert" });
    await upload(job, "LastName\nAborted\n");
    const aborted = await h.api("PATCH", `jobs/ingest/${job.id}`, { state: "Aborted" });
    assert.equal((aborted.body as Job).state, "Aborted");
    assert.equal(String((await results(job, "unprocessedrecords")).body), "LastName\nAborted\n");
    const closing = await close(job);
    assert.equal(closing.status, 409);
    assert.equal(firstError(closing.body).errorCode, "INVALIDJOBSTATE");
  });

  it("closing a job with no data fails it", async () => {
    const job = await createJob({ object: "Contact", operation: "insert" });
    await close(job);
    await poll(job);
    const info = await poll(job);
    assert.equal(info.state, "Failed");
    assert.match(String(info.errorMessage), /^InvalidBatch : /);
  });

  const createRefusals: { name: string; body: Record<string, unknown>; message: string | RegExp }[] = [
    {
      name: "an upsert without an external ID field",
      body: { object: "User", operation: "upsert" },
      message: "InvalidJob : External ID was blank for User. An External ID must be specified for upsert.",
    },
    {
      name: "an upsert on a field that is not an external ID",
      body: { object: "Account", operation: "upsert", externalIdFieldName: "Website" },
      message:
        "InvalidJob : Field name provided, Website does not match an External ID, Salesforce Id, or indexed field for Account",
    },
    { name: "an unknown object", body: { object: "Nope__c", operation: "insert" }, message: /Nope__c/ },
    { name: "an unknown operation", body: { object: "Contact", operation: "merge" }, message: /merge/ },
    {
      name: "a line ending Salesforce does not take",
      body: { object: "Contact", operation: "insert", lineEnding: "CR" },
      message: /CR/,
    },
    {
      name: "a content type other than CSV",
      body: { object: "Contact", operation: "insert", contentType: "JSON" },
      message: /JSON/,
    },
  ];
  for (const c of createRefusals) {
    it(`refuses to create ${c.name}: 400 INVALIDJOB`, async () => {
      const res = await h.api("POST", "jobs/ingest", c.body);
      assert.equal(res.status, 400);
      const error = firstError(res.body);
      assert.equal(error.errorCode, "INVALIDJOB");
      if (typeof c.message === "string") assert.equal(error.message, c.message);
      else assert.match(error.message, c.message);
    });
  }

  it("refuses what a job's state does not allow, and unknown jobs", async () => {
    const job = await createJob({ object: "Contact", operation: "insert" });
    const json = await h.api("PUT", `jobs/ingest/${job.id}/batches`, "LastName\nX\n", {
      "content-type": "application/json",
    });
    assert.equal(json.status, 415);
    assert.equal((await results(job, "successfulResults")).status, 409);
    assert.equal((await h.api("DELETE", `jobs/ingest/${job.id}`)).status, 409);
    await upload(job, "LastName\nX\n");
    await close(job);
    const late = await upload(job, "LastName\nY\n");
    assert.deepEqual([late.status, firstError(late.body).errorCode], [409, "INVALIDJOBSTATE"]);
    assert.equal((await h.api("DELETE", `jobs/ingest/${job.id}`)).status, 204);
    const gone = await h.api("GET", `jobs/ingest/${job.id}`);
    assert.deepEqual([gone.status, firstError(gone.body).errorCode], [404, "NOT_FOUND"]);
    assert.equal((await h.api("GET", "/services/data/v40.0/jobs/ingest")).status, 404);
  });

  it("lists jobs, and counts every request as one API call", async () => {
    const before = await apiUsed(h);
    const job = await createJob({ object: "Contact", operation: "insert" });
    await run(job, "LastName\nCounted\n");
    for (const file of ["successfulResults", "failedResults", "unprocessedrecords"]) await results(job, file);
    // create, upload, close, two polls and three results files.
    assert.equal((await apiUsed(h)) - before, 8);
    const list = (await h.api("GET", "jobs/ingest")).body as {
      done: boolean;
      records: Job[];
      nextRecordsUrl: null;
    };
    assert.equal(list.done, true);
    assert.deepEqual(
      list.records.map((j) => [j.id, j.state]),
      [[job.id, "JobComplete"]],
    );
    const stats = (await h.control("GET", "/stats")).body as {
      bulkJobs: Record<string, number>;
      byKind: Record<string, number>;
    };
    assert.deepEqual(stats.bulkJobs, { JobComplete: 1 });
    assert.equal(stats.byKind["rest.bulk.poll"], 2);
  });
});
