import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AttributeMapping } from "../../domain/channel.ts";
import type { SourceUser } from "../source/source.ts";
import { compileMapping, mapUser, shown } from "./mapping.ts";

const ada: SourceUser = {
  id: "ada",
  enabled: true,
  attributes: {
    uid: ["ada"],
    mail: ["Ada.Lovelace@Acme.example.com"],
    givenName: ["  Ada "],
    sn: ["Lovelace"],
    manager: ["cn=Charles Babbage\\, FRS,ou=people,dc=acme"],
    roles: ["Sales", "Support", "Sales"],
    employeeNumber: [],
  },
};

const field = (fieldName: string, info: AttributeMapping["saasFieldInfo"]): AttributeMapping => ({
  fieldName,
  saasFieldInfo: info,
});

const compile = (mapping: AttributeMapping[]) => {
  const { mapping: compiled, problems } = compileMapping(mapping, "channels[0].attributeMapping");
  assert.deepEqual(problems, []);
  return compiled;
};

describe("attribute mapping", () => {
  it("takes the first value of the first attribute that has one, else the default", () => {
    const desired = mapUser(
      compile([
        field("Username", { attributeNames: ["mail"] }),
        field("EmployeeNumber", { attributeNames: ["employeeNumber", "uid"] }),
        field("TimeZoneSidKey", { attributeNames: ["tz"], defaultValue: "America/Los_Angeles" }),
        field("Department", { attributeNames: ["department"] }),
      ]),
      ada,
    );
    assert.deepEqual(desired.user, {
      EmployeeNumber: "ada",
      TimeZoneSidKey: "America/Los_Angeles",
      Username: "Ada.Lovelace@Acme.example.com",
    });
  });

  it("trims, changes case and parses as PingFederate's options say", () => {
    const desired = mapUser(
      compile([
        field("FirstName", { attributeNames: ["givenName"], trim: true, characterCase: "UPPER" }),
        field("Email", { attributeNames: ["mail"], characterCase: "LOWER" }),
        field("Alias", {
          attributeNames: ["mail"],
          parser: "EXTRACT_USERNAME_FROM_EMAIL",
          characterCase: "LOWER",
        }),
        field("Manager__c", { attributeNames: ["manager"], parser: "EXTRACT_CN_FROM_DN" }),
      ]),
      ada,
    );
    assert.deepEqual(desired.user, {
      Alias: "ada.lovelace",
      Email: "ada.lovelace@acme.example.com",
      FirstName: "ADA",
      Manager__c: "Charles Babbage, FRS",
    });
  });

  it("keeps permission sets, the account and Contact fields apart", () => {
    const desired = mapUser(
      compile([
        field("PermissionSets", { attributeNames: ["roles"] }),
        field("AccountId", { defaultValue: "001000000000001AAA" }),
        field("Contact.LastName", { attributeNames: ["sn"] }),
        field("LastName", { attributeNames: ["sn"] }),
      ]),
      ada,
    );
    assert.deepEqual(desired.permissionSets, ["Sales", "Support"]);
    assert.equal(desired.accountId, "001000000000001AAA");
    assert.deepEqual(desired.contact, { LastName: "Lovelace" });
    assert.deepEqual(desired.user, { LastName: "Lovelace" });
  });

  it("splits a default list of permission sets", () => {
    const desired = mapUser(
      compile([field("PermissionSets", { defaultValue: "Sales, Support;Chatter" })]),
      ada,
    );
    assert.deepEqual(desired.permissionSets, ["Chatter", "Sales", "Support"]);
  });

  it("marks create-only and masked fields, and masks what is shown", () => {
    const desired = mapUser(
      compile([
        field("Alias", { attributeNames: ["uid"], createOnly: true }),
        field("EmployeeNumber", { attributeNames: ["uid"], masked: true }),
      ]),
      ada,
    );
    assert.ok(desired.createOnly.has("Alias"));
    assert.equal(shown(desired, "EmployeeNumber", "ada"), "***");
    assert.equal(shown(desired, "Alias", "ada"), "ada");
  });

  it("hashes what it would push: a change of value or of account status changes the hash", () => {
    const mapping = compile([field("Title", { attributeNames: ["title"] })]);
    const base = mapUser(mapping, { ...ada, attributes: { title: ["Engineer"] } });
    assert.equal(base.hash, mapUser(mapping, { ...ada, attributes: { title: ["Engineer"] } }).hash);
    assert.notEqual(base.hash, mapUser(mapping, { ...ada, attributes: { title: ["Manager"] } }).hash);
    assert.notEqual(
      base.hash,
      mapUser(mapping, { ...ada, enabled: false, attributes: { title: ["Engineer"] } }).hash,
    );
  });

  it("refuses expressions, a field mapped twice, and fields the engine sets, naming each", () => {
    const { problems } = compileMapping(
      [
        field("Alias", { attributeNames: ["uid"], expression: "#this.get('uid').substring(0,8)" }),
        field("Email", { attributeNames: ["mail"] }),
        field("email", { attributeNames: ["mail"] }),
        field("IsActive", { defaultValue: "true" }),
      ],
      "channels[0].attributeMapping",
    );
    assert.deepEqual(
      problems.map((p) => p.field),
      [
        "channels[0].attributeMapping[0].saasFieldInfo.expression",
        "channels[0].attributeMapping[2].fieldName",
        "channels[0].attributeMapping[3].fieldName",
      ],
    );
    assert.match(problems[0]?.message ?? "", /expressions are not supported yet/);
  });
});
