import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nodeLeases } from "../../src/services/provisioning/node-leases.ts";
import { keepNode } from "../../src/services/provisioning/nodes.ts";
import { type CliTestServer, startCliServer } from "../support/cli.ts";

describe("portico provision nodes and the provisioner mode", () => {
  let cli: CliTestServer;
  before(async () => {
    cli = await startCliServer();
  });
  after(async () => {
    await nodeLeases(cli.server.context).releaseAll();
    await cli.dispose();
  });

  it("sets FAILOVER and its grace period, and lists the node running a channel", async () => {
    const set = await cli.run(["provision", "settings", "--mode", "FAILOVER", "--grace-period", "9"]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /mode {28}FAILOVER\n/);
    assert.match(set.stdout, /failover grace period {11}9 s/);
    const none = await cli.run(["provision", "nodes"]);
    assert.match(none.stdout, /No node has sent a heartbeat yet/);
    // This server is node 0 (no PORTICO_NODE_INDEX): in FAILOVER it heartbeats but runs nothing.
    await keepNode(cli.server.context, [{ connectionId: "org", channel: "staff" }]);
    const listed = await cli.run(["provision", "nodes"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^mode FAILOVER, grace period 9 s/);
    assert.match(listed.stdout, /\(none\) \* +\S+:\d+ +UP +OFF /);
    const json = JSON.parse((await cli.run(["provision", "nodes", "--json"])).stdout);
    assert.deepEqual(
      json.items.map((n: { nodeIndex: unknown; role: string }) => [n.nodeIndex, n.role]),
      [[null, "OFF"]],
    );
    assert.deepEqual(json.leases, []);
    const bad = await cli.run(["provision", "settings", "--mode", "ACTIVE"]);
    assert.equal(bad.code, 2, bad.stderr);
  });
});
