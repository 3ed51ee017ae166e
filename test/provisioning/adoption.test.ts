import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { updateUser } from "../../src/services/directory/users.ts";
import { assertProblem } from "../support/errors.ts";
import {
  acme,
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * §5.4 "First activation of a channel": Salesforce users that already exist are matched by
 * Username or Federation ID and adopted, then brought in line, never duplicated. And the two
 * ways a user can be refused: by Portico before activation (a required field unmapped) and by
 * Salesforce for one record (its message kept).
 */
describe("adoption on first activation, required fields, refused records", () => {
  let bench: ProvisioningBench;
  const existing = async (fields: Record<string, unknown>) =>
    (
      await bench.sf.asAdmin<{ id: string }>("POST", "sobjects/User", {
        LastName: "Legacy",
        Alias: "legacy",
        TimeZoneSidKey: "America/Los_Angeles",
        LocaleSidKey: "en_US",
        EmailEncodingKey: "UTF-8",
        LanguageLocaleKey: "en_US",
        ProfileId: bench.sf.org.profiles["Standard User"],
        ...fields,
      })
    ).id;
  const usersWhere = (where: string) =>
    bench.query<{ Id: string; Username: string; LastName: string; IsActive: boolean }>(
      `SELECT Id, Username, LastName, IsActive, FederationIdentifier FROM User WHERE ${where}`,
    );

  before(async () => {
    bench = await startProvisioningBench();
    await staffGroup(bench.server.context, []);
  });
  after(async () => bench?.dispose());

  it("refuses to activate a channel whose mapping leaves Salesforce's required fields unmapped, naming them", async () => {
    const mapping = defaultBuiltinMapping().filter((m) => !["LastName", "Alias"].includes(m.fieldName));
    // The first save: Portico has no field list yet, so it reads Salesforce's now, in the same PUT.
    const refused = await bench.configure({ channels: [staffChannel({ attributeMapping: mapping })] });
    const problem = assertProblem(refused, "CONN_INVALID", 422);
    assert.match(problem.detail, /required by Salesforce and not mapped: .*Alias/);
    assert.match(problem.detail, /LastName/);
    assert.equal(
      (await bench.server.request("GET", `/idp/spConnections/${bench.connectionId}`)).statusCode,
      404,
      "nothing half-done is kept",
    );
    const fixed = await bench.configure();
    assert.equal(fixed.statusCode, 201, fixed.body);
  });

  it("adopts existing users by Username (in any case) and by Federation ID, updates them, creates none twice", async () => {
    const ann = await existing({
      Username: "Ann@Acme.Example.com",
      Email: acme("ann"),
      CommunityNickname: "ann-l",
    });
    const bert = await existing({
      Username: "bert.legacy@acme.example.com",
      Email: "bert.legacy@acme.example.com",
      FederationIdentifier: acme("bert"),
      CommunityNickname: "bert-l",
    });
    // Salesforce matches Federation IDs without regard to case (the org setting, on by default).
    const cleo = await existing({
      Username: "cleo.legacy@acme.example.com",
      Email: "cleo.legacy@acme.example.com",
      FederationIdentifier: "Cleo@ACME.example.com",
      CommunityNickname: "cleo-l",
      IsActive: false,
    });
    for (const uid of ["ann", "bert", "cleo"]) await bench.person(uid);

    const report = await bench.run();
    const failed = await bench.events({ success: false });
    assert.equal(report.summary.counts.ADOPT, 3, JSON.stringify(failed));
    assert.equal(report.summary.counts.CREATE ?? 0, 0);
    assert.equal(report.summary.counts.REACTIVATE, 1, "cleo is enabled in the directory");
    for (const [uid, id] of [
      ["ann", ann],
      ["bert", bert],
      ["cleo", cleo],
    ] as const) {
      const rows = await usersWhere(`FederationIdentifier = '${acme(uid)}' OR Username = '${acme(uid)}'`);
      assert.equal(rows.length, 1, `one Salesforce user for ${uid}`);
      assert.equal(rows[0]?.Id, id, `${uid} is the existing user`);
      assert.equal(rows[0]?.LastName, `${uid[0]?.toUpperCase()}${uid.slice(1)}son`, "brought in line");
      assert.equal(rows[0]?.IsActive, true);
    }
    const [adopted] = await bench.events({ sourceId: "bert", type: "ADOPT" });
    assert.equal(adopted?.targetId, bert);
  });

  it("keeps adopted users under management: a later change is an update of the same record", async () => {
    await updateUser(bench.server.context, testActor, "bert", { attributes: { title: "Adopted" } });
    const report = await bench.run();
    assert.equal(report.summary.counts.UPDATE, 1);
    const rows = await usersWhere(`FederationIdentifier = '${acme("bert")}'`);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      (await bench.query<{ Title: string }>(`SELECT Title FROM User WHERE Id = '${rows[0]?.Id}'`))[0]?.Title,
      "Adopted",
    );
  });

  it("keeps Salesforce's own message for a record it refuses, in the state, the events and the API", async () => {
    // Someone in Salesforce already goes by the nickname the mapping gives dora (her uid).
    await existing({
      Username: "dora.other@elsewhere.example.com",
      Email: "dora.other@elsewhere.example.com",
      CommunityNickname: "dora",
    });
    await bench.person("dora");
    const report = await bench.run();
    assert.equal(report.summary.failures, 1);
    assert.equal(report.state.status, "IDLE", "one refused record does not fail the cycle");
    const [row] = await bench.server.context.store.provisioning.getObjects(bench.connectionId, "user", [
      "dora",
    ]);
    assert.equal(row?.status, "FAILED");
    const salesforceSays =
      "The nickname you entered is already in use by another user. Enter a unique nickname.";
    assert.ok(row?.lastError?.message.includes(salesforceSays), row?.lastError?.message);
    const listed = await bench.server.request("GET", "/provisioning/events?user=dora&success=false");
    const [event] = (JSON.parse(listed.body) as { items: { type: string; cause: string }[] }).items;
    assert.equal(event?.type, "CREATE");
    assert.ok(event?.cause.includes(salesforceSays), event?.cause);
    assert.ok(event?.cause.includes("DUPLICATE_COMM_NICKNAME"), event?.cause);
  });
});
