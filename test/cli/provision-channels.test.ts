import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { updateUser } from "../../src/services/directory/users.ts";
import { type CliTestServer, parseJsonOutput, startCliServer } from "../support/cli.ts";
import { acmeUsers, addStaff, provisioningConnection } from "../support/provisioning.ts";
import { type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";
import { testActor } from "../support/service-context.ts";

type Json = Record<string, unknown>;

/** `portico provision status|preview|run|user|retry|confirm|reset|events|fields|settings`. */
describe("portico provision (channels, events, fields, settings)", () => {
  let sf: SalesforceEmulator;
  let cli: CliTestServer;

  before(async () => {
    sf = await startSalesforceEmulator();
    cli = await startCliServer();
    await addStaff(cli.server.context, "u", 3);
    const created = await cli.run(["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(provisioningConnection(sf, "org")),
    });
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await cli.dispose();
    await sf.close();
  });

  it("status shows every channel in a table, and the API's JSON with --json", async () => {
    const table = await cli.run(["provision", "status"]);
    assert.equal(table.code, 0, table.stderr);
    const [header, , row] = table.stdout.split("\n");
    assert.match(header ?? "", /^CONNECTION +CHANNEL +ACTIVE +STATE +LAST CYCLE/);
    assert.match(row ?? "", /^org +staff +yes +NEVER_RUN /);
    const json = parseJsonOutput(await cli.run(["provision", "status", "--json"]));
    const [channel] = json.items as Json[];
    assert.equal(channel?.state, "NEVER_RUN");
    assert.equal(channel?.progress, null);
  });

  it("preview lists the plan and writes nothing; --user shows what one user would become", async () => {
    const preview = await cli.run(["provision", "preview", "org", "staff"]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(
      preview.stdout,
      /^Preview of org\/staff \(full cycle; nothing is written\): 3 operation\(s\): CREATE 3/,
    );
    assert.match(preview.stdout, /\nCREATE +u1 +u1@acme\.example\.com +.*LastName=Number1/);
    const limited = parseJsonOutput(
      await cli.run(["provision", "preview", "org", "staff", "--limit", "1", "--json"]),
    );
    assert.equal((limited.operations as Json[]).length, 1);
    assert.equal(limited.total, 3);
    const one = await cli.run(["provision", "preview", "org", "staff", "--subject", "u2"]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /\nmap +.*Username=u2@acme\.example\.com/);
    assert.match(
      one.stdout,
      /\ntrace +Username = "u2@acme\.example\.com" ← mail="u2@acme\.example\.com"; trim → /,
    );
    assert.match(one.stdout, /\nplan +type=CREATE /);
    assert.deepEqual(await acmeUsers(sf), []);
  });

  it("run waits for the cycle and prints its summary; --json prints only JSON on standard output", async () => {
    const run = await cli.run(["provision", "run", "org", "staff"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^org\/staff: full cycle ended IDLE\n {2}operations {2}CREATE 3\n {2}failures {4}0\n/,
    );
    await addStaff(cli.server.context, "v", 1);
    const json = await cli.run(["provision", "run", "org", "staff", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const result = parseJsonOutput(json);
    assert.deepEqual((result.summary as Json).counts, { CREATE: 1 });
    assert.equal((result.state as Json).status, "IDLE");
  });

  it("run --no-wait starts the cycle and returns", async () => {
    const started = await cli.run(["provision", "run", "org", "staff", "--no-wait", "--json"]);
    assert.equal(started.code, 0, started.stderr);
    assert.deepEqual(parseJsonOutput(started), { accepted: true });
    const text = await cli.run(["provision", "run", "org", "staff", "--no-wait"]);
    assert.match(
      text.stdout,
      /^org\/staff: cycle started; `portico provision status` shows how it goes\.\n$/,
    );
    for (let i = 0; i < 200; i++) {
      const [channel] = parseJsonOutput(await cli.run(["provision", "status", "--json"])).items as Json[];
      if (channel?.running === false) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it("user provisions one user now and prints each step", async () => {
    await addStaff(cli.server.context, "w", 1);
    const result = await cli.run(["provision", "user", "org", "staff", "w1"]);
    assert.equal(result.code, 0, result.stderr);
    const steps = result.stdout.split("\n").map((line) => line.split(" ")[0]);
    assert.deepEqual(
      steps.filter((s) => s !== ""),
      ["read", "map", "match", "plan", "apply", "record"],
    );
    assert.match(result.stdout, /\napply +type=CREATE success=true salesforceId=005/);
    assert.match(result.stdout, /\nrecord +status=ACTIVE /);
    const json = parseJsonOutput(await cli.run(["provision", "user", "org", "staff", "w1", "--json"]));
    assert.equal((json.state as Json).status, "ACTIVE");
  });

  it("retry, confirm and reset act on the channel; errors are one line with the code", async () => {
    await addStaff(cli.server.context, "x", 1);
    await updateUser(cli.server.context, testActor, "x1", { attributes: { title: "t".repeat(200) } });
    assert.match((await cli.run(["provision", "run", "org", "staff"])).stdout, /failures {4}1\n/);
    const retry = await cli.run(["provision", "retry", "org", "staff", "--json"]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal((parseJsonOutput(retry).summary as Json).failures, 1, "the failed user was tried again");

    const confirm = await cli.run(["provision", "confirm", "org", "staff"]);
    assert.equal(confirm.code, 1);
    assert.match(
      confirm.stderr,
      /^portico: PROV_CONFIG_INVALID: The channel "staff" holds no deactivations .*\(HTTP 422\)\n$/,
    );
    const unknown = await cli.run(["provision", "run", "org", "nope"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^portico: PROV_CHANNEL_NOT_FOUND: /);
    assert.equal(unknown.stdout, "");

    const reset = await cli.run(["provision", "reset", "org", "staff"]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /^org\/staff: state forgotten/);
    const [channel] = parseJsonOutput(await cli.run(["provision", "status", "--json"])).items as Json[];
    assert.equal(channel?.state, "NEVER_RUN");
  });

  it("events prints a table, filters, and exports CSV and JSON Lines", async () => {
    const table = await cli.run(["provision", "events", "--type", "create", "--limit", "2"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^AT +CHANNEL +TYPE +SOURCE +TARGET +OK +CAUSE\n/);
    assert.equal(table.stdout.split("\n").filter((l) => / CREATE /.test(l)).length, 2);
    assert.match(table.stdout, /\(more: raise --limit, or export with --format csv\)\n$/);

    const failed = parseJsonOutput(await cli.run(["provision", "events", "--failed", "--json"]));
    const failures = failed.items as Json[];
    assert.ok(failures.length >= 2);
    assert.ok(failures.every((e) => e.success === false && e.sourceId === "x1"));

    const csv = await cli.run(["provision", "events", "--subject", "X1", "--format", "csv"]);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split("\r\n");
    assert.equal(lines[0], "at,cycleId,connectionId,channel,type,sourceId,targetId,success,cause");
    assert.equal(lines.length, failures.length + 1);
    const jsonl = await cli.run(["provision", "events", "--connection", "org", "--format", "jsonl"]);
    const all = jsonl.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Json);
    assert.ok(all.length > 10);
    assert.ok(all.every((e) => e.connectionId === "org"));

    const both = await cli.run(["provision", "events", "--failed", "--succeeded"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /CLI_USAGE: --failed and --succeeded exclude each other/);
    const badType = await cli.run(["provision", "events", "--type", "nope"]);
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /REQ_VALIDATION: querystring\.type: must be one of CREATE, /);
  });

  it("fields prints Salesforce's fields and what each channel's mapping lacks; --refresh reads them again", async () => {
    const fields = await cli.run(["provision", "fields", "org"]);
    assert.equal(fields.code, 0, fields.stderr);
    assert.match(
      fields.stdout,
      /^Salesforce's fields as fetched at \S+:\nOBJECT +FIELD +TYPE +REQUIRED +CUSTOM +PICKLIST VALUES\n/,
    );
    assert.match(fields.stdout, /\nUser +Username +string +yes\n/);
    assert.match(fields.stdout, /\nchannel staff: its mapping fits these fields\n$/);
    const refreshed = parseJsonOutput(await cli.run(["provision", "fields", "org", "--refresh", "--json"]));
    assert.ok((refreshed.required as { User: string[] }).User.includes("LastName"));
  });

  it("settings prints the schedule and the safety net, and flags change them", async () => {
    const shown = await cli.run(["provision", "settings"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^synchronization frequency {7}60 s\n/);
    const changed = parseJsonOutput(
      await cli.run(["provision", "settings", "--frequency", "30", "--hold-minimum", "0", "--json"]),
    );
    assert.deepEqual(changed, {
      synchronizationFrequency: 30,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 0, percent: 10 },
      mode: "STANDALONE",
      nodeIndex: null,
      failoverGracePeriod: 60,
    });
    const bad = await cli.run(["provision", "settings", "--hold-percent", "101"]);
    assert.equal(bad.code, 2);
    const refused = await cli.run(["provision", "settings", "--full-frequency", "10"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /REQ_VALIDATION: fullSynchronizationFrequency/);
    assert.equal(
      (parseJsonOutput(await cli.run(["provision", "settings", "--json"])) as Json).synchronizationFrequency,
      30,
    );
  });
});

describe("portico provision run on a long cycle", () => {
  let sf: SalesforceEmulator;
  let cli: CliTestServer;

  before(async () => {
    sf = await startSalesforceEmulator();
    cli = await startCliServer();
    await addStaff(cli.server.context, "p", 1500);
    const created = await cli.run(["connections", "create", "--file", "-"], {
      stdin: JSON.stringify(provisioningConnection(sf, "org")),
    });
    assert.equal(created.code, 0, created.stderr);
    await sf.control("POST", "/faults", { latencyMs: 100 });
  });
  after(async () => {
    await cli.dispose();
    await sf.close();
  });

  it("shows progress on standard error while the cycle runs, and keeps standard output for the JSON", async () => {
    const run = await cli.run(["provision", "run", "org", "staff", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((parseJsonOutput(run).summary as Json).counts, { CREATE: 1500 });
    const progress = run.stderr.split("\n").filter((l) => l !== "");
    assert.ok(progress.length > 0, "progress was shown");
    for (const line of progress)
      assert.match(line, /^org\/staff: running since \S+; so far (nothing|CREATE [1-9]\d*)$/);
    assert.ok(
      progress.some((l) => /CREATE [1-9]\d*$/.test(l)),
      progress.join("\n"),
    );
  });
});
