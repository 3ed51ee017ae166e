import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProvisionedObject } from "../../domain/provisioning-ports.ts";
import { developerNameFor, planGroup } from "./plan-groups.ts";
import type { UserOp } from "./plan-users.ts";
import { applySafety } from "./safety.ts";

const group = { id: "sales", name: "Sales Team", description: null, memberIds: ["ada", "bob"] };
const row = (pushed: string[]): ProvisionedObject => ({
  connectionId: "c1",
  channel: "ch1",
  kind: "group",
  sourceId: "sales",
  targetId: "00G000000000001AAA",
  contactId: null,
  name: "Sales Team",
  status: "ACTIVE",
  pushed: { members: pushed },
  desiredHash: null,
  lastError: null,
  attempts: 0,
  updatedAt: "t",
});

describe("plan: public groups", () => {
  it("creates a group in scope with its provisioned members, and derives a valid DeveloperName", () => {
    const [op] = planGroup({
      sourceId: "sales",
      source: group,
      state: undefined,
      existing: undefined,
      memberTargetIds: ["u2", "u1"],
    });
    assert.deepEqual(op, {
      type: "GROUP_CREATE",
      sourceId: "sales",
      name: "Sales Team",
      developerName: "Sales_Team",
      members: ["u1", "u2"],
    });
    assert.equal(developerNameFor("2026 — EMEA sales!!"), "G_2026_EMEA_sales");
    assert.equal(developerNameFor("__x__y__"), "x_y");
  });

  it("adopts a Salesforce group with the same name and sets its members", () => {
    const [op] = planGroup({
      sourceId: "sales",
      source: group,
      state: undefined,
      existing: { id: "00G9", name: "Sales Team" },
      memberTargetIds: ["u1"],
    });
    assert.ok(op?.type === "GROUP_MEMBERS");
    assert.deepEqual([op.targetId, op.add, op.remove], ["00G9", ["u1"], []]);
  });

  it("adds and removes members as the directory says; nothing when they agree", () => {
    const [op] = planGroup({
      sourceId: "sales",
      source: group,
      state: row(["u1", "u3"]),
      existing: undefined,
      memberTargetIds: ["u1", "u2"],
    });
    assert.ok(op?.type === "GROUP_MEMBERS");
    assert.deepEqual([op.add, op.remove], [["u2"], ["u3"]]);
    assert.deepEqual(
      planGroup({
        sourceId: "sales",
        source: group,
        state: row(["u1"]),
        existing: undefined,
        memberTargetIds: ["u1"],
      }),
      [],
    );
  });

  it("deletes a group that left the scope", () => {
    assert.deepEqual(
      planGroup({
        sourceId: "sales",
        source: null,
        state: row([]),
        existing: undefined,
        memberTargetIds: [],
      }),
      [{ type: "GROUP_DELETE", sourceId: "sales", targetId: "00G000000000001AAA", name: "Sales Team" }],
    );
  });
});

describe("the safety net", () => {
  const deactivations = (n: number): UserOp[] =>
    Array.from({ length: n }, (_, i) => ({
      type: "DEACTIVATE" as const,
      sourceId: `u${i}`,
      desired: null,
      targetId: `t${i}`,
      fields: {},
    }));
  const create: UserOp = { type: "FORGET", sourceId: "x", desired: null };
  const limits = { minimum: 10, percent: 10 };

  it("lets deprovisions through up to max(10, 10 %) an hour, and holds the rest; other operations go on", () => {
    const decision = applySafety([...deactivations(25), create], {
      limits,
      channelUsers: 150,
      recentDeprovisions: 0,
      confirmed: false,
    });
    assert.equal(decision.threshold, 15);
    assert.equal(decision.held.length, 10);
    assert.equal(decision.allowed.length, 16);
    assert.ok(decision.allowed.includes(create));
  });

  it("counts the last hour's deprovisions, and holds nothing once an admin confirmed", () => {
    const late = applySafety(deactivations(3), {
      limits,
      channelUsers: 20,
      recentDeprovisions: 9,
      confirmed: false,
    });
    assert.deepEqual([late.allowed.length, late.held.length], [1, 2]);
    const confirmed = applySafety(deactivations(30), {
      limits,
      channelUsers: 20,
      recentDeprovisions: 9,
      confirmed: true,
    });
    assert.deepEqual([confirmed.allowed.length, confirmed.held.length], [30, 0]);
  });
});
