import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandGroupsOf, expandMembers, groupGraph } from "./membership.ts";

describe("nested group membership", () => {
  // a ∋ {u1, b}, b ∋ {u2, c}, c ∋ {u3, a}: a cycle through three groups.
  const graph = groupGraph([
    { dn: "cn=a", members: ["uid=u1", "CN=B"] },
    { dn: "cn=b", members: ["uid=u2", "cn=c"] },
    { dn: "cn=c", members: ["uid=u3", "cn=a"] },
  ]);

  it("expands members through nested groups and stops at a cycle", () => {
    assert.deepEqual(expandMembers(graph, "cn=a", true).sort(), ["uid=u1", "uid=u2", "uid=u3"]);
    assert.deepEqual(expandMembers(graph, "CN=A", false), ["uid=u1"]);
  });

  it("finds every group an entry is in, through the cycle, once each", () => {
    assert.deepEqual(expandGroupsOf(graph, "uid=u3", true).sort(), ["cn=a", "cn=b", "cn=c"]);
    assert.deepEqual(expandGroupsOf(graph, "uid=u3", false), ["cn=c"]);
    assert.deepEqual(expandGroupsOf(graph, "uid=nobody", true), []);
  });
});
