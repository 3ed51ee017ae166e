import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { firstError, type Harness, harness, newUser, type Reply } from "./support.ts";

/** Salesforce's record rules on single-record REST calls (salesforce-api.md §2.3–2.4, §3, §4). */

type Case = {
  name: string;
  run(h: Harness): Promise<Reply>;
  status: number;
  errorCode?: string;
  fields?: string[];
  message?: string | RegExp;
};

async function createContact(h: Harness, account: string, n: string): Promise<string> {
  const res = await h.api("POST", "sobjects/Contact", {
    AccountId: h.info.accounts[account],
    LastName: `Contact${n}`,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return (res.body as { id: string }).id;
}

const communityProfile = (h: Harness) => h.info.profiles["Acme Customer Community User"];

const cases: Case[] = [
  {
    name: "a valid user is created: 201 with an 18-character 005 id",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 1)),
    status: 201,
  },
  {
    name: "missing required fields are listed together",
    run: (h) => {
      const { Alias: _a, TimeZoneSidKey: _t, ...body } = newUser(h.info, 2);
      return h.api("POST", "sobjects/User", body);
    },
    status: 400,
    errorCode: "REQUIRED_FIELD_MISSING",
    fields: ["Alias", "TimeZoneSidKey"],
    message: "Required fields are missing: [Alias, TimeZoneSidKey]",
  },
  {
    name: "Alias longer than 8",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 3, { Alias: "abcdefghij" })),
    status: 400,
    errorCode: "STRING_TOO_LONG",
    fields: ["Alias"],
    message: "Alias: data value too large: abcdefghij (max length=8)",
  },
  {
    name: "Username longer than 80",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 4, { Username: `${"a".repeat(75)}@x.example.com` })),
    status: 400,
    errorCode: "STRING_TOO_LONG",
    fields: ["Username"],
  },
  {
    name: "a time zone outside the restricted picklist",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 5, { TimeZoneSidKey: "Mars/Olympus" })),
    status: 400,
    errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    fields: ["TimeZoneSidKey"],
    message: "Time Zone: bad value for restricted picklist field: Mars/Olympus",
  },
  {
    name: "en_GB is a locale but not a language",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 6, { LanguageLocaleKey: "en_GB" })),
    status: 400,
    errorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    fields: ["LanguageLocaleKey"],
  },
  {
    name: "a Username that is not email-shaped",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 7, { Username: "ada.lovelace" })),
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["Username"],
    message: /^Username must be in the form of an email address/,
  },
  {
    name: "a Username already used in this org, in another case",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 8, { Username: h.info.adminUsername.toUpperCase() })),
    status: 400,
    errorCode: "DUPLICATE_USERNAME",
    fields: ["Username"],
    message:
      /^Duplicate Username\.<br>The username already exists in this or another Salesforce organization/,
  },
  {
    name: "a Username taken in another org",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 9, { Username: "taken.elsewhere@example.com" })),
    status: 400,
    errorCode: "DUPLICATE_USERNAME",
  },
  {
    name: "a Federation ID already in use, compared case-insensitively",
    run: (h) =>
      h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 10, { FederationIdentifier: "CASEY.CUSTOMER@customers.acme-emulator.example.com" }),
      ),
    status: 400,
    errorCode: "DUPLICATE_VALUE",
    fields: ["FederationIdentifier"],
    message: "This Federation ID is already in use. Use a different Federation ID.",
  },
  {
    name: "a nickname already in use",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 11, { CommunityNickname: "portico.integration" })),
    status: 400,
    errorCode: "DUPLICATE_COMM_NICKNAME",
    fields: ["CommunityNickname"],
  },
  {
    name: "an Email that is not an address",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 12, { Email: "not-an-email" })),
    status: 400,
    errorCode: "INVALID_EMAIL_ADDRESS",
    fields: ["Email"],
    message: "Email: invalid email address: not-an-email",
  },
  {
    name: "a ProfileId that is not an id",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 13, { ProfileId: "Standard User" })),
    status: 400,
    errorCode: "MALFORMED_ID",
    fields: ["ProfileId"],
    message: "Profile ID: id value of incorrect type: Standard User",
  },
  {
    name: "a ProfileId that names an Account",
    run: (h) =>
      h.api("POST", "sobjects/User", newUser(h.info, 14, { ProfileId: h.info.accounts["Acme Customers"] })),
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["ProfileId"],
  },
  {
    name: "a ProfileId that names no profile",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 15, { ProfileId: "00e000000000000AAA" })),
    status: 400,
    errorCode: "INVALID_CROSS_REFERENCE_KEY",
    fields: ["ProfileId"],
  },
  {
    name: "a UserRoleId that names no role",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 16, { UserRoleId: "00E000000000000EAA" })),
    status: 400,
    errorCode: "INVALID_CROSS_REFERENCE_KEY",
    fields: ["UserRoleId"],
  },
  {
    name: "an unknown field",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 17, { Foo__c: "x" })),
    status: 400,
    errorCode: "INVALID_FIELD",
    message: "No such column 'Foo__c' on sobject of type User",
  },
  {
    name: "an Id in a create body",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 18, { Id: h.info.adminUserId })),
    status: 400,
    errorCode: "INVALID_FIELD",
    message: "The Id field should not be specified in the sobject data.",
  },
  {
    name: "a read-only field on create",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 19, { UserType: "Standard" })),
    status: 400,
    errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
    fields: ["UserType"],
    message: /^Unable to create\/update fields: UserType\./,
  },
  {
    name: "a boolean field given a string",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 20, { IsActive: "yes" })),
    status: 400,
    errorCode: "JSON_PARSER_ERROR",
  },
  {
    name: "a body that is not JSON",
    run: (h) => h.api("POST", "sobjects/User", '{"Username": }'),
    status: 400,
    errorCode: "JSON_PARSER_ERROR",
    message: /^Unexpected character \('}' \(code 125\)\)/,
  },
  {
    name: "a body that is not JSON by its media type",
    run: (h) => h.api("POST", "sobjects/User", "Username=a", { "content-type": "text/plain" }),
    status: 415,
    errorCode: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "a community profile without a contact",
    run: (h) => h.api("POST", "sobjects/User", newUser(h.info, 21, { ProfileId: communityProfile(h) })),
    status: 400,
    errorCode: "INVALID_CROSS_REFERENCE_KEY",
    message: "Cannot create a portal user without contact.",
  },
  {
    name: "a community user whose account owner has no role",
    run: async (h) => {
      const contactId = await createContact(h, "Roleless Holdings", "22");
      return h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 22, { ProfileId: communityProfile(h), ContactId: contactId }),
      );
    },
    status: 400,
    errorCode: "UNKNOWN_EXCEPTION",
    message: "portal account owner must have a role",
  },
  {
    name: "a second community user for the same contact",
    run: async (h) => {
      const contactId = await createContact(h, "Acme Customers", "23");
      const first = await h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 23, { ProfileId: communityProfile(h), ContactId: contactId }),
      );
      assert.equal(first.status, 201);
      return h.api(
        "POST",
        "sobjects/User",
        newUser(h.info, 24, { ProfileId: communityProfile(h), ContactId: contactId }),
      );
    },
    status: 400,
    errorCode: "PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT",
  },
  {
    name: "a contact on an internal user",
    run: async (h) => {
      const contactId = await createContact(h, "Acme Customers", "25");
      return h.api("POST", "sobjects/User", newUser(h.info, 25, { ContactId: contactId }));
    },
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["ContactId"],
  },
  {
    name: "no licence left for the profile",
    run: async (h) => {
      await h.control("PUT", "/licenses", { Salesforce: 3 });
      return h.api("POST", "sobjects/User", newUser(h.info, 26));
    },
    status: 400,
    errorCode: "LICENSE_LIMIT_EXCEEDED",
    message: "License Limit Exceeded",
  },
  {
    name: "reactivating a user needs a free licence",
    run: async (h) => {
      await h.control("PUT", "/licenses", { Salesforce: 3 });
      const created = await h.api("POST", "sobjects/User", newUser(h.info, 27, { IsActive: false }));
      assert.equal(created.status, 201, "an inactive user takes no licence");
      return h.api("PATCH", `sobjects/User/${(created.body as { id: string }).id}`, { IsActive: true });
    },
    status: 400,
    errorCode: "LICENSE_LIMIT_EXCEEDED",
  },
  {
    name: "a feature licence with none left",
    run: async (h) => {
      await h.control("PUT", "/licenses", { UserPermissionsMarketingUser: 0 });
      return h.api("POST", "sobjects/User", newUser(h.info, 28, { UserPermissionsMarketingUser: true }));
    },
    status: 400,
    errorCode: "LICENSE_LIMIT_EXCEEDED",
    fields: ["UserPermissionsMarketingUser"],
  },
  {
    name: "updating a create-only field",
    run: (h) => h.api("PATCH", `sobjects/User/${h.info.adminUserId}`, { ContactId: null }),
    status: 400,
    errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
    fields: ["ContactId"],
  },
  {
    name: "clearing a required field",
    run: (h) => h.api("PATCH", `sobjects/User/${h.info.adminUserId}`, { LastName: null }),
    status: 400,
    errorCode: "REQUIRED_FIELD_MISSING",
    fields: ["LastName"],
  },
  {
    name: "renaming a user to a taken Username",
    run: async (h) => {
      const created = await h.api("POST", "sobjects/User", newUser(h.info, 29));
      return h.api("PATCH", `sobjects/User/${(created.body as { id: string }).id}`, {
        Username: h.info.adminUsername,
      });
    },
    status: 400,
    errorCode: "DUPLICATE_USERNAME",
  },
  {
    name: "deactivating a user",
    run: async (h) => {
      const created = await h.api("POST", "sobjects/User", newUser(h.info, 30));
      return h.api("PATCH", `sobjects/User/${(created.body as { id: string }).id}`, { IsActive: false });
    },
    status: 204,
  },
  {
    name: "deleting a user",
    run: (h) => h.api("DELETE", `sobjects/User/${h.info.adminUserId}`),
    status: 405,
    errorCode: "METHOD_NOT_ALLOWED",
    message: "HTTP Method 'DELETE' not allowed. Allowed are HEAD,GET,PATCH",
  },
  {
    name: "updating a record that does not exist",
    run: (h) => h.api("PATCH", "sobjects/User/005000000000000AAA", { LastName: "X" }),
    status: 404,
    errorCode: "NOT_FOUND",
    message: "The requested resource does not exist",
  },
  {
    name: "reading with a path segment that is not an id",
    run: (h) => h.api("GET", "sobjects/User/not-an-id"),
    status: 404,
    errorCode: "NOT_FOUND",
    message: "Provided external ID field does not exist or is not accessible: not-an-id",
  },
  {
    name: "an unknown sObject type in the path",
    run: (h) => h.api("GET", "sobjects/Nope__c/describe"),
    status: 404,
    errorCode: "NOT_FOUND",
  },
  {
    name: "reading unknown fields",
    run: (h) => h.api("GET", `sobjects/User/${h.info.adminUserId}?fields=Id,Nope`),
    status: 400,
    errorCode: "INVALID_FIELD",
    message: /^No such column 'Nope' on entity 'User'/,
  },
  {
    name: "freezing a user through UserLogin",
    run: async (h) => {
      const q = await h.api(
        "GET",
        `query?q=${encodeURIComponent(`SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${h.info.adminUserId}'`)}`,
      );
      const login = (q.body as { records: { Id: string; IsFrozen: boolean }[] }).records[0];
      assert.equal(login?.IsFrozen, false);
      return h.api("PATCH", `sobjects/UserLogin/${login?.Id}`, { IsFrozen: true });
    },
    status: 204,
  },
  {
    name: "locking a password through the API",
    run: async (h) => {
      const created = await h.api("POST", "sobjects/User", newUser(h.info, 31));
      const id = (created.body as { id: string }).id;
      const q = await h.api(
        "GET",
        `query?q=${encodeURIComponent(`SELECT Id FROM UserLogin WHERE UserId = '${id}'`)}`,
      );
      const login = (q.body as { records: { Id: string }[] }).records[0];
      return h.api("PATCH", `sobjects/UserLogin/${login?.Id}`, { IsPasswordLocked: true });
    },
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
    fields: ["IsPasswordLocked"],
  },
  {
    name: "creating a UserLogin",
    run: (h) => h.api("POST", "sobjects/UserLogin", { IsFrozen: true }),
    status: 405,
    errorCode: "METHOD_NOT_ALLOWED",
  },
  {
    name: "assigning a permission set twice",
    run: async (h) => {
      const body = { AssigneeId: h.info.adminUserId, PermissionSetId: h.info.permissionSets.Sales_Ops };
      assert.equal((await h.api("POST", "sobjects/PermissionSetAssignment", body)).status, 201);
      return h.api("POST", "sobjects/PermissionSetAssignment", body);
    },
    status: 400,
    errorCode: "DUPLICATE_VALUE",
    message: /^Duplicate PermissionSetAssignment\. Assignee: 005/,
  },
  {
    name: "assigning a permission set of another licence",
    run: (h) =>
      h.api("POST", "sobjects/PermissionSetAssignment", {
        AssigneeId: h.info.adminUserId,
        PermissionSetId: h.info.permissionSets.Community_Case_Access,
      }),
    status: 400,
    errorCode: "FIELD_INTEGRITY_EXCEPTION",
  },
  {
    name: "adding a group member twice returns the existing membership",
    run: async (h) => {
      const body = { GroupId: h.info.groups.Sales_Team, UserOrGroupId: h.info.adminUserId };
      const first = await h.api("POST", "sobjects/GroupMember", body);
      const second = await h.api("POST", "sobjects/GroupMember", body);
      assert.equal((second.body as { id: string }).id, (first.body as { id: string }).id);
      return second;
    },
    status: 201,
  },
  {
    name: "deleting a contact that has a portal user",
    run: async (h) => {
      const q = await h.api(
        "GET",
        `query?q=${encodeURIComponent("SELECT ContactId FROM User WHERE ContactId != null")}`,
      );
      const contactId = (q.body as { records: { ContactId: string }[] }).records[0]?.ContactId;
      return h.api("DELETE", `sobjects/Contact/${contactId}`);
    },
    status: 400,
    errorCode: "DELETE_FAILED",
  },
  {
    name: "deleting a contact",
    run: async (h) => h.api("DELETE", `sobjects/Contact/${await createContact(h, "Acme Customers", "32")}`),
    status: 204,
  },
];

