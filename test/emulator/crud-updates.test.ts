import assert from "node:assert/strict";
import { it } from "node:test";
import { type Case, communityProfile, createContact, describeRules } from "./crud-rules.ts";
import { firstError, newUser } from "./support.ts";

/** Updating, reading and deleting records, and the objects around users (UserLogin, permission sets, groups, contacts). */
const cases: Case[] = [
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

describeRules("single-record CRUD rules: updates, reads, deletes and related objects", cases, (org) => {
  it("creates, reads and derives a community user's fields", async () => {
    const h = org();
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
    const h = org();
    const res = await h.api(
      "GET",
      `sobjects/User/Username/${encodeURIComponent(h.info.adminUsername)}?fields=Id`,
    );
    assert.equal(res.status, 200);
    assert.equal((res.body as { Id: string }).Id, h.info.adminUserId);
  });

  it("a frozen user shows IsFrozen through UserLogin", async () => {
    const h = org();
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
    const h = org();
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
