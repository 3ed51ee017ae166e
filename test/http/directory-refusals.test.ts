/**
 * What the built-in directory refuses on the admin API: each case its status, its code and the
 * field it names, and the directory unchanged afterwards.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/lib/errors.ts";
import { assertProblem } from "../support/errors.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

const laterPassword = "Analytical-Engine-1843";

describe("admin API: what the built-in directory refuses", () => {
  let server: TestServer;
  type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  const snapshot = async () => ({
    users: await server.context.store.directory.listUsers({ limit: 1000 }),
    groups: await server.context.store.directory.listGroups(),
    changes: await server.context.store.directory.listChanges({ afterSeq: 0, limit: 10_000 }),
  });

  before(async () => {
    server = await startTestServer();
    // The cases refer to an existing user and group.
    const ada = await server.request("POST", "/directory/users", {
      uid: "ada",
      password: "Ada-Secret-Passphrase-1815",
      mail: "ada@acme.com",
    });
    assert.equal(ada.statusCode, 201, ada.body);
    const group = await server.request("POST", "/directory/groups", { cn: "Computing" });
    assert.equal(group.statusCode, 201, group.body);
  });
  after(() => server.dispose());

  type Case = {
    name: string;
    method: Method;
    path: string;
    body?: unknown;
    status: number;
    code: ErrorCode;
    field?: string;
  };
  const cases: Case[] = [
    {
      name: "no uid",
      method: "POST",
      path: "/directory/users",
      body: { mail: "x@acme.com" },
      status: 400,
      code: "REQ_VALIDATION",
      field: "uid",
    },
    {
      name: "a uid with a space",
      method: "POST",
      path: "/directory/users",
      body: { uid: "a b" },
      status: 400,
      code: "REQ_VALIDATION",
      field: "uid",
    },
    {
      name: "a uid taken in another case",
      method: "POST",
      path: "/directory/users",
      body: { uid: "ADA" },
      status: 409,
      code: "DIR_USER_EXISTS",
    },
    {
      name: "an attribute name with _",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", cost_center: "1" },
      status: 422,
      code: "DIR_INVALID",
      field: "cost_center",
    },
    {
      name: "memberOf as an attribute",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", memberOf: "admins" },
      status: 422,
      code: "DIR_INVALID",
      field: "memberOf",
    },
    {
      name: "a number as a value",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", title: 5 },
      status: 400,
      code: "REQ_VALIDATION",
      field: "title",
    },
    {
      name: "an object as a value",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", sn: { x: 1 } },
      status: 400,
      code: "REQ_VALIDATION",
      field: "sn",
    },
    {
      name: "a control character",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", title: "a\u0000b" },
      status: 422,
      code: "DIR_INVALID",
      field: "title",
    },
    {
      name: "a value of 4097 characters",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", title: "t".repeat(4097) },
      status: 422,
      code: "DIR_INVALID",
      field: "title",
    },
    {
      name: "a mail that is no address",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", mail: "x1 at acme" },
      status: 422,
      code: "DIR_INVALID",
      field: "mail",
    },
    {
      name: "a short password",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", password: "short" },
      status: 422,
      code: "DIR_INVALID",
      field: "password",
    },
    {
      name: "enabled as a string",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", enabled: "yes" },
      status: 400,
      code: "REQ_VALIDATION",
      field: "enabled",
    },
    {
      name: "an unknown group",
      method: "POST",
      path: "/directory/users",
      body: { uid: "x1", groups: ["nope"] },
      status: 422,
      code: "DIR_INVALID",
      field: "groups[0]",
    },
    {
      name: "a changed uid",
      method: "PATCH",
      path: "/directory/users/ada",
      body: { uid: "lovelace" },
      status: 422,
      code: "DIR_INVALID",
      field: "uid",
    },
    {
      name: "a bad mail in PATCH",
      method: "PATCH",
      path: "/directory/users/ada",
      body: { mail: "nope" },
      status: 422,
      code: "DIR_INVALID",
      field: "mail",
    },
    {
      name: "PATCH of a missing user",
      method: "PATCH",
      path: "/directory/users/nobody",
      body: { sn: "x" },
      status: 404,
      code: "DIR_USER_NOT_FOUND",
    },
    {
      name: "a short password by PUT",
      method: "PUT",
      path: "/directory/users/ada/password",
      body: { password: "1234567" },
      status: 422,
      code: "DIR_INVALID",
      field: "password",
    },
    {
      name: "a password with another field",
      method: "PUT",
      path: "/directory/users/ada/password",
      body: { password: laterPassword, old: "x" },
      status: 400,
      code: "REQ_VALIDATION",
      field: "old",
    },
    {
      name: "a member who does not exist",
      method: "POST",
      path: "/directory/groups",
      body: { cn: "eng", members: ["ada", "ghost"] },
      status: 422,
      code: "DIR_INVALID",
      field: "members[1]",
    },
    {
      name: "a cn with a ;",
      method: "POST",
      path: "/directory/groups",
      body: { cn: "a;b" },
      status: 422,
      code: "DIR_INVALID",
      field: "cn",
    },
    {
      name: "an unknown group field",
      method: "POST",
      path: "/directory/groups",
      body: { cn: "eng", owner: "ada" },
      status: 400,
      code: "REQ_VALIDATION",
      field: "owner",
    },
    {
      name: "adding a missing user",
      method: "PUT",
      path: "/directory/groups/Computing/members/ghost",
      status: 404,
      code: "DIR_USER_NOT_FOUND",
    },
    {
      name: "an empty import",
      method: "POST",
      path: "/directory/users/import",
      body: { csv: "" },
      status: 400,
      code: "REQ_VALIDATION",
    },
    {
      name: "deleting a missing user",
      method: "DELETE",
      path: "/directory/users/nobody",
      status: 404,
      code: "DIR_USER_NOT_FOUND",
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}: ${c.status} ${c.code}${c.field ? ` naming ${c.field}` : ""}, directory unchanged`, async () => {
      const before = await snapshot();
      const response = await server.request(c.method, c.path, c.body);
      const problem = assertProblem(response, c.code, c.status);
      if (c.field) assert.equal(problem.errors?.[0]?.field, c.field, response.body);
      assert.deepEqual(await snapshot(), before);
    });
  }
});
