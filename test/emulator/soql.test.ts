import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { firstError, type Harness, harness, newUser } from "./support.ts";

/** SOQL through `/query` (salesforce-api.md §2.6): the subset a provisioning client sends. */

type Result = {
  totalSize: number;
  done: boolean;
  records: Record<string, unknown>[];
  nextRecordsUrl?: string;
};

type Case = {
  name: string;
  soql: (h: Harness) => string;
  /** Expected values of one field over the result, in order. */
  values?: [field: string, values: unknown[]];
  totalSize?: number;
  check?: (r: Result, h: Harness) => void;
  error?: { status: number; errorCode: string; message?: string | RegExp };
};

const admin = (h: Harness) => h.info.adminUsername;

const cases: Case[] = [
  {
    name: "equality on Username, with attributes and only the selected fields",
    soql: (h) => `SELECT Id, Username FROM User WHERE Username = '${admin(h)}'`,
    check: (r, h) => {
      assert.equal(r.totalSize, 1);
      assert.equal(r.done, true);
      assert.deepEqual(r.records[0], {
        attributes: { type: "User", url: `/services/data/v66.0/sobjects/User/${h.info.adminUserId}` },
        Id: h.info.adminUserId,
        Username: admin(h),
      });
    },
  },
  {
    name: "keywords, names and string comparison are case-insensitive",
    soql: (h) => `select id, USERNAME from user where username = '${admin(h).toUpperCase()}'`,
    check: (r) => assert.deepEqual(Object.keys(r.records[0] ?? {}), ["attributes", "Id", "Username"]),
  },
  {
    name: "equality on FederationIdentifier with LIMIT",
    soql: () =>
      "SELECT Username FROM User WHERE FederationIdentifier = 'Casey.Customer@customers.acme-emulator.example.com' LIMIT 1",
    values: ["Username", ["casey.customer@customers.acme-emulator.example.com"]],
  },
  {
    name: "Group is an object name after FROM (public groups by type and name)",
    soql: () =>
      "SELECT Name FROM Group WHERE Type = 'Regular' AND Name IN ('Sales Team', 'Support Team') ORDER BY Name",
    values: ["Name", ["Sales Team", "Support Team"]],
  },
  {
    name: "FROM GROUP BY names no object",
    soql: () => "SELECT Id FROM GROUP BY Name",
    error: { status: 400, errorCode: "MALFORMED_QUERY", message: /unexpected token: 'GROUP'$/ },
  },
  {
    name: "IN with ORDER BY",
    soql: () =>
      "SELECT Alias FROM User WHERE Username IN ('norah.norole@acme-emulator.example.com', 'olivia.owner@acme-emulator.example.com') ORDER BY Alias",
    values: ["Alias", ["nnorole", "oowner"]],
  },
  {
    name: "NOT IN",
    soql: () =>
      "SELECT Name FROM UserRole WHERE DeveloperName NOT IN ('CEO', 'VP_Sales', 'Sales_Manager', 'Sales_Rep') ORDER BY Name",
    values: ["Name", ["Customer Success Manager", "VP, Customer Success"]],
  },
  {
    name: "LIKE with % and _",
    soql: () => "SELECT Username FROM User WHERE Username LIKE 'o_ivia%'",
    values: ["Username", ["olivia.owner@acme-emulator.example.com"]],
  },
  {
    name: "!= null and = null",
    soql: () => "SELECT Alias FROM User WHERE UserRoleId != null ORDER BY Alias DESC",
    values: ["Alias", ["oowner", "integ", "bobrien"]],
  },
  {
    name: "= null on two fields",
    soql: () => "SELECT Alias FROM User WHERE UserRoleId = null AND ContactId = null",
    values: ["Alias", ["nnorole"]],
  },
  {
    name: "!= includes records whose value is null",
    soql: (h) => `SELECT Alias FROM User WHERE UserRoleId != '${h.info.roles.CEO}' ORDER BY Alias`,
    values: ["Alias", ["bobrien", "ccustome", "nnorole", "oowner"]],
  },
  {
    name: "OR in parentheses with AND",
    soql: () =>
      "SELECT Alias FROM User WHERE IsActive = true AND (Alias = 'integ' OR Alias = 'nnorole') ORDER BY Alias",
    values: ["Alias", ["integ", "nnorole"]],
  },
  {
    name: "OR of two indexed INs: the union, as a connector looks users up by Username or Federation ID",
    soql: () =>
      "SELECT Alias FROM User WHERE Username IN ('norah.norole@acme-emulator.example.com', 'nobody@x.example.com') OR FederationIdentifier IN ('Casey.Customer@customers.acme-emulator.example.com') ORDER BY Alias",
    values: ["Alias", ["ccustome", "nnorole"]],
  },
  {
    name: "NOT",
    soql: () => "SELECT Alias FROM User WHERE NOT Alias LIKE '%o%' ORDER BY Alias",
    values: ["Alias", ["integ"]],
  },
  {
    name: "a quoted string with an escaped quote",
    soql: () => "SELECT LastName FROM User WHERE LastName = 'O\\'Brien'",
    values: ["LastName", ["O'Brien"]],
  },
  {
    name: "an id literal in its 15-character form",
    soql: (h) => `SELECT Username FROM User WHERE Id = '${h.info.adminUserId.slice(0, 15)}'`,
    check: (r, h) => assert.equal(r.records[0]?.Username, admin(h)),
  },
  {
    name: "ORDER BY DESC with LIMIT and OFFSET",
    soql: () => "SELECT DeveloperName FROM UserRole ORDER BY DeveloperName DESC LIMIT 2 OFFSET 1",
    values: ["DeveloperName", ["VP_Customer_Success", "Sales_Rep"]],
  },
  {
    name: "COUNT()",
    soql: () => "SELECT COUNT() FROM Profile WHERE UserType = 'CspLitePortal'",
    check: (r) => assert.deepEqual(r, { totalSize: 2, done: true, records: [] }),
  },
  {
    name: "a parent field nests under the relationship",
    soql: () => "SELECT Id, Name, UserType, UserLicense.Name FROM Profile WHERE Name = 'Standard User'",
    check: (r) => {
      const license = r.records[0]?.UserLicense as Record<string, unknown>;
      assert.equal(license.Name, "Salesforce");
      assert.equal((license.attributes as { type: string }).type, "UserLicense");
    },
  },
  {
    name: "a parent field through a lookup to a user without a role",
    soql: () => "SELECT Name, Owner.UserRoleId FROM Account WHERE Name = 'Roleless Holdings'",
    check: (r) =>
      assert.equal((r.records[0]?.Owner as Record<string, unknown> | undefined)?.UserRoleId, null),
  },
  {
    name: "permission set assignments with the set's name, as a connector reads them",
    soql: (h) =>
      `SELECT Id, PermissionSetId, PermissionSet.Name, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE AssigneeId = '${h.info.adminUserId}'`,
    check: (r) => {
      assert.equal(r.totalSize, 1, "every user holds its profile's permission set");
      assert.equal(
        (r.records[0]?.PermissionSet as Record<string, unknown> | undefined)?.IsOwnedByProfile,
        true,
      );
    },
  },
  {
    name: "a datetime literal",
    soql: () =>
      "SELECT COUNT() FROM Profile WHERE CreatedDate >= 2026-07-01T12:00:00Z AND CreatedDate < 2026-07-01T12:00:01.000+00:00",
    check: (r) => assert.equal(r.totalSize, 7),
  },
  {
    name: "a filter on a parent field",
    soql: () => "SELECT Alias FROM User WHERE Profile.Name = 'Standard User' ORDER BY Alias",
    values: ["Alias", ["bobrien", "nnorole", "oowner"]],
  },
  {
    name: "an empty query",
    soql: () => " ",
    error: { status: 400, errorCode: "MALFORMED_QUERY", message: "SOQL statements cannot be empty or null" },
  },
  {
    name: "a misspelt keyword",
    soql: () => "SELECT Id FRM User",
    error: {
      status: 400,
      errorCode: "MALFORMED_QUERY",
      message: "\nSELECT Id FRM User\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FRM'",
    },
  },
  {
    name: "an unknown field",
    soql: () => "SELECT Foo FROM User",
    error: {
      status: 400,
      errorCode: "INVALID_FIELD",
      message:
        "\nSELECT Foo FROM User\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'User'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    },
  },
  {
    name: "an unknown relationship",
    soql: () => "SELECT Nope.Name FROM User",
    error: {
      status: 400,
      errorCode: "INVALID_FIELD",
      message: /Didn't understand relationship 'Nope' in field path/,
    },
  },
  {
    name: "an unknown object",
    soql: () => "SELECT Id FROM Nope__c",
    error: { status: 400, errorCode: "INVALID_TYPE", message: /sObject type 'Nope__c' is not supported/ },
  },
  {
    name: "AND and OR mixed without parentheses",
    soql: () => "SELECT Id FROM User WHERE Alias = 'a' AND Alias = 'b' OR Alias = 'c'",
    error: { status: 400, errorCode: "MALFORMED_QUERY", message: /unexpected token: 'OR'$/ },
  },
  {
    name: "a quoted boolean",
    soql: () => "SELECT Id FROM User WHERE IsActive = 'true'",
    error: {
      status: 400,
      errorCode: "INVALID_FIELD",
      message:
        /value of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes$/,
    },
  },
  {
    name: "an unquoted string",
    soql: () => "SELECT Id FROM User WHERE Alias = 5",
    error: {
      status: 400,
      errorCode: "INVALID_FIELD",
      message: /must be of type string and should be enclosed in quotes$/,
    },
  },
  {
    name: "an id literal that is not an id",
    soql: () => "SELECT Id FROM User WHERE Id = 'abc'",
    error: { status: 400, errorCode: "INVALID_QUERY_FILTER_OPERATOR", message: /invalid ID field: abc$/ },
  },
  {
    name: "an unterminated string",
    soql: () => "SELECT Id FROM User WHERE Alias = 'abc",
    error: { status: 400, errorCode: "MALFORMED_QUERY" },
  },
  {
    name: "the same field twice",
    soql: () => "SELECT Id, id FROM User",
    error: { status: 400, errorCode: "MALFORMED_QUERY", message: /duplicate field selected: id$/ },
  },
];

describe("SOQL", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    const res = await h.api(
      "POST",
      "sobjects/User",
      newUser(h.info, "obrien", {
        LastName: "O'Brien",
        Alias: "bobrien",
        UserRoleId: h.info.roles.Sales_Rep,
      }),
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
  after(async () => {
    await h.close();
  });

  for (const c of cases) {
    it(c.name, async () => {
      const res = await h.api("GET", `query?q=${encodeURIComponent(c.soql(h))}`);
      if (c.error !== undefined) {
        assert.equal(res.status, c.error.status, JSON.stringify(res.body));
        const err = firstError(res.body);
        assert.equal(err.errorCode, c.error.errorCode);
        if (typeof c.error.message === "string") assert.equal(err.message, c.error.message);
        if (c.error.message instanceof RegExp) assert.match(err.message, c.error.message);
        return;
      }
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const result = res.body as Result;
      if (c.values !== undefined) {
        const [field, values] = c.values;
        assert.deepEqual(
          result.records.map((r) => r[field]),
          values,
        );
        assert.equal(result.totalSize, values.length);
      }
      c.check?.(result, h);
    });
  }

  it("pages through 2000-record batches with nextRecordsUrl", async () => {
    const seeded = await h.control("POST", "/seed", {
      users: { count: 2500, usernamePrefix: "page", domain: "paging.example.com" },
    });
    assert.equal(seeded.status, 201, JSON.stringify(seeded.body));
    const soql = encodeURIComponent("SELECT Id FROM User WHERE Username LIKE 'page%'");
    const first = (await h.api("GET", `query?q=${soql}`)).body as Result;
    assert.equal(first.totalSize, 2500);
    assert.equal(first.done, false);
    assert.equal(first.records.length, 2000);
    assert.match(String(first.nextRecordsUrl), /^\/services\/data\/v66\.0\/query\/01g[0-9A-Za-z]{15}-2000$/);
    const second = (await h.api("GET", String(first.nextRecordsUrl))).body as Result;
    assert.deepEqual([second.totalSize, second.done, second.records.length], [2500, true, 500]);
    assert.equal(second.nextRecordsUrl, undefined);
    const ids = new Set([...first.records, ...second.records].map((r) => r.Id));
    assert.equal(ids.size, 2500);

    const small = (
      await h.api("GET", `query?q=${soql}`, undefined, { "sforce-query-options": "batchSize=500" })
    ).body as Result;
    assert.equal(small.records.length, 500);
    assert.match(String(small.nextRecordsUrl), /-500$/);

    const gone = await h.api("GET", String(first.nextRecordsUrl));
    assert.equal(gone.status, 404);
    assert.equal(firstError(gone.body).errorCode, "INVALID_QUERY_LOCATOR");
  });
});