describe("single-record CRUD rules", () => {
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

  for (const c of cases) {
    it(c.name, async () => {
      const res = await c.run(h);
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.match(String(res.headers["sforce-limit-info"]), /^api-usage=\d+\/\d+$/);
      if (c.errorCode === undefined) return;
      assert.ok(Array.isArray(res.body), "errors come as a JSON array");
      const err = firstError(res.body);
      assert.equal(err.errorCode, c.errorCode);
      if (c.fields !== undefined) assert.deepEqual(err.fields, c.fields);
      if (typeof c.message === "string") assert.equal(err.message, c.message);
      if (c.message instanceof RegExp) assert.match(err.message, c.message);
    });
  }

  it("creates, reads and derives a community user's fields", async () => {
    const contactId = await createContact(h, "Acme Customers", "40");
    const created = await h.api(
      "POST",
      "sobjects/User",
      newUser(h.info, 40, { ProfileId: communityProfile(h), ContactId: contactId }),
    );
    assert.equal(created.status, 201);
    const { id, success, errors } = created.body as { id: string; success: boolean; errors: unknown[] };
    assert.match(id, /^005[0-9A-Za-z]{12}[A-Z0-5]{3}$/);
    assert.deepEqual({ success, errors }, { success: true, errors: [] });
    assert.equal(created.headers.location, `/services/data/v66.0/sobjects/User/${id}`);

    const read = await h.api("GET", `sobjects/User/${id}`);
    const user = read.body as Record<string, unknown>;
    assert.deepEqual(user.attributes, { type: "User", url: `/services/data/v66.0/sobjects/User/${id}` });
    assert.equal(user.AccountId, h.info.accounts["Acme Customers"]);
    assert.equal(user.UserType, "CspLitePortal");
    assert.equal(user.IsActive, true);
    assert.equal(user.CommunityNickname, "user40");
    assert.equal(user.Name, "Test User40");
    assert.match(String(user.CreatedDate), /^2026-07-01T12:00:00\.000\+0000$/);

    const trimmed = await h.api("GET", `sobjects/User/${id.slice(0, 15)}?fields=Id,Username`);
    assert.deepEqual(
      Object.keys(trimmed.body as object),
      ["attributes", "Id", "Username"],
      "a 15-character id works too",
    );
  });

  it("reads a user by Username, an idLookup field", async () => {
    const res = await h.api(
      "GET",
      `sobjects/User/Username/${encodeURIComponent(h.info.adminUsername)}?fields=Id`,
    );
    assert.equal(res.status, 200);
    assert.equal((res.body as { Id: string }).Id, h.info.adminUserId);
  });

  it("a frozen user shows IsFrozen through UserLogin", async () => {
    const created = await h.api("POST", "sobjects/User", newUser(h.info, 41));
    const id = (created.body as { id: string }).id;
    const q = async () =>
      (
        (
          await h.api(
            "GET",
            `query?q=${encodeURIComponent(`SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${id}'`)}`,
          )
        ).body as {
          records: { Id: string; IsFrozen: boolean }[];
        }
      ).records;
    const [login] = await q();
    assert.equal((await h.api("PATCH", `sobjects/UserLogin/${login?.Id}`, { IsFrozen: true })).status, 204);
    assert.equal((await q())[0]?.IsFrozen, true);
  });

  it("custom fields are writable and unique ones are enforced", async () => {
    const added = await h.control("POST", "/fields", {
      object: "User",
      fields: [{ name: "Employee_Id__c", type: "string", length: 20, unique: true, externalId: true }],
    });
    assert.equal(added.status, 201);
    const a = await h.api("POST", "sobjects/User", newUser(h.info, 42, { Employee_Id__c: "E-42" }));
    assert.equal(a.status, 201);
    const read = await h.api("GET", `sobjects/User/${(a.body as { id: string }).id}?fields=Employee_Id__c`);
    assert.equal((read.body as Record<string, unknown>).Employee_Id__c, "E-42");
    const dup = await h.api("POST", "sobjects/User", newUser(h.info, 43, { Employee_Id__c: "e-42" }));
    assert.equal(dup.status, 400);
    assert.equal(firstError(dup.body).errorCode, "DUPLICATE_VALUE");
    const tooLong = await h.api(
      "POST",
      "sobjects/User",
      newUser(h.info, 44, { Employee_Id__c: "E".repeat(21) }),
    );
    assert.equal(firstError(tooLong.body).errorCode, "STRING_TOO_LONG");
  });
});
