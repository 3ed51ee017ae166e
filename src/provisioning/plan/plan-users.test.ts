import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProvisionedObject } from "../../domain/provisioning-ports.ts";
import { compileMapping, mapUser } from "../model/mapping.ts";
import type { SourceUser } from "../source/source.ts";
import { type ExistingUser, type ProvisioningOptions, planUser, type UserCase } from "./plan-users.ts";

const { mapping } = compileMapping(
  [
    { fieldName: "Username", saasFieldInfo: { attributeNames: ["mail"] } },
    { fieldName: "LastName", saasFieldInfo: { attributeNames: ["sn"] } },
    { fieldName: "Title", saasFieldInfo: { attributeNames: ["title"] } },
    { fieldName: "Alias", saasFieldInfo: { attributeNames: ["uid"], createOnly: true } },
    { fieldName: "PermissionSets", saasFieldInfo: { attributeNames: ["roles"] } },
  ],
  "m",
);

const options: ProvisioningOptions = {
  createUsers: true,
  updateUsers: true,
  disableUsers: true,
  provisionDisabledUsers: true,
  freezeUsers: false,
  permissionSetManagement: "MERGE",
  communities: false,
  defaultAccountId: undefined,
  defaultProfileId: "00e000000000001AAA",
};
const off = (name: keyof ProvisioningOptions): ProvisioningOptions => ({ ...options, [name]: false });

const source = (edit: Partial<SourceUser> = {}, attributes: Record<string, string[]> = {}): SourceUser => ({
  id: "ada",
  enabled: true,
  attributes: {
    uid: ["ada"],
    mail: ["ada@acme.example.com"],
    sn: ["Lovelace"],
    title: ["Engineer"],
    ...attributes,
  },
  ...edit,
});

const state = (edit: Partial<ProvisionedObject> = {}): ProvisionedObject => ({
  connectionId: "c1",
  channel: "ch1",
  kind: "user",
  sourceId: "ada",
  targetId: "005000000000001AAA",
  contactId: null,
  name: "ada@acme.example.com",
  status: "ACTIVE",
  pushed: { Username: "ada@acme.example.com", LastName: "Lovelace", Title: "Engineer", Alias: "ada" },
  desiredHash: null,
  lastError: null,
  attempts: 0,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...edit,
});

const existing: ExistingUser = {
  id: "005000000000009AAA",
  username: "ada@acme.example.com",
  isActive: true,
  isFrozen: false,
  fields: { Username: "ada@acme.example.com", LastName: "Lovelace", Title: "Intern" },
  contactId: null,
};

const userCase = (
  user: SourceUser | null,
  row?: ProvisionedObject,
  edit: Partial<UserCase> = {},
): UserCase => ({
  sourceId: "ada",
  source: user,
  desired: user ? mapUser(mapping, user) : null,
  state: row,
  existing: undefined,
  ...edit,
});

const plan = (c: UserCase, o = options) => planUser(c, o, "ch1");
const types = (c: UserCase, o = options) => plan(c, o).map((op) => op.type);

