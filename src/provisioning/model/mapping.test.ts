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

  it("refuses a field mapped twice and fields the engine sets, naming each", () => {
    const { problems } = compileMapping(
      [
        field("Email", { attributeNames: ["mail"] }),
        field("email", { attributeNames: ["mail"] }),
        field("IsActive", { defaultValue: "true" }),
      ],
      "channels[0].attributeMapping",
    );
    assert.deepEqual(
      problems.map((p) => p.field),
      ["channels[0].attributeMapping[1].fieldName", "channels[0].attributeMapping[2].fieldName"],
    );
  });

  it("evaluates an expression before attributeNames, then the default, then trim, case and parser", () => {
    const desired = mapUser(
      compile([
        // PingFederate lists the attributes an expression reads; the expression gives the value.
        field("Alias", { attributeNames: ["uid"], expression: 'Left(Replace([mail], ".", ""), 8)' }),
        field("CommunityNickname", {
          expression: '[givenName] & "_" & [sn]',
          trim: true,
          characterCase: "LOWER",
        }),
        field("Manager__c", {
          expression: "[manager]",
          parser: "EXTRACT_CN_FROM_DN",
          characterCase: "UPPER",
        }),
        field("Title", { attributeNames: ["uid"], expression: "[title]", defaultValue: "Staff" }),
        field("Department", { expression: '[department] & ""' }),
        field("PermissionSets", { expression: 'Split(Join(",", [roles], "Chatter"), ",")' }),
      ]),
      ada,
    );
    assert.deepEqual(desired.user, {
      Alias: "AdaLovel",
      CommunityNickname: "ada _lovelace",
      Manager__c: "CHARLES BABBAGE, FRS",
      Title: "Staff",
    });
    assert.deepEqual(desired.permissionSets, ["Chatter", "Sales", "Support"]);
    assert.ok(desired.mapped.has("Department"), "an expression with no value clears the field");
    assert.equal(desired.failure, undefined);
  });

  it("refuses PingFederate's OGNL, naming the field and where Portico's parser stopped", () => {
    const { problems } = compileMapping(
      [
        field("Username", { attributeNames: ["mail"] }),
        field("Alias", {
          attributeNames: ["sAMAccountName"],
          expression: '#result=#this.get("sAMAccountName").toString()',
        }),
        field("Title", { expression: "uid.substring(0,8)" }),
      ],
      "channels[0].attributeMapping",
    );
    assert.deepEqual(
      problems.map((p) => p.field),
      [
        "channels[0].attributeMapping[1].saasFieldInfo.expression",
        "channels[0].attributeMapping[2].saasFieldInfo.expression",
      ],
    );
    assert.match(
      problems[0]?.message ?? "",
      /^Alias: EXPR_SYNTAX unexpected character "#" \(a PingFederate OGNL expression\? .*\) at line 1, column 1; the channel cannot be active until the expression is rewritten\n#result=/,
    );
    assert.match(
      problems[1]?.message ?? "",
      /^Title: EXPR_SYNTAX unexpected character "\." at line 1, column 4 .*OGNL.*\nuid\.substring\(0,8\)\n {3}\^$/s,
    );
  });

  it("a user the expression fails for is marked, and the field is neither set nor cleared", () => {
    const mapping = compile([
      field("Username", { attributeNames: ["mail"] }),
      field("Alias", { expression: "Left([uid], [employeeType])" }),
    ]);
    const desired = mapUser(mapping, {
      ...ada,
      attributes: { ...ada.attributes, employeeType: ["contractor"] },
    });
    assert.equal(desired.failure?.field, "Alias");
    assert.equal(desired.failure?.code, "EXPR_ARGUMENT_INVALID");
    assert.match(
      desired.failure?.message ?? "",
      /^Alias: Left's number of characters must be a whole number/,
    );
    assert.equal(desired.user.Alias, undefined);
    assert.ok(!desired.mapped.has("Alias"));
    const masked = mapUser(
      compile([field("EmployeeNumber", { expression: 'FormatDate([sn], "yyyy", "iso")', masked: true })]),
      ada,
    );
    assert.equal(masked.failure?.code, "EXPR_ARGUMENT_INVALID");
    assert.equal(
      masked.failure?.message,
      "EmployeeNumber: the expression failed at line 1, column 1 (details hidden: the field is masked)",
    );
    const fixed = mapUser(mapping, { ...ada, attributes: { ...ada.attributes, employeeType: ["2"] } });
    assert.equal(fixed.user.Alias, "ad");
    assert.notEqual(fixed.hash, desired.hash);
  });
});
