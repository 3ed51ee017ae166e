import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openServiceContext, testActor } from "../../../test/support/service-context.ts";
import { parseLdapFilter } from "../../ldap/filter.ts";
import type { ServiceContext } from "../../services/context.ts";
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  removeGroupMember,
} from "../../services/directory/groups.ts";
import { createUser, deleteUser, disableUser, updateUser } from "../../services/directory/users.ts";
import { createBuiltinSource } from "./builtin.ts";
import type { SourceUser } from "./source.ts";

describe("the built-in directory as a provisioning source", () => {
  let context: ServiceContext;
  let dispose: () => Promise<void>;
  before(async () => {
    ({ context, dispose } = await openServiceContext());
    for (const [uid, department] of [
      ["Ada", "Engineering"],
      ["bob", "Sales"],
      ["carol", "Sales"],
      ["dave", "Engineering"],
    ] as const) {
      await createUser(context, testActor, {
        uid,
        attributes: { mail: `${uid.toLowerCase()}@acme.example.com`, department },
      });
    }
    await createGroup(context, testActor, { cn: "salesforce-users", members: ["Ada", "bob"] });
    await createGroup(context, testActor, { cn: "sf-sales", members: ["bob", "carol"] });
    await createGroup(context, testActor, { cn: "other", members: ["dave"] });
  });
  after(() => dispose());

  const ids = (users: readonly { id: string }[]) => users.map((u) => u.id);
  /** Every page of the source's users, as ids. */
  const pages = async (source: ReturnType<typeof createBuiltinSource>, pageSize: number) => {
    const out: string[][] = [];
    for await (const page of source.users(pageSize)) out.push(ids(page));
    return out;
  };

  it("lists all users in code-point order of their lower-cased uid, page by page", async () => {
    const source = createBuiltinSource(context.store.directory, { users: {} });
    assert.deepEqual(await pages(source, 3), [["ada", "bob", "carol"], ["dave"]]);
    let ada: SourceUser | undefined;
    for await (const [first] of source.users(1)) {
      ada = first;
      break;
    }
    assert.deepEqual(ada?.attributes.memberOf, ["salesforce-users"]);
    assert.deepEqual(ada?.attributes.uid, ["Ada"]);
  });

  it("scopes users to a group's members, or to a filter, or to both", async () => {
    const byGroup = createBuiltinSource(context.store.directory, { users: { group: "Salesforce-Users" } });
    assert.deepEqual(await pages(byGroup, 10), [["ada", "bob"]]);
    const byFilter = createBuiltinSource(context.store.directory, {
      users: { filter: parseLdapFilter("(department=sales)") },
    });
    assert.deepEqual(await pages(byFilter, 10), [["bob", "carol"]]);
    const byMemberOf = createBuiltinSource(context.store.directory, {
      users: { group: "salesforce-users", filter: parseLdapFilter("(memberOf=sf-sales)") },
    });
    assert.deepEqual(await pages(byMemberOf, 10), [["bob"]]);
    assert.deepEqual(await byGroup.getUser("carol").then((r) => r?.inScope), false);
  });

  it("lists the groups in the group scope, with their members", async () => {
    const none = createBuiltinSource(context.store.directory, { users: {} });
    assert.deepEqual(await none.listGroups(), []);
    const sf = createBuiltinSource(context.store.directory, {
      users: {},
      groups: { filter: parseLdapFilter("(cn=sf-*)") },
    });
    assert.deepEqual(await sf.listGroups(), [
      { id: "sf-sales", name: "sf-sales", description: null, memberIds: ["bob", "carol"] },
    ]);
    const all = createBuiltinSource(context.store.directory, { users: {}, groups: {} });
    assert.equal((await all.listGroups()).length, 3);
  });

  it("reads what changed after a watermark: in scope, out of scope, disabled, deleted", async () => {
    const source = createBuiltinSource(context.store.directory, { users: { group: "salesforce-users" } });
    const start = await source.watermark();
    await updateUser(context, testActor, "Ada", { attributes: { title: "Countess" } });
    await removeGroupMember(context, testActor, "salesforce-users", "bob");
    await addGroupMember(context, testActor, "salesforce-users", "carol");
    await disableUser(context, testActor, "carol");
    await deleteUser(context, testActor, "dave");
    const changes = await source.changesSince(start, 100);
    assert.equal(changes.users.get("ada")?.attributes.title?.[0], "Countess");
    assert.equal(changes.users.get("bob"), null, "bob left the scope group");
    assert.equal(changes.users.get("carol")?.enabled, false);
    assert.equal(changes.users.get("dave"), null, "dave was deleted");
    assert.equal(changes.groupsChanged, true);
    assert.equal(changes.more, false);
    assert.equal(changes.watermark, await source.watermark());
    const paged = await source.changesSince(start, 2);
    assert.equal(paged.more, true);
    assert.equal((await source.changesSince(changes.watermark, 100)).users.size, 0);
  });

  it("says when the scope group is gone or empty, so that nobody is deprovisioned for it", async () => {
    const source = createBuiltinSource(context.store.directory, { users: { group: "other" } });
    assert.deepEqual(await source.checkScope(), {
      ok: false,
      reason: 'the scope group "other" has no members',
    });
    await deleteGroup(context, testActor, "other");
    assert.deepEqual(await source.checkScope(), {
      ok: false,
      reason: 'the scope group "other" does not exist',
    });
    const fine = createBuiltinSource(context.store.directory, { users: { group: "salesforce-users" } });
    assert.deepEqual(await fine.checkScope(), { ok: true });
  });
});