describe("plan: the spec's §5.4 table, each option on and off", () => {
  it("creates a user who enters the scope, with the profile default; skips with a warning when User Create is off", () => {
    const [op] = plan(userCase(source()));
    assert.equal(op?.type, "CREATE");
    assert.ok(op?.type === "CREATE");
    assert.deepEqual(op.fields, {
      Alias: "ada",
      LastName: "Lovelace",
      ProfileId: "00e000000000001AAA",
      Title: "Engineer",
      Username: "ada@acme.example.com",
    });
    assert.equal(op.active, true);
    const [skipped] = plan(userCase(source()), off("createUsers"));
    assert.ok(skipped?.type === "SKIP" && skipped.warn);
    assert.match(skipped.reason, /User Create is off/);
  });

  it("adopts an existing Salesforce user with the same Username instead of creating a second", () => {
    const ops = plan(userCase(source(), undefined, { existing }));
    assert.equal(ops[0]?.type, "ADOPT");
    assert.ok(ops[0]?.type === "ADOPT");
    assert.equal(ops[0].targetId, existing.id);
    assert.deepEqual(ops[0].fields, { Title: "Engineer" }, "only what differs; create-only fields stay");
    const quiet = plan(userCase(source(), undefined, { existing }), off("updateUsers"));
    assert.ok(quiet[0]?.type === "ADOPT");
    assert.deepEqual(quiet[0].fields, {}, "User Update off: linked, not changed");
  });

  it("looks a half-created user up rather than creating it twice (a crash between create and record)", () => {
    const pending = state({ status: "PENDING", targetId: null });
    assert.deepEqual(types(userCase(source(), pending, { existing })), ["ADOPT"]);
    assert.deepEqual(types(userCase(source(), pending)), ["CREATE"]);
    assert.deepEqual(types(userCase(null, pending)), ["FORGET"]);
    assert.deepEqual(types(userCase(null, pending, { existing })), ["DEACTIVATE"]);
  });

  it("believes Salesforce, not the row, after a write to a linked user that was not recorded", () => {
    // A deactivation carried out, then the user re-enabled in the directory: reactivated.
    const inDoubt = state({ status: "PENDING" });
    const deactivated = { ...existing, id: "005000000000001AAA", isActive: false };
    assert.deepEqual(types(userCase(source(), inDoubt, { existing: deactivated })), ["ADOPT", "REACTIVATE"]);
    // The deactivation was not carried out, and the user is still disabled: sent again.
    const active = { ...deactivated, isActive: true };
    assert.deepEqual(types(userCase(source({ enabled: false }), inDoubt, { existing: active })), [
      "ADOPT",
      "DEACTIVATE",
    ]);
    // Gone, and already frozen in Salesforce: nothing to send again.
    const frozen = { ...active, isFrozen: true };
    const freezing = { ...options, freezeUsers: true };
    assert.deepEqual(types(userCase(null, inDoubt, { existing: frozen }), freezing), ["FORGET"]);
    assert.deepEqual(types(userCase(null, inDoubt, { existing: active }), freezing), ["FREEZE"]);
  });

  it("creates a disabled user inactive only with Provision Disabled Users", () => {
    const [op] = plan(userCase(source({ enabled: false })));
    assert.ok(op?.type === "CREATE");
    assert.equal(op.active, false);
    const [skipped] = plan(userCase(source({ enabled: false })), off("provisionDisabledUsers"));
    assert.ok(skipped?.type === "SKIP");
    assert.equal(skipped.warn, false);
  });

  it("updates only the mapped fields that changed, never create-only ones, and clears emptied ones", () => {
    const changed = source({}, { title: ["Principal Engineer"], uid: ["ada2"] });
    const [op] = plan(userCase(changed, state()));
    assert.ok(op?.type === "UPDATE");
    assert.deepEqual(op.fields, { Title: "Principal Engineer" });
    const emptied = source({}, { title: [] });
    const [cleared] = plan(userCase(emptied, state()));
    assert.ok(cleared?.type === "UPDATE");
    assert.deepEqual(cleared.fields, { Title: null });
    assert.deepEqual(plan(userCase(source(), state())), [], "nothing changed, nothing to do");
    const [skipped] = plan(userCase(changed, state()), off("updateUsers"));
    assert.ok(skipped?.type === "SKIP" && skipped.warn);
    assert.match(skipped.reason, /Title not updated/);
  });

  it("deactivates a user who is disabled, deleted, or leaves the scope; freezes instead with the flag", () => {
    assert.deepEqual(types(userCase(source({ enabled: false }), state())), ["DEACTIVATE"]);
    assert.deepEqual(types(userCase(null, state())), ["DEACTIVATE"]);
    assert.deepEqual(types(userCase(null, state()), { ...options, freezeUsers: true }), ["FREEZE"]);
    const [skipped] = plan(userCase(null, state()), off("disableUsers"));
    assert.ok(skipped?.type === "SKIP" && skipped.warn);
    assert.match(skipped.reason, /User Disable is off/);
    assert.deepEqual(types(userCase(null, state({ status: "INACTIVE" }))), [], "already inactive");
  });

  it("reactivates or unfreezes a user who comes back, which needs User Update", () => {
    assert.deepEqual(types(userCase(source(), state({ status: "INACTIVE" }))), ["REACTIVATE"]);
    assert.deepEqual(types(userCase(source(), state({ status: "FROZEN" }))), ["UNFREEZE"]);
    const [skipped] = plan(userCase(source(), state({ status: "INACTIVE" })), off("updateUsers"));
    assert.ok(skipped?.type === "SKIP");
    assert.match(skipped.reason, /not reactivated/);
  });

  it("merges permission sets, or overwrites them", () => {
    const user = source({}, { roles: ["Sales", "Support"] });
    const merge = plan(userCase(user, state(), { currentPermissionSets: ["Sales", "Marketing"] }));
    assert.ok(merge[0]?.type === "PERMISSION_SETS");
    assert.deepEqual([merge[0].add, merge[0].remove], [["Support"], []]);
    const overwrite = plan(userCase(user, state(), { currentPermissionSets: ["Sales", "Marketing"] }), {
      ...options,
      permissionSetManagement: "OVERWRITE",
    });
    assert.ok(overwrite[0]?.type === "PERMISSION_SETS");
    assert.deepEqual([overwrite[0].add, overwrite[0].remove], [["Support"], ["Marketing"]]);
  });

  it("leaves a refused record alone until its source changes, or a retry is asked for", () => {
    const user = source({}, { title: ["Bad"] });
    const failed = state({ status: "FAILED", desiredHash: mapUser(mapping, user).hash, pushed: {} });
    assert.deepEqual(plan(userCase(user, failed)), []);
    assert.deepEqual(
      planUser(userCase(user, failed), options, "ch1", true).map((o) => o.type),
      ["UPDATE"],
    );
    const changed = source({}, { title: ["Good"] });
    assert.deepEqual(types(userCase(changed, failed)), ["UPDATE"]);
  });

  it("leaves a user to the channel that owns it", () => {
    const [op] = plan(userCase(source(), state({ channel: "other" })));
    assert.ok(op?.type === "SKIP");
    assert.match(op.reason, /handled by the channel "other"/);
    assert.deepEqual(types(userCase(source(), state({ channel: "other", status: "INACTIVE" }))), [
      "REACTIVATE",
    ]);
  });

  it("fails a user the mapping gives no Username, and a community user without an Account", () => {
    const [noName] = plan(userCase(source({}, { mail: [] })));
    assert.ok(noName?.type === "FAIL");
    assert.match(noName.message, /no Username/);
    const [noAccount] = plan(userCase(source()), { ...options, communities: true });
    assert.ok(noAccount?.type === "FAIL");
    assert.match(noAccount.message, /needs an Account/);
    const [community] = plan(userCase(source(), undefined, { existingContactId: "003000000000001AAA" }), {
      ...options,
      communities: true,
      defaultAccountId: "001000000000001AAA",
    });
    assert.ok(community?.type === "CREATE");
    assert.deepEqual(community.contact, {
      id: "003000000000001AAA",
      fields: {},
      accountId: "001000000000001AAA",
    });
  });

  it("a user an expression fails for is not created or updated, and not retried until the source changes", () => {
    const { mapping: withExpression } = compileMapping(
      [
        { fieldName: "Username", saasFieldInfo: { attributeNames: ["mail"] } },
        { fieldName: "Alias", saasFieldInfo: { expression: "Left([uid], [aliasLength])" } },
      ],
      "m",
    );
    const broken = source({}, { aliasLength: ["eight"] });
    const failing = (row?: ProvisionedObject, user = broken) =>
      plan(userCase(user, row, { desired: mapUser(withExpression, user) }));
    const [fresh] = failing();
    assert.equal(fresh?.type, "FAIL");
    assert.ok(fresh?.type === "FAIL");
    assert.equal(fresh.code, "EXPR_ARGUMENT_INVALID");
    assert.match(fresh.message, /^Alias: Left's number of characters must be a whole number/);
    const [known] = failing(state());
    assert.ok(known?.type === "FAIL");
    assert.equal(known.targetId, "005000000000001AAA");
    const hash = mapUser(withExpression, broken).hash;
    assert.deepEqual(failing(state({ status: "FAILED", desiredHash: hash })), []);
    // A disabled user is still deactivated: that needs no mapped value.
    const disabled = source({ enabled: false }, { aliasLength: ["eight"] });
    assert.deepEqual(
      failing(state(), disabled).map((op) => op.type),
      ["DEACTIVATE"],
    );
  });
});
