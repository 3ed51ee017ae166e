import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AttributeMapping } from "../../src/domain/channel.ts";
import { defaultBuiltinMapping } from "../../src/provisioning/model/channel-config.ts";
import { updateUser } from "../../src/services/directory/users.ts";
import { previewChannel } from "../../src/services/provisioning/channels.ts";
import { exportEvents } from "../../src/services/provisioning/events.ts";
import {
  acme,
  type ProvisioningBench,
  staffChannel,
  staffGroup,
  startProvisioningBench,
} from "../support/provisioning.ts";
import { testActor } from "../support/service-context.ts";

/**
 * The per-field options of the attribute mapping (PingFederate's SaasFieldConfiguration, spec
 * §2.5), each seen in what lands in the emulated org: default value, trim, character case, the
 * two parsers, masked values, and ProfileId / UserRoleId given by name.
 */
describe("attribute mapping options", () => {
  let bench: ProvisioningBench;
  const phone = "+1 555 0199 7321";
  const secondPhone = "+1 555 0142 8800";
  const replace = (mapping: AttributeMapping[], edits: Record<string, AttributeMapping["saasFieldInfo"]>) => [
    ...mapping.filter((m) => !(m.fieldName in edits)),
    ...Object.entries(edits).map(([fieldName, saasFieldInfo]) => ({ fieldName, saasFieldInfo })),
  ];
  const mapping = replace(defaultBuiltinMapping(), {
    FirstName: { attributeNames: ["givenName"], trim: true, characterCase: "UPPER" },
    LastName: { attributeNames: ["sn"], trim: false, characterCase: "NONE" },
    Title: { attributeNames: ["title"], defaultValue: "Staff" },
    Department: { attributeNames: ["departmentDn"], parser: "EXTRACT_CN_FROM_DN" },
    CommunityNickname: {
      attributeNames: ["mail"],
      parser: "EXTRACT_USERNAME_FROM_EMAIL",
      characterCase: "LOWER",
      createOnly: true,
    },
    Phone: { attributeNames: ["telephoneNumber"], masked: true },
    ProfileId: { defaultValue: "Read Only" },
    UserRoleId: { attributeNames: ["role"], defaultValue: "Sales Representative" },
  });
  const fields = [
    "FirstName",
    "LastName",
    "Title",
    "Department",
    "CommunityNickname",
    "Phone",
    "ProfileId",
    "UserRoleId",
  ];

  before(async () => {
    bench = await startProvisioningBench();
    await staffGroup(bench.server.context, []);
    const saved = await bench.configure({ channels: [staffChannel({ attributeMapping: mapping })] });
    assert.equal(saved.statusCode, 201, saved.body);
  });
  after(async () => bench?.dispose());

  it("refuses a picklist default that is not one of the org's values, naming the field", async () => {
    const bad = replace(mapping, { TimeZoneSidKey: { defaultValue: "Mars/Olympus_Mons" } });
    const refused = await bench.configure({ channels: [staffChannel({ attributeMapping: bad })] });
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /saasFieldInfo\.defaultValue/);
    assert.match(refused.body, /Mars\/Olympus_Mons.*is not one of the org's TimeZoneSidKey values/);
    const kept = await bench.configure({ channels: [staffChannel({ attributeMapping: mapping })] });
    assert.equal(kept.statusCode, 200, kept.body);
  });

  it("applies defaults, trim, case and both parsers; resolves profile and role names once a cycle", async () => {
    await bench.person("Ada.Byron", {
      mail: "Ada.Byron@Acme.Example.com",
      givenName: "  ada  ",
      sn: "Lovelace",
      departmentDn: "cn=Analytical Engines\\, Research,ou=departments,dc=acme,dc=example",
      telephoneNumber: phone,
    });
    await bench.person("bo", { role: "Sales Manager" });
    await bench.person("cy", { title: "Engineer" });
    await bench.sf.clearRequests();

    const report = await bench.run();
    assert.equal(report.summary.counts.CREATE, 3, JSON.stringify(await bench.events({ success: false })));
    const queries = (await bench.sf.requests("/services/data/")).map((r) =>
      decodeURIComponent(r.path.replace(/\+/g, " ")),
    );
    assert.equal(queries.filter((q) => /FROM Profile\b/.test(q)).length, 1, "profiles read once");
    assert.equal(queries.filter((q) => /FROM UserRole\b/.test(q)).length, 1, "roles read once");
    const ada = await bench.sfUser("ada.byron@acme.example.com", fields);
    assert.equal(ada?.FirstName, "ADA", "trimmed, then upper-cased");
    assert.equal(ada?.Title, "Staff", "the default, for want of a title");
    assert.equal(ada?.Department, "Analytical Engines, Research", "the CN of a DN, its escaped comma kept");
    assert.equal(ada?.CommunityNickname, "ada.byron", "the user part of the email, lower-cased");
    assert.equal(ada?.Phone, phone);
    assert.equal(ada?.ProfileId, bench.sf.org.profiles["Read Only"]);
    const roles = await bench.query<{ Id: string; Name: string }>("SELECT Id, Name FROM UserRole");
    const roleId = (name: string) => roles.find((r) => r.Name === name)?.Id;
    assert.equal(ada?.UserRoleId, roleId("Sales Representative"), "the default role, by name");
    const bo = await bench.sfUser(acme("bo"), fields);
    assert.equal(bo?.UserRoleId, roleId("Sales Manager"), "the role the directory names");
    assert.equal((await bench.sfUser(acme("cy"), fields))?.Title, "Engineer", "a value beats the default");
  });

  it("never updates a create-only field, and sends a changed role by its new name", async () => {
    await updateUser(bench.server.context, testActor, "bo", {
      attributes: { mail: "robert@acme.example.com", role: "VP, Sales" },
    });
    await bench.run();
    const bo = await bench.sfUser("robert@acme.example.com", fields);
    assert.equal(bo?.CommunityNickname, "bo", "create-only: the nickname of the first email stays");
    const [vp] = await bench.query<{ Id: string }>(
      "SELECT Id FROM UserRole WHERE DeveloperName = 'VP_Sales'",
    );
    assert.equal(bo?.UserRoleId, vp?.Id);
  });

  it("refuses a user whose role name Salesforce does not know, with a message naming it", async () => {
    await updateUser(bench.server.context, testActor, "cy", { attributes: { role: "Chief Dreamer" } });
    const report = await bench.run();
    assert.equal(report.summary.failures, 1);
    const [event] = await bench.events({ sourceId: "cy", success: false });
    assert.match(event?.cause ?? "", /UserRoleId: Salesforce has no role named "Chief Dreamer"/);
  });

  it("keeps a masked value out of events, exports, logs and previews, while Salesforce gets it", async () => {
    await updateUser(bench.server.context, testActor, "Ada.Byron", {
      attributes: { telephoneNumber: secondPhone },
    });
    const preview = await previewChannel(bench.server.context, bench.connectionId, "staff");
    const previewText = JSON.stringify(preview);
    assert.match(previewText, /Phone/, "the preview names the field");
    assert.doesNotMatch(previewText, /0142/, "but masks its value");
    const report = await bench.run();
    assert.equal(report.summary.counts.UPDATE, 1);
    assert.equal((await bench.sfUser("ada.byron@acme.example.com", ["Phone"]))?.Phone, secondPhone);

    let exported = "";
    for await (const chunk of exportEvents(bench.server.context, {}, "jsonl")) exported += chunk;
    const [update] = await bench.events({ sourceId: "ada.byron", type: "UPDATE" });
    assert.deepEqual(update?.detail, { fields: ["Phone"] });
    for (const [where, text] of [
      ["events", exported],
      ["logs", bench.server.logs()],
      ["preview", previewText],
    ] as const) {
      for (const value of [phone, secondPhone]) {
        const digits = value.replace(/\D/g, "").slice(-7);
        assert.ok(!text.replace(/\D/g, "").includes(digits), `${where} show a masked value`);
      }
    }
  });
});
