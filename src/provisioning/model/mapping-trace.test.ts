import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SourceUser } from "../source/source.ts";
import { compileMapping, mapUser } from "./mapping.ts";
import { traceMapping } from "./mapping-trace.ts";

const ada: SourceUser = {
  id: "ada",
  enabled: true,
  attributes: {
    uid: ["ada"],
    mail: ["Ada.Lovelace@Acme.example.com"],
    givenName: ["Ada"],
    sn: ["Lovelace"],
    employeeNumber: ["E-1815"],
    roles: ["Sales"],
  },
};

const { mapping, problems } = compileMapping(
  [
    {
      fieldName: "Username",
      saasFieldInfo: { attributeNames: ["mail"], trim: true, characterCase: "LOWER" },
    },
    {
      fieldName: "Alias",
      saasFieldInfo: {
        attributeNames: ["givenName", "sn"],
        expression: 'Left([givenName], 1) & " " & [sn]',
        parser: "EXTRACT_USERNAME_FROM_EMAIL",
        trim: true,
        characterCase: "LOWER",
      },
    },
    { fieldName: "Title", saasFieldInfo: { expression: "[title]", defaultValue: "Staff" } },
    { fieldName: "EmployeeNumber", saasFieldInfo: { attributeNames: ["employeeNumber"], masked: true } },
    { fieldName: "PermissionSets", saasFieldInfo: { expression: 'Join(",", [roles], "Chatter")' } },
  ],
  "m",
);

describe("the mapping trace", () => {
  assert.deepEqual(problems, []);
  const trace = traceMapping(mapping, ada);
  const byField = new Map(trace.map((t) => [t.field, t]));

  it("shows each field's source values, expression result, processing steps and final value", () => {
    assert.deepEqual(byField.get("Alias"), {
      field: "Alias",
      sources: [
        { attribute: "givenName", values: ["Ada"] },
        { attribute: "sn", values: ["Lovelace"] },
      ],
      expression: 'Left([givenName], 1) & " " & [sn]',
      expressionResult: ["A Lovelace"],
      from: "expression",
      raw: ["A Lovelace"],
      steps: [
        { step: "parser", value: "A Lovelace" },
        { step: "trim", value: "A Lovelace" },
        { step: "case", value: "a lovelace" },
      ],
      value: "a lovelace",
      masked: false,
    });
    assert.equal(byField.get("Title")?.from, "default");
    assert.deepEqual(byField.get("Title")?.expressionResult, []);
    assert.equal(byField.get("Title")?.value, "Staff");
    assert.deepEqual(byField.get("PermissionSets")?.value, ["Sales,Chatter"]);
  });

  it("masks what a masked field reads and makes", () => {
    const number = byField.get("EmployeeNumber");
    assert.deepEqual(number?.sources, [{ attribute: "employeeNumber", values: ["***"] }]);
    assert.equal(number?.value, "***");
    assert.ok(!JSON.stringify(trace).includes("E-1815"));
  });

  it("tells the same story as the mapping itself", () => {
    const desired = mapUser(mapping, ada);
    for (const field of ["Username", "Alias", "Title"])
      assert.equal(byField.get(field)?.value, desired.user[field], field);
  });
});
